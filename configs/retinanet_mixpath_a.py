# RetinaNet + FPN with the MixPath-A backbone (size-matched reconstruction, model_zoo/archs/mixpath_a.json)
# on COCO with the paper's recipe.  Data: --cfg-options data_root=/path/to/coco/
_base_ = './_base_/retinanet_coco.py'
model = dict(
    backbone=dict(type='MixPathBackbone', arch='mixpath_a', out_indices=(0, 1, 2, 3), frozen_stages=0, norm_eval=True,
                  init_cfg=dict(type='Pretrained', checkpoint='zoo://mixpath_a')),
    neck=dict(in_channels=[96, 240, 360, 1200]))
