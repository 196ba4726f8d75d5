# RetinaNet + FPN with timm's MobileNetV3-Large (mobilenetv3_large_100, timm's ImageNet weights) - a baseline of supplementary Table 3.
_base_ = './_base_/retinanet_coco.py'
model = dict(
    backbone=dict(type='TimmBackbone', model_name='mobilenetv3_large_100', out_indices=(1, 2, 3, 4), pretrained=True,
                  frozen_stages=0, norm_eval=True),
    neck=dict(in_channels=[72, 120, 672, 960]))
