"""mixpath-bench: multi-path one-shot NAS (MixPath) supernets, search, ranking and transfer.

``import mixpath_bench`` stays light (no torch): it makes shipped configs nameable as
``mixpath_bench::folder/name.py`` in MMEngine configs, and offers `create_model` / `list_models`
(timm's convention), which load the model code on first use; timm's registry gets the same names
(`mixpath_bench.timm_models`).
"""
from . import timm_models as _timm_models
from .package_data import enable_config_names as _enable_config_names

__version__ = "0.1.0"
__all__ = ["create_model", "list_models"]

_enable_config_names()
_timm_models.install()


def __getattr__(name: str):
    if name in ("create_model", "list_models"):
        from .zoo import pretrained

        return getattr(pretrained, name)
    raise AttributeError(f"module 'mixpath_bench' has no attribute {name!r}")
