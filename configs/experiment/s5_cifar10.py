# The MixPath experiment in the DARTS space (S5, m=3) at paper scale on CIFAR-10.
# Ground truth: 20 sampled S5 networks and the published DARTS_V1 / DARTS_V2 cells, each trained
# stand-alone at the supernet's size (DARTS' network with 16 channels and 8 cells, no auxiliary head)
# for 100 epochs, two seeds - our choice: no table of S5 accuracies ships with this toolkit (a
# NAS-Bench-301 surrogate would be another truth source).  Searches: NSGA-II 60 generations (the
# paper's), random, evolution, local search; DARTS first order, 3 seeds each, as executor jobs.
# The found cell at full size: configs/s5/darts_v2_cifar10.py with model.arch=<the pick> (paper: 97.5%, 3.6M).
# CIFAR-10 elsewhere than data/cifar10: --cfg-options supernet_options.data_root=/data/cifar-10-batches-py
supernet_config = 'configs/supernet/s5_cifar10.py'
work_dir = 'work_dirs/experiment_s5_cifar10'
device = 'auto'
workers = 1
ground_truth = dict(source='standalone', metric='test_acc', seeds=[0, 1], num_archs=20, include=['darts_v1', 'darts_v2'],
                    recipe=dict(epochs=100, batch_size=96, lr=0.025, momentum=0.9, weight_decay=3e-4, grad_clip=5.0))
supernet_options = dict()
supernets = dict(variants=dict(sbn=dict(shadow_bn=True), bn=dict(shadow_bn=False)), seeds=[0, 1, 2], gpus=1, amp=False)
ranking = dict(calib_batches=10, calib_batch_size=500, n_boot=1000, top_k=5)
search = dict(config='configs/search/s5_cifar10.py', seeds=[0, 1, 2])
darts = dict(config='configs/darts/s5_cifar10.py', seeds=[0, 1, 2])
analysis = dict(samples=64, combos=8)
