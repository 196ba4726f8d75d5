"""Checkpoint loading policy.

* A work dir that this toolkit's runner created holds a marker file; checkpoints in such a
  directory were written by our own training runs and are loaded in full (MMEngine stores
  `HistoryBuffer` objects with bound methods, which ``weights_only=True`` rejects since torch 2.6).
* Every other file is loaded with ``weights_only=True``: plain state dicts load, anything that
  would need unpickling of arbitrary objects is refused with a clear error.
* Downloaded weights are never unpickled: safetensors (see `mixpath_bench.zoo`).
"""
from __future__ import annotations

import os
import pickle
from pathlib import Path

import torch

from ..errors import CheckpointError

MARKER = ".mixpath-work-dir"


def mark_work_dir(work_dir: str | Path) -> None:
    """Record that checkpoints in `work_dir` are written by this toolkit's own runs."""
    path = Path(work_dir)
    path.mkdir(parents=True, exist_ok=True)
    (path / MARKER).write_text("checkpoints in this folder were written by mixpath-bench training runs\n")


def is_own_checkpoint(path: str | Path) -> bool:
    """True if `path` lies directly in a work dir marked by `mark_work_dir`."""
    return (Path(path).resolve().parent / MARKER).is_file()


def load_checkpoint_file(path: str | Path, map_location: str | None = "cpu") -> dict:
    """Load a checkpoint: in full if our own (see module doc), else ``weights_only=True``."""
    path = Path(os.path.expanduser(str(path)))
    if not path.is_file():
        raise CheckpointError(f"checkpoint {path} does not exist")
    own = is_own_checkpoint(path)
    try:
        ckpt = torch.load(path, map_location=map_location, weights_only=not own)
    except pickle.UnpicklingError as exc:
        if "global" not in str(exc).lower():  # not a refused type: the bytes are broken
            raise CheckpointError(f"checkpoint {path} is corrupt or not a PyTorch checkpoint") from None
        raise CheckpointError(
            f"checkpoint {path} holds pickled objects and is not in a mixpath-bench work dir, so it is not "
            "unpickled; load it from its run's work dir, or strip it with tools/publish_model.py") from None
    except (RuntimeError, EOFError, OSError, ValueError) as exc:
        raise CheckpointError(f"checkpoint {path} is corrupt or not a PyTorch checkpoint ({exc})"[:400]) from None
    if not isinstance(ckpt, dict):
        raise CheckpointError(f"checkpoint {path} is not a state dict or an MMEngine checkpoint")
    return ckpt


def model_state(ckpt: dict) -> dict:
    """The model weights of an MMEngine checkpoint or a bare state dict."""
    return ckpt.get("state_dict", ckpt)


def install_mmengine_loader() -> None:
    """Make MMEngine's local-file checkpoint loading (resume, load_from) follow this policy."""
    from mmengine.runner.checkpoint import CheckpointLoader

    CheckpointLoader.register_scheme(prefixes="", loader=load_checkpoint_file, force=True)


def train_seconds(ckpt: dict) -> float | None:
    """Training wall time recorded by `TrainTimeHook` in an MMEngine checkpoint, if any."""
    hub = ckpt.get("message_hub") if isinstance(ckpt, dict) else None
    info = hub.get("runtime_info", {}) if isinstance(hub, dict) else {}
    value = info.get("train_seconds")
    return float(value) if value is not None else None
