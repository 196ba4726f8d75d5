# The demo's pipeline at paper scale: S4 (reduced NAS-Bench-101: 128 channels, 9 cells, m=4) on CIFAR-10.
# Ground truth: NAS-Bench-101 (mean of its 3 repeats) from the user's nasbench_only108.tfrecord; without
# that file use stand-alone training instead:
#   --cfg-options ground_truth.source=standalone ground_truth.seeds="[0,1]"
# CIFAR-10 elsewhere than data/cifar10: --cfg-options supernet_options.data_root=/data/cifar-10-batches-py
# Several GPUs for the supernets: --cfg-options supernets.gpus=4 (torchrun, DDP).
# Expected GPU time per stage (one H200, fp32): docs/experiments.md.
supernet_config = 'configs/supernet/s4_nb101_cifar10.py'  # 200 epochs, batch 96, the reference recipe
work_dir = 'work_dirs/experiment_s4_cifar10'
device = 'auto'
workers = 1
ground_truth = dict(source='data/nasbench/nasbench_only108.tfrecord', metric='val_acc',
                    # used only with source='standalone': 108 epochs as NAS-Bench-101 (SGD here, not RMSProp)
                    seeds=[0], recipe=dict(epochs=108, batch_size=256, lr=0.1, momentum=0.9, weight_decay=1e-4))
supernet_options = dict()  # cfg-options for the supernet config, used by every stage
# three seeds per variant: the supernet's own seed noise is reported as mean +- std of every metric
supernets = dict(variants=dict(sbn=dict(shadow_bn=True), bn=dict(shadow_bn=False)), seeds=[0, 1, 2], gpus=1, amp=False)
# every metric, the baselines (params, MAdds, zero-cost proxies) and the reference protocol beside ours
ranking = dict(calib_batches=10, calib_batch_size=500, n_boot=1000, top_k=5, protocol='reference')
search = dict(config='configs/search/s4_cifar10.py', seeds=[0, 1, 2])  # NSGA-II + random, evolution, local search (Table 2)
darts = dict(config='configs/darts/s4_cifar10.py', seeds=[0, 1, 2])    # 50 epochs each
analysis = dict(samples=64, combos=8)
# m = 1..4 with and without Shadow BN (8 more supernets per seed; each ranks the networks of its space:
# 3, 9, 19, 34)
m_sweep = dict(m=[1, 2, 3, 4], seeds=[0], calib_batches=10, calib_batch_size=500)
