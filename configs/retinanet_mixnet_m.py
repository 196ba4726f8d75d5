# RetinaNet + FPN with timm's MixNet-M (mixnet_m, timm's ImageNet weights) - a baseline of supplementary Table 3.
_base_ = './_base_/retinanet_coco.py'
model = dict(
    backbone=dict(type='TimmBackbone', model_name='mixnet_m', out_indices=(1, 2, 3, 4), pretrained=True,
                  frozen_stages=0, norm_eval=True),
    neck=dict(in_channels=[96, 240, 360, 1200]))
