# Search the embedded S4 supernet (configs/supernet/s4_nb101_mnist5k.py): NSGA-II (Algorithm 1)
# on accuracy vs multiply-adds, random search with NSGA-II's evaluation budget, and a
# single-objective regularized evolution.
supernet_config = 'configs/supernet/s4_nb101_mnist5k.py'
evaluator = dict(calib_batches=4, calib_batch_size=256, val_batch_size=500)
nsga2 = dict(population=10, generations=4, objectives=[('acc', 'max'), ('madds', 'min')], weights=[1.0, 1.0],
             constraints=dict(min_acc=None, max_madds=None), k=4, mutation_prob=0.2, seed=0)
random_search = dict(seed=0)
evolution = dict(budget=40, population=10, sample_size=3, seed=0)
