# Stand-alone ImageNet training of MixPath-B (size-matched reconstruction, model_zoo/archs/mixpath_b.json),
# with the same recipe as configs/imagenet/mixpath_a.py (torchvision's MobileNetV3-Large recipe; see there).
_base_ = './mixpath_a.py'
model = dict(arch='mixpath_b')
