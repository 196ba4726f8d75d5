# DARTS in its own space (S5 at m=1 is DARTS' discrete space) on the embedded MNIST-5k: the network and
# data of configs/supernet/s5_mnist5k.py with a single (vanilla) BN per edge.  DARTS' relaxation: a
# weight per (candidate edge, primitive incl. 'none'); derivation: per node the 2 edges with the
# strongest non-'none' weight (Liu et al. 2019).  `python tools/search.py CONFIG` needs no checkpoint.
supernet_config = 'configs/supernet/s5_mnist5k.py'
searchers = dict(darts=dict(epochs=3, batch_size=64, order='first', w_lr=0.025, w_lr_min=0.001, w_momentum=0.9,
                            w_weight_decay=3e-4, alpha_lr=3e-4, alpha_weight_decay=1e-3, grad_clip=5.0, seed=0))
