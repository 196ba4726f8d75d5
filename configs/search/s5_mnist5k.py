# Search the embedded S5 supernet (configs/supernet/s5_mnist5k.py), every registered searcher:
# NSGA-II (Algorithm 1) on accuracy vs multiply-adds, then random search, regularized evolution and
# local search, each at NSGA-II's budget (the distinct networks it evaluated).  S5 at m=3 has ~1e27
# distinct networks, so every budget here is a small sample of it.
supernet_config = 'configs/supernet/s5_mnist5k.py'
evaluator = dict(calib_batches=1, calib_batch_size=256, val_batch_size=500)
constraints = dict(min_acc=None, max_madds=None)
searchers = dict(
    nsga2=dict(population=4, generations=2, objectives=[('acc', 'max'), ('madds', 'min')], weights=[1.0, 1.0],
               k=4, mutation_prob=0.2, mutation='local', seed=0),
    random=dict(seed=0),
    evolution=dict(population=4, sample_size=2, mutation_prob=1.0, mutation='local', seed=0),
    local=dict(seed=0),
)
