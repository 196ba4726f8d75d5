"""Rebuilding a trained supernet from its checkpoint (scoring lives in `mixpath_bench.bench`)."""
from __future__ import annotations

from pathlib import Path

import torch
from mmengine.config import Config
from mmengine.registry import MODELS

from ..errors import CheckpointError, ConfigError
from .checkpoint import load_checkpoint_file, model_state, refuse_non_finite
from .record import read_record
from .setup import register_all_modules


def checkpoint_model_config(ckpt: dict, where: str = "checkpoint") -> dict | None:
    """The ``model`` build arguments recorded (as JSON data) in a checkpoint; None for older checkpoints."""
    record = read_record(ckpt, where)
    return record["model"] if record else None


def refuse_overridden_options(options: dict | None, checkpoints) -> None:
    """``--cfg-options model....`` that a checkpoint's recorded model overrides would be silently
    ignored (the network is built as recorded): refused with one line instead."""
    model_keys = {k: v for k, v in (options or {}).items() if k.startswith("model.")}
    if not model_keys:
        return
    for checkpoint in [checkpoints] if isinstance(checkpoints, (str, Path)) else list(checkpoints):
        recorded = checkpoint_model_config(load_checkpoint_file(checkpoint), str(checkpoint))
        if recorded is None:
            continue
        for key, value in model_keys.items():
            node: object = recorded
            for part in key.split(".")[1:]:
                node = node.get(part, _MISSING) if isinstance(node, dict) else _MISSING
            if node != value:
                shown = "nothing" if node is _MISSING else f"{node!r}"
                raise ConfigError(f"--cfg-options {key}={value!r} would be ignored: checkpoint {checkpoint} records "
                                  f"{shown} there and is built as recorded; drop the option")


_MISSING = object()


def build_supernet(cfg: Config, checkpoint: str | None = None, device: str = "cpu") -> torch.nn.Module:
    """A `MixPathClassifier` with weights from `checkpoint`, on `device`.

    The model is built from the build arguments recorded in the checkpoint when there are any (so
    a vanilla-BN and a Shadow-BN checkpoint each get their own network), else from `cfg.model`.
    """
    register_all_modules()
    ckpt = load_checkpoint_file(checkpoint) if checkpoint is not None else None
    model_cfg = (checkpoint_model_config(ckpt, str(checkpoint)) if ckpt is not None else None) or cfg.model
    if model_cfg is not cfg.model:
        check_same_network(model_cfg, cfg, checkpoint)
    try:
        model = MODELS.build(model_cfg)
    except (KeyError, TypeError, ValueError) as exc:
        if model_cfg is cfg.model:
            raise
        raise CheckpointError(f"checkpoint {checkpoint}: its recorded model does not build ({exc})"[:400]) from None
    if ckpt is not None:
        state = model_state(ckpt)
        refuse_non_finite(state, str(checkpoint))
        check_shapes(model, state, checkpoint)
        missing, unexpected = model.load_state_dict(state, strict=False)
        if missing or unexpected:
            raise ConfigError(f"checkpoint {checkpoint} does not fit this config's model "
                              f"({len(missing)} missing, {len(unexpected)} unexpected keys, e.g. "
                              f"{(missing or unexpected)[0]})")
    return model.to(device)


def check_same_network(recorded: dict, cfg: Config, checkpoint: str | None) -> None:
    """A checkpoint of one network type scored with another's config (its data) is refused."""
    ours = ((cfg.get("model") or {}).get("network") or {}).get("type")
    theirs = (recorded.get("network") or {}).get("type")
    if ours and theirs and ours != theirs:
        raise CheckpointError(f"checkpoint {checkpoint} holds a {theirs} but the config builds a {ours}; "
                              "pass the config it was trained with")


def check_shapes(model: torch.nn.Module, state: dict, checkpoint: str | None) -> None:
    """A weight whose shape differs from the model's (another width or space) stops with one line."""
    ours = model.state_dict()
    for key, value in state.items():
        if key in ours and isinstance(value, torch.Tensor) and value.shape != ours[key].shape:
            raise ConfigError(f"checkpoint {checkpoint} does not fit this config's model: {key} is "
                              f"{tuple(value.shape)} there but {tuple(ours[key].shape)} here; pass the config "
                              "it was trained with")
