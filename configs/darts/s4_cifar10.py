# DARTS on reduced NAS-Bench-101 (S4, 128 channels, 9 cells) on CIFAR-10: the supplementary Table 2
# baseline (run three seeds: tools/search.py CONFIG --seed 0/1/2).  Liu et al. 2019 settings; 50 epochs.
# DARTS is a searcher that trains its own weights: `python tools/search.py CONFIG` needs no checkpoint.
supernet_config = 'configs/supernet/s4_nb101_cifar10.py'
searchers = dict(darts=dict(epochs=50, batch_size=64, order='first', w_lr=0.025, w_lr_min=0.001, w_momentum=0.9,
                            w_weight_decay=3e-4, alpha_lr=3e-4, alpha_weight_decay=1e-3, grad_clip=5.0, seed=0))
