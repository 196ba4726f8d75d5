# DARTS on the embedded S4 space (network and data of configs/supernet/s4_nb101_mnist5k.py, vanilla BN).
# DARTS is a searcher that trains its own weights: `python tools/search.py CONFIG` needs no checkpoint.
supernet_config = 'configs/supernet/s4_nb101_mnist5k.py'
searchers = dict(darts=dict(epochs=10, batch_size=64, order='first', w_lr=0.025, w_lr_min=0.001, w_momentum=0.9,
                            w_weight_decay=3e-4, alpha_lr=3e-4, alpha_weight_decay=1e-3, grad_clip=5.0, seed=0))
