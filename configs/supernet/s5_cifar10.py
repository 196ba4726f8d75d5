# S5 supernet on CIFAR-10: DARTS' search network (16 initial channels, 8 cells, reductions at 1/3 and
# 2/3) whose edges sum 1..m of DARTS' 7 operations under a Shadow BN per edge; m=3 as the paper's
# DARTS-space run (supplementary C.2, which gives no training recipe for it: this one is ours, the
# reference recipe of the MixPath code for S1/S4 - batch 96, 200 epochs, SGD 0.025 cosine, momentum
# 0.9, weight decay 3e-4, clipping 5 - with DARTS' search-stage augmentation, crop and flip, no cutout).
# m=1 (DARTS' discrete space): --cfg-options model.network.m=1 ; vanilla BN: model.network.shadow_bn=False
_base_ = '../_base_/supernet_recipe.py'
data_root = 'data/cifar10'
model = dict(
    type='MixPathClassifier',
    network=dict(type='S5Supernet', num_classes=10, m=3, shadow_bn=True, init_channels=16, layers=8),
    data_preprocessor=dict(type='BatchAugmentPreprocessor', crop_padding=4, flip=True),
    seed=0)
train_dataloader = dict(
    batch_size=96, num_workers=2, persistent_workers=True, collate_fn=dict(type='default_collate'),
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='CIFAR10', root='data/cifar10', split='train', val_size=5000))
val_dataloader = dict(
    batch_size=500, num_workers=2, persistent_workers=True, collate_fn=dict(type='default_collate'),
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='CIFAR10', root='data/cifar10', split='val', val_size=5000))
