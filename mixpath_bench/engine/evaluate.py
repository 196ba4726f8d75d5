"""Scoring architectures with a trained supernet's shared weights."""
from __future__ import annotations

from typing import Iterable

import torch
from mmengine.config import Config
from mmengine.registry import MODELS
from mmengine.runner import Runner

from ..errors import ConfigError
from ..spaces import Arch
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


def build_loader(cfg: Config, name: str = "val_dataloader") -> torch.utils.data.DataLoader:
    """A dataloader from the config's `name` section."""
    import mixpath_bench.data  # noqa: F401 - registers the datasets

    if cfg.get(name) is None:
        raise ConfigError(f"config has no {name}")
    return Runner.build_dataloader(cfg.get(name))


@torch.no_grad()
def top1(model: torch.nn.Module, loader: Iterable, arch: Arch) -> float:
    """Top-1 accuracy (%) of `arch` in eval mode (BN running statistics) over `loader`."""
    model.eval()
    correct = total = 0
    for batch in loader:
        data = model.data_preprocessor(batch, False)
        logits = model(data["inputs"], mode="tensor", arch=arch)
        correct += (logits.argmax(1) == data["data_samples"]).sum().item()
        total += len(data["data_samples"])
    return 100.0 * correct / max(total, 1)
