"""Registering everything a detection config needs: MMDetection's modules, our backbones, zoo://."""
from __future__ import annotations


def register_detection() -> None:
    """MMDetection's modules (after the mmcv.ops stand-in is in place) and ours."""
    from .registry import COMPILED_MMCV_OPS  # noqa: F401 - installs the stand-in before mmdet imports
    from . import backbone, timm_backbone  # noqa: F401,I001 - registers MixPathBackbone and TimmBackbone
    from mmdet.utils import register_all_modules

    register_all_modules(init_default_scope=False)
