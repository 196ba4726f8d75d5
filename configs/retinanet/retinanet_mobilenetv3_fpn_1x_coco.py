# MMDetection-style name (model_backbone_neck_schedule_dataset) of configs/retinanet_mobilenetv3.py: the same config
_base_ = '../retinanet_mobilenetv3.py'
