# DARTS in its own space on CIFAR-10 (Liu et al. 2019): the S5 search network of
# configs/supernet/s5_cifar10.py at m=1 with a single (vanilla) BN per edge, 50 epochs, batch 64, half the
# training split for the weights and half for the architecture; SGD 0.025 cosine to 0.001, momentum 0.9,
# weight decay 3e-4, clipping 5; Adam 3e-4 (betas 0.5, 0.999), weight decay 1e-3 for the architecture.
# First order; DARTS' second order (its DARTS_V2): --cfg-options searchers.darts.order=second
# (about 4x the time).  About a GPU-day per seed at this scale: run seeds as experiment jobs.
supernet_config = 'configs/supernet/s5_cifar10.py'
searchers = dict(darts=dict(epochs=50, batch_size=64, order='first', w_lr=0.025, w_lr_min=0.001, w_momentum=0.9,
                            w_weight_decay=3e-4, alpha_lr=3e-4, alpha_weight_decay=1e-3, grad_clip=5.0, seed=0))
