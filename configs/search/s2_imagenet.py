# NSGA-II on the S2 ImageNet supernet: accuracy vs multiply-adds under the mobile setting
# (<= 400M multiply-adds), calibrated on 20 training batches, scored on the validation folder.
supernet_config = 'configs/supernet/s2_imagenet.py'
evaluator = dict(calib_batches=20, calib_batch_size=256, val_batch_size=250, input_size=(3, 224, 224))
constraints = dict(min_acc=None, max_madds=400e6)
searchers = dict(
    nsga2=dict(population=40, generations=20, objectives=[('acc', 'max'), ('madds', 'min')], weights=[1.0, 1.0],
               k=5, mutation_prob=0.1, mutation='local', seed=0),
    random=dict(seed=0),  # NSGA-II's budget: the distinct networks it evaluated
)
