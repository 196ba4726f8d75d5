# Stand-alone ImageNet training of MixPath-A (size-matched reconstruction, model_zoo/archs/mixpath_a.json).
# Recipe: torchvision's MobileNetV3-Large recipe (pytorch/vision references/classification README):
# RMSProp (alpha 0.9, eps 0.0316, momentum 0.9), lr 0.064 at batch 1024 (8 GPUs x 128), weight decay
# 1e-5, 600 epochs, lr x0.973 every 2 epochs, label smoothing none, random-resized crop 224 + flip.
# torchvision additionally uses AutoAugment, random erasing 0.2 and EMA; those are not applied here.
data_root = 'data/imagenet'
model = dict(
    type='StandaloneClassifier', arch='mixpath_a', num_classes=1000, drop_rate=0.2,
    data_preprocessor=dict(type='BatchAugmentPreprocessor', mean=[123.675, 116.28, 103.53],
                           std=[58.395, 57.12, 57.375]))
train_dataloader = dict(
    batch_size=128, num_workers=8, persistent_workers=True, collate_fn=dict(type='default_collate'),
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='ImageNet', root='data/imagenet', split='train'))
val_dataloader = dict(
    batch_size=250, num_workers=8, persistent_workers=True, collate_fn=dict(type='default_collate'),
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='ImageNet', root='data/imagenet', split='val'))
test_dataloader = val_dataloader
test_evaluator = dict(type='TopOneAccuracy')
test_cfg = dict()
train_cfg = dict(by_epoch=True, max_epochs=600, val_interval=10)
val_cfg = dict()
val_evaluator = dict(type='TopOneAccuracy')
optim_wrapper = dict(optimizer=dict(type='RMSprop', lr=0.064, alpha=0.9, eps=0.0316, momentum=0.9, weight_decay=1e-5),
                     constructor='NoNormDecayConstructor')
param_scheduler = dict(type='StepLR', by_epoch=True, step_size=2, gamma=0.973)
default_hooks = dict(
    timer=dict(type='IterTimerHook'), logger=dict(type='LoggerHook', interval=100),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=3, save_last=True),
    sampler_seed=dict(type='DistSamplerSeedHook'))
env_cfg = dict(cudnn_benchmark=True, dist_cfg=dict(backend='nccl'))
randomness = dict(seed=0)
# training curves: MMEngine's JSON logs; TensorBoard / W&B: replace or add a backend (docs/openmmlab.md)
visualizer = dict(type='Visualizer', vis_backends=[dict(type='LocalVisBackend')])

# plain MMEngine (Runner.from_cfg, mim train, a lab's own launcher) registers this toolkit's modules from here
custom_imports = dict(imports=['mixpath_bench.data', 'mixpath_bench.models', 'mixpath_bench.engine.hooks',
                               'mixpath_bench.engine.model', 'mixpath_bench.engine.optim'],
                      allow_failed_imports=False)
