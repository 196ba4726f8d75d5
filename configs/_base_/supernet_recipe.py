# The reference supernet recipe (MixPath code, S1 and S4): batch 96, 200 epochs, SGD lr 0.025
# momentum 0.9, cosine to 0, weight decay 3e-4 (none on BN), gradient clipping at norm 5.
train_cfg = dict(by_epoch=True, max_epochs=200, val_interval=10)
val_cfg = dict()
val_evaluator = dict(type='TopOneAccuracy')
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.025, momentum=0.9, weight_decay=3e-4),
    clip_grad=dict(max_norm=5.0),
    constructor='NoNormDecayConstructor')
param_scheduler = dict(type='CosineAnnealingLR', by_epoch=True, T_max=200, eta_min=0.0,
                       convert_to_iter_based=True)
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=3, save_last=True),
    sampler_seed=dict(type='DistSamplerSeedHook'))
custom_hooks = [dict(type='TrainTimeHook')]  # training seconds, recorded in checkpoints
env_cfg = dict(cudnn_benchmark=True, dist_cfg=dict(backend='nccl'))
model_wrapper_cfg = dict(type='MMDistributedDataParallel', find_unused_parameters=True)
randomness = dict(seed=0)
# training curves: MMEngine's JSON logs; TensorBoard / W&B: replace or add a backend (docs/openmmlab.md)
visualizer = dict(type='Visualizer', vis_backends=[dict(type='LocalVisBackend')])
log_level = 'INFO'

# plain MMEngine (Runner.from_cfg, mim train, a lab's own launcher) registers this toolkit's modules from here
custom_imports = dict(imports=['mixpath_bench.data', 'mixpath_bench.models', 'mixpath_bench.engine.hooks',
                               'mixpath_bench.engine.model', 'mixpath_bench.engine.optim'],
                      allow_failed_imports=False)
