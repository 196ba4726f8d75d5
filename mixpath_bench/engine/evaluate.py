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


def build_supernet(cfg: Config, checkpoint: str | None = None, device: str = "cpu") -> torch.nn.Module:
    """The config's `MixPathClassifier`, with weights from `checkpoint` if given, on `device`."""
    import mixpath_bench.data  # noqa: F401 - registers the preprocessor
    import mixpath_bench.engine.model  # noqa: F401
    import mixpath_bench.models  # noqa: F401

    model = MODELS.build(cfg.model)
    if checkpoint is not None:
        missing, unexpected = model.load_state_dict(model_state(load_checkpoint_file(checkpoint)), strict=False)
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
