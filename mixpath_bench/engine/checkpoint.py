"""Checkpoint loading policy: nothing in a checkpoint runs as code unless the user says so.

* Every checkpoint is loaded with ``torch.load(weights_only=True)``: tensors, numbers, strings and
  containers only.  Our training runs write checkpoints that load this way (`plain_checkpoint`
  turns MMEngine's `HistoryBuffer` objects into tensors; `load_checkpoint_file` turns them back).
* Full unpickling (which can run code) happens only for a file the user vouches for:
  ``--trust-checkpoint`` on the tools, i.e. `trusting([path])` or ``trust=True`` here.
* A config stored in a checkpoint is never executed: MMEngine's resume would run ``meta.config``,
  so it is dropped on load; models are rebuilt from plain JSON data (`mixpath_bench.engine.record`).
* URLs are refused (MMEngine's URL loaders unpickle downloads in full); published weights come
  from the model zoo as sha256-checked safetensors (``zoo://NAME``).
"""
from __future__ import annotations

import os
import pickle
import struct
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Iterable, Iterator

import numpy as np
import torch

from ..errors import CheckpointError

HISTORY_TAG = "__mixpath_history_buffer__"
#: MMEngine's loaders that fetch a file and unpickle it in full (``(\S+\:)?`` as MMEngine spells them).
REMOTE_SCHEMES = ("http://", "https://", "torchvision://", "modelzoo://", "open-mmlab://", "openmmlab://",
                  "mmcls://", "pavi://", r"(\S+\:)?s3://", r"(\S+\:)?petrel://")

# Paths the user vouched for with --trust-checkpoint, for the duration of one `with trusting(...)`.
_TRUSTED: ContextVar[frozenset[str]] = ContextVar("mixpath_trusted_checkpoints", default=frozenset())


@contextmanager
def trusting(paths: Iterable[str | Path]) -> Iterator[None]:
    """Within the block, `load_checkpoint_file` unpickles these files in full (``--trust-checkpoint``)."""
    token = _TRUSTED.set(_TRUSTED.get() | {str(Path(p).expanduser().resolve()) for p in paths})
    try:
        yield
    finally:
        _TRUSTED.reset(token)


def load_checkpoint_file(path: str | Path, map_location: str | None = "cpu", trust: bool | None = None) -> dict:
    """Load a checkpoint with ``weights_only=True`` (in full only if trusted, see module doc)."""
    path = Path(os.path.expanduser(str(path)))
    if not path.is_file():
        raise CheckpointError(f"checkpoint {path} does not exist")
    if trust is None:
        trust = str(path.resolve()) in _TRUSTED.get()
    try:
        ckpt = torch.load(path, map_location=map_location, weights_only=not trust)
    except pickle.UnpicklingError as exc:
        if "global" not in str(exc).lower():  # not a refused type: the bytes are broken
            raise CheckpointError(f"checkpoint {path} is corrupt or not a PyTorch checkpoint") from None
        raise CheckpointError(
            f"checkpoint {path} holds pickled Python objects, which can run code when loaded, so it is not "
            "unpickled; if you trust whoever made it pass --trust-checkpoint, or convert it to plain weights "
            "with tools/publish_model.py --trust-checkpoint") from None
    except (RuntimeError, EOFError, OSError, ValueError, KeyError, IndexError, TypeError, AttributeError,
            struct.error, UnicodeDecodeError) as exc:  # what the unpickler raises on bytes that are no checkpoint
        raise CheckpointError(f"checkpoint {path} is corrupt or not a PyTorch checkpoint ({exc!r})"[:400]) from None
    if not isinstance(ckpt, dict):
        raise CheckpointError(f"checkpoint {path} is not a state dict or an MMEngine checkpoint")
    if isinstance(ckpt.get("meta"), dict):
        ckpt["meta"].pop("config", None)  # MMEngine's resume would execute it as Python
    if isinstance(ckpt.get("message_hub"), dict):
        ckpt["message_hub"] = _restore_history(ckpt["message_hub"])
    return ckpt


def plain_checkpoint(ckpt: dict) -> None:
    """Make an MMEngine checkpoint dict loadable with ``weights_only=True`` (in place, before saving).

    `HistoryBuffer` objects become tagged dicts of tensors, numpy arrays tensors, numpy scalars
    Python numbers; `load_checkpoint_file` restores the buffers, so resuming sees what it saved.
    """
    for key in ("meta", "message_hub", "param_schedulers"):
        if key in ckpt:
            ckpt[key] = _to_plain(ckpt[key])


