# The ImageNet task of the S2 and S3 supernets (MixNet-M skeleton, 224x224): folders root/train/<class>/
# and root/val/<class>/, ImageNet's normalisation, the classifier; a config adds `model.network` and a
# recipe (`_base_ = ['../_base_/imagenet_supernet_recipe.py', '../_base_/imagenet_supernet_task.py']`).
data_root = 'data/imagenet'
model = dict(
    type='MixPathClassifier',
    data_preprocessor=dict(type='BatchAugmentPreprocessor', mean=[123.675, 116.28, 103.53],
                           std=[58.395, 57.12, 57.375]),
    seed=0)
train_dataloader = dict(
    batch_size=256, num_workers=8, persistent_workers=True, collate_fn=dict(type='default_collate'),
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='ImageNet', root='data/imagenet', split='train'))
val_dataloader = dict(
    batch_size=250, num_workers=8, persistent_workers=True, collate_fn=dict(type='default_collate'),
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='ImageNet', root='data/imagenet', split='val'))
