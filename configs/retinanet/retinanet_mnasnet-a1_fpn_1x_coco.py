# MMDetection-style name (model_backbone_neck_schedule_dataset) of configs/retinanet_mnasnet_a1.py: the same config
_base_ = '../retinanet_mnasnet_a1.py'
