"""`register_all_modules()`: the one place that fills MMEngine's registries with this package's modules.

OpenMMLab's convention (``mmdet.utils.register_all_modules``): importing a module runs its
``@REGISTRY.register_module()`` decorators, so registering means importing every module that
has them.  Entry points and builders call this instead of importing those modules for their
side effects.  It does not run on ``import mixpath_bench``, which stays light (the search code
never imports torch).  Detection modules need mmdet: `mixpath_bench.det.setup.register_detection`.
"""
from __future__ import annotations


def register_all_modules() -> None:
    """Register every module a config can name; idempotent.

    data: the CIFAR10, EmbeddedImages, SyntheticImages and ImageNet datasets, ``batch_collate``,
    ``BatchAugmentPreprocessor``; models: the S1..S4 supernets; engine: ``MixPathClassifier``,
    ``StandaloneClassifier``, ``TopOneAccuracy``, ``TrainTimeHook``, ``PlainCheckpointHook``,
    ``NoNormDecayConstructor``, ``FastOptimWrapper``.
    """
    import mixpath_bench.data  # noqa: F401
    import mixpath_bench.models  # noqa: F401

    from . import hooks, model, optim  # noqa: F401
