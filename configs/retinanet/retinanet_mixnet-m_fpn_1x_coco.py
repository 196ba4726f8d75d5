# MMDetection-style name (model_backbone_neck_schedule_dataset) of configs/retinanet_mixnet_m.py: the same config
_base_ = '../retinanet_mixnet_m.py'
