"""Compiled mmcv ops when a full mmcv is installed; a pure-PyTorch stand-in with mmcv-lite.

mmdet imports `mmcv.ops` at import time, which fails with mmcv-lite (no compiled extension).
`ensure_mmcv_ops()` keeps a working full mmcv untouched; otherwise it installs a stand-in
`mmcv.ops` package whose NMS, batched NMS and sigmoid focal loss are real (torchvision /
PyTorch), so RetinaNet trains and predicts on CPU and CUDA, and whose other names import fine
but raise a clear error when used.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types
from typing import Any

import torch

from ..errors import MissingDependencyError

FALLBACK_FLAG = "_mixpath_fallback"


def nms(boxes: torch.Tensor, scores: torch.Tensor, iou_threshold: float, offset: int = 0,
        score_threshold: float = 0.0, max_num: int = -1) -> tuple[torch.Tensor, torch.Tensor]:
    """mmcv-compatible NMS: (dets (k, 5) sorted by score, kept indices)."""
    import torchvision

    if offset not in (0, 1):
        raise ValueError("offset must be 0 or 1")
    idx = torch.arange(len(scores), device=scores.device)
    if score_threshold > 0:
        valid = scores > score_threshold
        boxes, scores, idx = boxes[valid], scores[valid], idx[valid]
    b = boxes.float()
    if offset:
        b = torch.cat([b[:, :2], b[:, 2:] + offset], dim=1)
    keep = torchvision.ops.nms(b, scores.float(), float(iou_threshold))
    if max_num > 0:
        keep = keep[:max_num]
    return torch.cat([boxes[keep], scores[keep, None]], dim=1), idx[keep]


def batched_nms(boxes: torch.Tensor, scores: torch.Tensor, idxs: torch.Tensor, nms_cfg: dict | None,
                class_agnostic: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """mmcv-compatible class-wise NMS (``nms_cfg=dict(type='nms', iou_threshold=...)``)."""
    if nms_cfg is None:
        scores, order = scores.sort(descending=True)
        return torch.cat([boxes[order], scores[:, None]], dim=-1), order
    cfg = dict(nms_cfg)
    class_agnostic = cfg.pop("class_agnostic", class_agnostic)
    kind = cfg.pop("type", "nms")
    if kind != "nms":
        raise MissingDependencyError(f"NMS type {kind!r} needs a full mmcv installation; use type='nms'")
    cfg.pop("split_thr", None)
    if boxes.numel() == 0:
        return torch.zeros((0, 5), dtype=boxes.dtype, device=boxes.device), torch.zeros(0, dtype=torch.long,
                                                                                         device=boxes.device)
    shifted = boxes
    if not class_agnostic:
        shifted = boxes + (idxs.to(boxes) * (boxes.max() + 1))[:, None]
    dets, keep = nms(shifted, scores, **cfg)
    return torch.cat([boxes[keep], scores[keep, None]], dim=1), keep


def sigmoid_focal_loss(pred: torch.Tensor, target: torch.Tensor, gamma: float = 2.0, alpha: float = 0.25,
                       weight: torch.Tensor | None = None, reduction: str = "mean") -> torch.Tensor:
    """mmcv's op semantics: `target` holds class indices, index == num_classes means background."""
    num_classes = pred.size(1)
    onehot = torch.nn.functional.one_hot(target.long().clamp(max=num_classes), num_classes + 1)[:, :num_classes]
    onehot = onehot.to(pred.dtype)
    prob = pred.sigmoid()
    pt = prob * onehot + (1 - prob) * (1 - onehot)
    ce = torch.nn.functional.binary_cross_entropy_with_logits(pred, onehot, reduction="none")
    loss = ce * (1 - pt).pow(gamma) * (alpha * onehot + (1 - alpha) * (1 - onehot))
    if weight is not None:
        loss = loss * weight.view(-1, 1)
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


IMPLEMENTED = {"nms": nms, "batched_nms": batched_nms, "sigmoid_focal_loss": sigmoid_focal_loss}


def _unavailable(name: str) -> type:
    """A placeholder that imports (and can be subclassed or registered) but fails clearly when used."""

    def fail(*_args: Any, **_kwargs: Any) -> None:
        raise MissingDependencyError(f"mmcv.ops.{name} needs the compiled ops of a full mmcv install "
                                     "(pip install mmcv==2.1.0 built for your torch); mmcv-lite has none")

    return type(name, (torch.nn.Module,), {"__init__": fail, "__call__": fail, "__doc__": "unavailable op"})


class _OpsModule(types.ModuleType):
    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        if name in IMPLEMENTED:
            return IMPLEMENTED[name]
        value = _unavailable(name)
        setattr(self, name, value)
        return value


class _OpsFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves `mmcv.ops` and any `mmcv.ops.<submodule>` from the stand-in."""

    def find_spec(self, fullname, path=None, target=None):  # noqa: D401 - importlib hook
        if fullname == "mmcv.ops" or fullname.startswith("mmcv.ops."):
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None

    def create_module(self, spec):
        module = _OpsModule(spec.name)
        module.__path__ = []
        setattr(module, FALLBACK_FLAG, True)
        return module

    def exec_module(self, module) -> None:
        return None


def ensure_mmcv_ops() -> bool:
    """True if the compiled mmcv ops are in use; False if the PyTorch stand-in was installed."""
    try:
        import mmcv  # noqa: F401
    except ImportError:
        raise MissingDependencyError("detection needs mmcv: pip install 'mmcv-lite==2.1.0' (or a full mmcv 2.1)") \
            from None
    if getattr(sys.modules.get("mmcv.ops"), FALLBACK_FLAG, False):
        return False
    try:
        importlib.import_module("mmcv.ops")
        return True
    except (ImportError, OSError):
        for name in [n for n in sys.modules if n == "mmcv.ops" or n.startswith("mmcv.ops.")]:
            del sys.modules[name]
        sys.meta_path.insert(0, _OpsFinder())
        importlib.import_module("mmcv.ops")
        return False
