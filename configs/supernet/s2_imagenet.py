# S2 supernet on ImageNet (MixNet-M skeleton, 224x224), folders root/train/<class>/ and root/val/<class>/.
# The ImageNet val set serves as this config's validation split; hold out part of train for search.
_base_ = ['../_base_/imagenet_supernet_recipe.py', '../_base_/imagenet_supernet_task.py']
model = dict(network=dict(type='S2Supernet', num_classes=1000, m=2, shadow_bn=True))
