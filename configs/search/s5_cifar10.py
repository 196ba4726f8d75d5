# Search the S5 CIFAR-10 supernet (configs/supernet/s5_cifar10.py): NSGA-II (Algorithm 1) with the
# paper's 60 generations (supplementary C.2) on accuracy vs multiply-adds; population 40 as the S1
# search (the paper gives none for S5); then random search, regularized evolution and local search at
# NSGA-II's budget (the distinct networks it evaluated).  Pick the cell to train with
# configs/s5/darts_v2_cifar10.py (model.arch=<the pick>).
supernet_config = 'configs/supernet/s5_cifar10.py'
evaluator = dict(calib_batches=10, calib_batch_size=500, val_batch_size=1000)
constraints = dict(min_acc=None, max_madds=None)
searchers = dict(
    nsga2=dict(population=40, generations=60, objectives=[('acc', 'max'), ('madds', 'min')], weights=[1.0, 1.0],
               k=5, mutation_prob=0.1, mutation='local', seed=0),
    random=dict(seed=0),
    evolution=dict(population=40, sample_size=10, mutation_prob=1.0, mutation='local', seed=0),
    local=dict(seed=0),
)
