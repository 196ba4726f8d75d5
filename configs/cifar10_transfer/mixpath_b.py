# Fine-tune ImageNet-pretrained MixPath-B on CIFAR-10 (paper C.3: "settings of GPipe / Kornblith et al.").
# Every hyper-parameter and its source:
# - initial weights: the ImageNet model (load_from, e.g. a work dir of configs/imagenet/mixpath_b.py, or
#   zoo://mixpath_b once published); the 1000-way classifier is replaced (10 classes, fresh init).
# - images upsampled to 224x224 before the network (Kornblith et al. 2019 fine-tune at the ImageNet
#   resolution); random crop with 4-pixel padding at 32x32 and horizontal flip before upsampling (ours:
#   the standard CIFAR augmentation).
# - SGD with Nesterov momentum 0.9, batch 256, 19,531 steps (= 100 epochs of 50k images), cosine decay
#   (Kornblith et al. 2019 fine-tuning protocol as we read it; the paper gives no own values).
# - learning rate 0.01 and weight decay 1e-5: one point of Kornblith's log-spaced grids; they pick both on
#   a held-out validation split, which the 45k/5k split here supports (sweep with --cfg-options).
# - no label smoothing, no dropout change, BN statistics updated (train mode).
_base_ = '../_base_/supernet_recipe.py'
data_root = 'data/cifar10'
model = dict(
    type='StandaloneClassifier', arch='mixpath_b', num_classes=10,
    data_preprocessor=dict(type='BatchAugmentPreprocessor', crop_padding=4, flip=True, resize=224))
train_dataloader = dict(
    batch_size=256, num_workers=2, persistent_workers=True, collate_fn=dict(type='default_collate'),
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='CIFAR10', root='data/cifar10', split='train', val_size=5000))
val_dataloader = dict(
    batch_size=500, num_workers=2, persistent_workers=True, collate_fn=dict(type='default_collate'),
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='CIFAR10', root='data/cifar10', split='val', val_size=5000))
test_dataloader = dict(
    batch_size=500, num_workers=2, persistent_workers=True, collate_fn=dict(type='default_collate'),
    sampler=dict(type='DefaultSampler', shuffle=False), dataset=dict(type='CIFAR10', root='data/cifar10', split='test'))
test_evaluator = dict(type='TopOneAccuracy')
test_cfg = dict()
train_cfg = dict(max_epochs=111, val_interval=5)
optim_wrapper = dict(optimizer=dict(lr=0.01, momentum=0.9, nesterov=True, weight_decay=1e-5), clip_grad=None)
param_scheduler = dict(T_max=111)
load_from = None  # set to the ImageNet checkpoint