def _to_plain(obj: Any) -> Any:
    from mmengine.logging import HistoryBuffer

    if isinstance(obj, HistoryBuffer):
        log, count = obj.data
        return {HISTORY_TAG: True, "log": _array(log), "count": _array(count), "max_length": obj.max_length}
    if isinstance(obj, np.ndarray):
        return _array(obj)
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, dict):
        return {k: _to_plain(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_to_plain(v) for v in obj]
    if isinstance(obj, tuple):  # named tuples too: weights_only loads plain tuples only
        return tuple(_to_plain(v) for v in obj)
    return obj


def _array(a: np.ndarray) -> torch.Tensor | list:
    a = np.asarray(a)
    return torch.from_numpy(np.ascontiguousarray(a)) if a.dtype.kind in "biuf" else a.tolist()


def _restore_history(obj: Any) -> Any:
    if isinstance(obj, dict):
        if obj.get(HISTORY_TAG) is True:
            from mmengine.logging import HistoryBuffer

            try:
                log, count = (np.atleast_1d(v.numpy() if isinstance(v, torch.Tensor) else np.asarray(v))
                              for v in (obj["log"], obj["count"]))
                if log.shape != count.shape:
                    raise ValueError("log and count lengths differ")
                return HistoryBuffer(log, count, int(obj.get("max_length", 1000000)))
            except (KeyError, TypeError, ValueError) as exc:
                raise CheckpointError(f"checkpoint's training log is damaged ({exc})") from None
        return {k: _restore_history(v) for k, v in obj.items()}
    return obj


def refuse_non_finite(state: dict, where: str) -> None:
    """A state dict with NaN or infinite weights stops with one line (it would score near chance, silently).

    One fused norm per tensor screens them all (15 ms for the 129 MB S1 supernet on a busy 2-core CPU,
    where a per-tensor ``isfinite`` took 4.6 s); only a tensor whose norm is not finite is looked at
    element by element (a finite but huge weight overflows the norm and is let through).
    """
    floats = [(k, v) for k, v in state.items() if isinstance(v, torch.Tensor) and v.is_floating_point() and v.numel()]
    if not floats:
        return
    norms = torch._foreach_norm([v for _, v in floats])
    suspects = torch.nonzero(~torch.isfinite(torch.stack([n.float().cpu() for n in norms]))).flatten().tolist()
    for i in suspects:
        key, value = floats[i]
        bad = int((~torch.isfinite(value)).sum())
        if bad:
            raise CheckpointError(f"checkpoint {where}: weight {key} holds {bad} NaN or infinite value(s) "
                                  "(a diverged or damaged run); use an earlier checkpoint")


def model_state(ckpt: dict) -> dict:
    """The model weights of an MMEngine checkpoint or a bare state dict."""
    return ckpt.get("state_dict", ckpt)


def is_remote(path: Any) -> bool:
    """True for a URL-like checkpoint name other than the model zoo's ``zoo://``."""
    return isinstance(path, str) and "://" in path and not path.startswith("zoo://")


def refuse_remote(filename: str, map_location: str | None = None, **_kwargs) -> dict:
    """MMEngine loader for URLs: refuse (its own loaders would unpickle the download in full)."""
    raise CheckpointError(f"checkpoint {filename}: URLs are not loaded (a downloaded checkpoint would be "
                          "unpickled, which can run code); download and check it, then name the local file, "
                          "or use a model-zoo entry (zoo://NAME)")


def install_mmengine_loader(trust: bool = False) -> None:
    """Make MMEngine's checkpoint loading (resume, load_from, init_cfg) follow this policy.

    With `trust` (``tools/train.py --trust-checkpoint``) the local files it loads are unpickled in full.
    """
    from mmengine.runner.checkpoint import CheckpointLoader

    def load_local(filename: str, map_location: str | None = None) -> dict:
        return load_checkpoint_file(filename, map_location, trust=True if trust else None)

    CheckpointLoader.register_scheme(prefixes="", loader=load_local, force=True)
    known = set(getattr(CheckpointLoader, "_schemes", {})) - {"", "zoo://"}
    for prefix in sorted(known | set(REMOTE_SCHEMES)):
        CheckpointLoader.register_scheme(prefixes=prefix, loader=refuse_remote, force=True)


def train_seconds(ckpt: dict) -> float | None:
    """Training wall time recorded by `TrainTimeHook` in an MMEngine checkpoint, if any."""
    hub = ckpt.get("message_hub") if isinstance(ckpt, dict) else None
    info = hub.get("runtime_info", {}) if isinstance(hub, dict) else {}
    value = info.get("train_seconds")
    return float(value) if value is not None else None
