# ImageNet supernet recipe (S2, S3): supernet_recipe.py with the values below (its task, the data:
# imagenet_supernet_task.py).  The paper does not publish its ImageNet supernet recipe; this one is our
# choice, modelled on Single Path One-Shot (Guo et al., ECCV 2020): 120 epochs, SGD momentum 0.9, weight
# decay 4e-5 (none on BN); batch 256 with lr 0.125 (SPOS's 0.5 at batch 1024, scaled linearly) and cosine
# decay instead of linear; random-resized crop 224 + flip.
_base_ = './supernet_recipe.py'
train_cfg = dict(max_epochs=120, val_interval=5)
optim_wrapper = dict(optimizer=dict(lr=0.125, weight_decay=4e-5))
param_scheduler = dict(T_max=120)
default_hooks = dict(logger=dict(interval=100))
