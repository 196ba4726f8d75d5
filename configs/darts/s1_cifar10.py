# DARTS on S1 (CIFAR-10, 12 layers x 8 candidates, one derived path per layer).  Liu et al. 2019 settings.
# DARTS is a searcher that trains its own weights: `python tools/search.py CONFIG` needs no checkpoint.
supernet_config = 'configs/supernet/s1_cifar10.py'
searchers = dict(darts=dict(epochs=50, batch_size=64, order='first', w_lr=0.025, w_lr_min=0.001, w_momentum=0.9,
                            w_weight_decay=3e-4, alpha_lr=3e-4, alpha_weight_decay=1e-3, grad_clip=5.0, seed=0))
