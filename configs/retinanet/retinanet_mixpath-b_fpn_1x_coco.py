# MMDetection-style name (model_backbone_neck_schedule_dataset) of configs/retinanet_mixpath_b.py: the same config
_base_ = '../retinanet_mixpath_b.py'
