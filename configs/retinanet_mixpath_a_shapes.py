# The embedded detection demo: RetinaNet + FPN + MixPath-A (randomly initialised) on the generated
# COCO-format shapes dataset (python tools/make_shapes.py data/shapes), 128x128 images, CPU-sized.
_base_ = './_base_/retinanet_coco.py'
data_root = 'data/shapes/'
model = dict(
    backbone=dict(type='MixPathBackbone', arch='mixpath_a', out_indices=(0, 1, 2, 3), frozen_stages=-1,
                  norm_eval=False),
    neck=dict(in_channels=[96, 240, 360, 1200], out_channels=64),
    bbox_head=dict(num_classes=3, in_channels=64, feat_channels=64, stacked_convs=2,
                   anchor_generator=dict(octave_base_scale=3)),
    test_cfg=dict(score_thr=0.05, max_per_img=20))
_metainfo = dict(classes=('circle', 'square', 'triangle'))
train_dataloader = dict(
    batch_size=8, num_workers=0, persistent_workers=False, batch_sampler=None,
    dataset=dict(data_root=data_root, ann_file='annotations/instances_train.json', data_prefix=dict(img='train/'),
                 metainfo=_metainfo, filter_cfg=dict(filter_empty_gt=True, min_size=4),
                 pipeline=[dict(type='LoadImageFromFile'), dict(type='LoadAnnotations', with_bbox=True),
                           dict(type='Resize', scale=(128, 128), keep_ratio=True),
                           dict(type='RandomFlip', prob=0.5), dict(type='PackDetInputs')]))
val_dataloader = dict(
    batch_size=8, num_workers=0, persistent_workers=False,
    dataset=dict(data_root=data_root, ann_file='annotations/instances_val.json', data_prefix=dict(img='val/'),
                 metainfo=_metainfo,
                 pipeline=[dict(type='LoadImageFromFile'), dict(type='Resize', scale=(128, 128), keep_ratio=True),
                           dict(type='LoadAnnotations', with_bbox=True),
                           dict(type='PackDetInputs', meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                                                                 'scale_factor'))]))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + 'annotations/instances_val.json')
test_evaluator = val_evaluator
train_cfg = dict(max_epochs=12, val_interval=4)  # the paper's schedule length, x0.1 at epochs 8 and 11
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=100),
    dict(type='MultiStepLR', begin=0, end=12, by_epoch=True, milestones=[8, 11], gamma=0.1)]
optim_wrapper = dict(optimizer=dict(lr=0.02), clip_grad=dict(max_norm=10.0))
default_hooks = dict(logger=dict(interval=10), visualization=dict(type='DetVisualizationHook', draw=False))
env_cfg = dict(mp_cfg=dict(mp_start_method='fork', opencv_num_threads=1))
