# S4 (reduced NAS-Bench-101) on CIFAR-10: NSGA-II on accuracy vs multiply-adds and the supplementary
# Table 2 experiment - single-objective evolution for the best model (known optimum 94.29%).
supernet_config = 'configs/supernet/s4_nb101_cifar10.py'
evaluator = dict(calib_batches=10, calib_batch_size=500, val_batch_size=1000)
nsga2 = dict(population=20, generations=10, objectives=[('acc', 'max'), ('madds', 'min')], weights=[1.0, 1.0],
             constraints=dict(min_acc=None, max_madds=None), k=5, mutation_prob=0.2, seed=0)
random_search = dict(seed=0)
evolution = dict(budget=100, population=20, sample_size=5, seed=0)
