# The `make demo` supernet (configs/experiment/demo.py): configs/supernet/s4_nb101_mnist5k.py at 12x12
# pixels instead of 16x16, which makes every stage of the experiment ~40% cheaper (the stand-alone
# ground truth of 34 architectures x 2 seeds included), so the whole pipeline fits 10 minutes on 2 CPU
# cores.  S4, m=4, 16 stem channels, one cell per stack (3 cells), 30 epochs.
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
    dataset=dict(type='EmbeddedImages', name='mnist5k', split='train', size=12))
val_dataloader = dict(
    batch_size=500, num_workers=0, collate_fn=dict(type='default_collate'),
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='EmbeddedImages', name='mnist5k', split='val', size=12))
train_cfg = dict(max_epochs=30, val_interval=5)
optim_wrapper = dict(optimizer=dict(lr=0.1))  # CPU-scale recipe: few steps, higher lr than the reference
param_scheduler = dict(T_max=30)
default_hooks = dict(logger=dict(interval=10))
