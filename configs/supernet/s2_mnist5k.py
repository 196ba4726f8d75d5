# S2 supernet (MixNet-M skeleton) on the embedded MNIST-5k at 32x32, a CPU-sized check of the ImageNet space.
_base_ = '../_base_/supernet_recipe.py'
model = dict(
    type='MixPathClassifier',
    network=dict(type='S2Supernet', num_classes=10, m=2, shadow_bn=True, in_chans=1, dropout=0.0),
    data_preprocessor=dict(type='BatchAugmentPreprocessor', mean=[33.6], std=[73.8], crop_padding=2),
    seed=0)
train_dataloader = dict(
    batch_size=96, num_workers=0, collate_fn=dict(type='default_collate'),
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='EmbeddedImages', name='mnist5k', split='train', size=32))
val_dataloader = dict(
    batch_size=500, num_workers=0, collate_fn=dict(type='default_collate'),
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='EmbeddedImages', name='mnist5k', split='val', size=32))
train_cfg = dict(max_epochs=10, val_interval=1)
optim_wrapper = dict(optimizer=dict(lr=0.05))
param_scheduler = dict(T_max=10)
default_hooks = dict(logger=dict(interval=10))
