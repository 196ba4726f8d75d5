# RetinaNet + FPN with timm's MnasNet-A1 (semnasnet_100, timm's ImageNet weights) - the closest timm model to
# Table 3's MnasNet-A2 (timm has no A2).
_base_ = './_base_/retinanet_coco.py'
model = dict(
    backbone=dict(type='TimmBackbone', model_name='semnasnet_100', out_indices=(1, 2, 3, 4), pretrained=True,
                  frozen_stages=0, norm_eval=True),
    neck=dict(in_channels=[144, 120, 672, 960]))
