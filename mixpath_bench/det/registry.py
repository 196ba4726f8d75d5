"""MMDetection's model registry, imported only after the mmcv ops are in place."""
from .mmcv_ops import ensure_mmcv_ops

COMPILED_MMCV_OPS = ensure_mmcv_ops()

from mmdet.registry import MODELS as DET_MODELS  # noqa: E402

__all__ = ["DET_MODELS", "COMPILED_MMCV_OPS"]
