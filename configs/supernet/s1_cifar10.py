# S1 (12 multi-path inverted bottlenecks) supernet on CIFAR-10, the reference recipe.
# m (max active candidates per layer, 1..4): --cfg-options model.network.m=2 ; vanilla-BN ablation: model.network.shadow_bn=False
_base_ = '../_base_/supernet_recipe.py'
data_root = 'data/cifar10'
model = dict(
    type='MixPathClassifier',
    network=dict(type='S1Supernet', num_classes=10, m=4, shadow_bn=True),
    data_preprocessor=dict(type='BatchAugmentPreprocessor', crop_padding=4, flip=True, cutout=16),
    seed=0)
train_dataloader = dict(
    batch_size=96, num_workers=2, persistent_workers=True, collate_fn=dict(type='default_collate'),
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='CIFAR10', root='data/cifar10', split='train', val_size=5000))
val_dataloader = dict(
    batch_size=500, num_workers=2, persistent_workers=True, collate_fn=dict(type='default_collate'),
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='CIFAR10', root='data/cifar10', split='val', val_size=5000))
