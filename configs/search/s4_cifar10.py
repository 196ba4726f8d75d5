# S4 (reduced NAS-Bench-101) on CIFAR-10: NSGA-II on accuracy vs multiply-adds and the supplementary
# Table 2 experiment - single-objective searches for the best model (known optimum 94.29%).  S4 has
# 34 distinct networks; budgets count networks, and a search stops early when it has seen all 34.
supernet_config = 'configs/supernet/s4_nb101_cifar10.py'
evaluator = dict(calib_batches=10, calib_batch_size=500, val_batch_size=1000)
constraints = dict(min_acc=None, max_madds=None)
searchers = dict(
    nsga2=dict(population=8, generations=6, objectives=[('acc', 'max'), ('madds', 'min')], weights=[1.0, 1.0],
               k=5, mutation_prob=0.2, mutation='local', seed=0),
    random=dict(seed=0),
    evolution=dict(population=8, sample_size=4, mutation_prob=1.0, mutation='local', seed=0),
    local=dict(seed=0),
)
