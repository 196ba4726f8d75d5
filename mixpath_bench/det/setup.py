"""Registering everything a detection config needs: MMDetection's modules, our backbones, zoo://."""
from __future__ import annotations

from importlib import import_module

#: the modules of this package that register a backbone in MMDetection's model registry (a new backbone:
#: its module and its name here; `import mixpath_bench.det` and `register_detection` both import these)
BACKBONE_MODULES = ("backbone", "timm_backbone")


def import_backbones() -> None:
    """Register our backbones (after the mmcv.ops stand-in is in place)."""
    from .registry import COMPILED_MMCV_OPS  # noqa: F401 - installs the stand-in before mmdet imports

    for name in BACKBONE_MODULES:
        import_module(f".{name}", __package__)


def register_detection() -> None:
    """MMDetection's modules (after the mmcv.ops stand-in is in place) and ours."""
    import_backbones()
    from mmdet.utils import register_all_modules

    register_all_modules(init_default_scope=False)
