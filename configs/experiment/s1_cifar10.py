# The demo's pipeline at paper scale on S1 (12 multi-path inverted bottlenecks, m=4) on CIFAR-10.
# S1 has no tabular benchmark: the ground truth is stand-alone training of 20 seeded sample
# architectures (and of every architecture the searches find), 2 seeds each to measure the noise.
# CIFAR-10 elsewhere than data/cifar10: --cfg-options supernet_options.data_root=/data/cifar-10-batches-py
# Several GPUs for the supernets: --cfg-options supernets.gpus=4 (torchrun, DDP).
# Expected GPU time per stage (one H200, fp32): docs/experiments.md.
supernet_config = 'configs/supernet/s1_cifar10.py'  # 200 epochs, batch 96, the reference recipe
work_dir = 'work_dirs/experiment_s1_cifar10'
device = 'auto'
workers = 1
ground_truth = dict(source='standalone', metric='test_acc', seeds=[0, 1], num_archs=20,
                    recipe=dict(epochs=100, batch_size=96, lr=0.025, momentum=0.9, weight_decay=3e-4, grad_clip=5.0))
supernet_options = dict()  # cfg-options for the supernet config, used by every stage
supernets = dict(variants=dict(sbn=dict(shadow_bn=True), bn=dict(shadow_bn=False)), seed=0, gpus=1, amp=False)
ranking = dict(calib_batches=10, calib_batch_size=500, n_boot=1000)
search = dict(config='configs/search/s1_cifar10.py', seeds=[0, 1, 2])  # NSGA-II, population 40, 40 generations
darts = dict(config='configs/darts/s1_cifar10.py', seeds=[0, 1, 2])    # 50 epochs each
analysis = dict(samples=64, combos=8)
