# A DARTS-space cell trained stand-alone on CIFAR-10 with DARTS' evaluation recipe.  Every value and its
# source (DARTS: Liu, Simonyan, Yang, ICLR 2019, section 3.3 / appendix A.2, and cnn/train.py of
# github.com/quark0/darts at f276dd346a09ae3160f8e3aca5c7b193fda1da37):
# - network: 20 cells, 36 initial channels, auxiliary head after 2/3 of the cells (train.py --layers 20
#   --init_channels 36 --auxiliary);
# - 600 epochs, batch 96 (--epochs 600 --batch_size 96);
# - SGD lr 0.025, momentum 0.9, weight decay 3e-4, cosine annealing to 0 over the 600 epochs
#   (--learning_rate 0.025 --momentum 0.9 --weight_decay 3e-4; CosineAnnealingLR(eta_min=0), the
#   default --learning_rate_min 0.0 in train.py) - weight decay on every parameter, BN included, as there;
# - gradient clipping at norm 5 (--grad_clip 5);
# - cutout 16 (--cutout --cutout_length 16), random crop with 4-pixel padding and horizontal flip;
# - drop path 0.2, rising linearly from 0 over training (--drop_path_prob 0.2; model.drop_path_prob =
#   drop_path_prob * epoch / epochs);
# - auxiliary loss weight 0.4 (--auxiliary_weight 0.4).
# Number to compare with: MixPath in the DARTS space (supplementary C.2, m = 3): 97.5% CIFAR-10 test
# accuracy with 3.6M parameters; DARTS_V2 itself: 97.24 +- 0.09% (2.76% error), 3.3M parameters.
# Another cell: --cfg-options model.arch=work_dirs/.../arch.json (a found S5 architecture, any m) or
# model.arch='S5:...' ; the network stays DARTS' evaluation network below.  45k/5k train/val split here:
# DARTS trains on all 50k; --cfg-options train_dataloader.dataset.val_size=0 to do the same.
_base_ = '../_base_/supernet_recipe.py'
data_root = 'data/cifar10'
model = dict(
    type='StandaloneClassifier', arch='darts_v2', num_classes=10, aux_weight=0.4,
    network=dict(type='DartsNetworkCIFAR', init_channels=36, layers=20, auxiliary=True),
    data_preprocessor=dict(type='BatchAugmentPreprocessor', crop_padding=4, flip=True, cutout=16))
train_dataloader = dict(
    batch_size=96, num_workers=2, persistent_workers=True, collate_fn=dict(type='default_collate'),
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
train_cfg = dict(max_epochs=600, val_interval=10)
optim_wrapper = dict(optimizer=dict(lr=0.025, momentum=0.9, weight_decay=3e-4), clip_grad=dict(max_norm=5.0),
                     constructor='DefaultOptimWrapperConstructor')
param_scheduler = dict(type='CosineAnnealingLR', by_epoch=True, T_max=600, eta_min=0.0, convert_to_iter_based=True)
custom_hooks = [dict(type='TrainTimeHook'), dict(type='DropPathScheduleHook', max_prob=0.2)]
