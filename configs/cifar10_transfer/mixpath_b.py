# Fine-tune ImageNet-pretrained MixPath-B on CIFAR-10 (paper C.3: "settings of GPipe / Kornblith et al."):
# configs/cifar10_transfer/mixpath_a.py, every hyper-parameter and its source, with MixPath-B.
# - initial weights: the ImageNet model (load_from, e.g. a work dir of configs/imagenet/mixpath_b.py, or
#   zoo://mixpath_b once published); the 1000-way classifier is replaced (10 classes, fresh init).
_base_ = './mixpath_a.py'
model = dict(arch='mixpath_b')
