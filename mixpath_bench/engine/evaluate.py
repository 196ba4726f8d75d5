"""Rebuilding a trained supernet from its checkpoint (scoring lives in `mixpath_bench.bench`)."""
from __future__ import annotations

import torch
from mmengine.config import Config
from mmengine.registry import MODELS

from ..errors import ConfigError
from .checkpoint import load_checkpoint_file, model_state


def checkpoint_model_config(ckpt: dict) -> dict | None:
    """The ``model`` section of the config an MMEngine checkpoint was trained with, if recorded."""
    text = ckpt.get("meta", {}).get("cfg") if isinstance(ckpt.get("meta"), dict) else None
    if not text:
        return None
    try:
        return Config.fromstring(text, ".py").get("model")
    except Exception:  # noqa: BLE001 - an unreadable record: fall back to the given config
        return None


def build_supernet(cfg: Config, checkpoint: str | None = None, device: str = "cpu") -> torch.nn.Module:
    """A `MixPathClassifier` with weights from `checkpoint`, on `device`.

    The model is built from the config recorded inside the checkpoint when there is one (so a
    vanilla-BN and a Shadow-BN checkpoint each get their own network), else from `cfg.model`.
    """
    import mixpath_bench.data  # noqa: F401 - registers the preprocessor
    import mixpath_bench.engine.model  # noqa: F401
    import mixpath_bench.models  # noqa: F401

    ckpt = load_checkpoint_file(checkpoint) if checkpoint is not None else None
    model_cfg = (checkpoint_model_config(ckpt) if ckpt is not None else None) or cfg.model
    model = MODELS.build(model_cfg)
    if ckpt is not None:
        missing, unexpected = model.load_state_dict(model_state(ckpt), strict=False)
        if missing or unexpected:
            raise ConfigError(f"checkpoint {checkpoint} does not fit this config's model "
                              f"({len(missing)} missing, {len(unexpected)} unexpected keys, e.g. "
                              f"{(missing or unexpected)[0]})")
    return model.to(device)
