"""MMDetection adapters - the only package that imports mmdet / mmcv.

Importing it installs a PyTorch stand-in for `mmcv.ops` when only mmcv-lite is present, and
registers `MixPathBackbone` and `TimmBackbone` in MMDetection's model registry.
"""
from .registry import COMPILED_MMCV_OPS, DET_MODELS
from .backbone import MixPathBackbone  # noqa: E402
from .timm_backbone import TimmBackbone  # noqa: E402

__all__ = ["COMPILED_MMCV_OPS", "DET_MODELS", "MixPathBackbone", "TimmBackbone"]
