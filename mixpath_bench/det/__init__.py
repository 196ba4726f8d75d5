"""MMDetection adapters - the only package that imports mmdet / mmcv.

Importing it is all a config needs (``custom_imports=dict(imports=['mixpath_bench.det'])``, the
OpenMMLab convention, so MMDetection's own ``tools/train.py`` runs our configs): it installs a
PyTorch stand-in for `mmcv.ops` when only mmcv-lite is present, registers `MixPathBackbone` and
`TimmBackbone` in MMDetection's model registry, and lets checkpoints name ``zoo://NAME`` weights.
"""
from .registry import COMPILED_MMCV_OPS, DET_MODELS
from .setup import import_backbones
from ..zoo import register_zoo_scheme  # noqa: E402

import_backbones()
register_zoo_scheme()
from .backbone import MixPathBackbone  # noqa: E402 - re-exported
from .timm_backbone import TimmBackbone  # noqa: E402 - re-exported

__all__ = ["COMPILED_MMCV_OPS", "DET_MODELS", "MixPathBackbone", "TimmBackbone"]
