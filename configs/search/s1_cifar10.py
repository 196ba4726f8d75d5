# NSGA-II on the S1 CIFAR-10 supernet: accuracy vs multiply-adds (the reference PR's budget:
# population 40, 40 generations), constraint-filtered as in Algorithm 1.
supernet_config = 'configs/supernet/s1_cifar10.py'
evaluator = dict(calib_batches=10, calib_batch_size=500, val_batch_size=1000)
constraints = dict(min_acc=80.0, max_madds=600e6)
searchers = dict(
    nsga2=dict(population=40, generations=40, objectives=[('acc', 'max'), ('madds', 'min')], weights=[1.0, 1.0],
               k=5, mutation_prob=0.1, mutation='local', seed=0),
    random=dict(seed=0),  # NSGA-II's budget: the distinct networks it evaluated
)
