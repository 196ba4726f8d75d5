"""Loading and checking MMEngine configs: every top-level key must be read by something."""
from __future__ import annotations

import difflib
import inspect
import os
from pathlib import Path
from typing import Iterable

from mmengine.config import Config, DictAction  # noqa: F401 - DictAction re-exported for tools
from mmengine.runner import Runner

from ..errors import ConfigError

#: Keys read by tools/train.py itself, beyond the Runner's constructor arguments.
EXTRA_KEYS = {"data_root"}
DATALOADERS = ("train_dataloader", "val_dataloader", "test_dataloader")


def runner_keys() -> set[str]:
    """Top-level config keys that MMEngine's Runner reads."""
    return set(inspect.signature(Runner.__init__).parameters) - {"self", "cfg"} | {"model_wrapper_cfg"}


def load_config(path: str | Path, options: dict | None = None, allowed: Iterable[str] | None = None) -> Config:
    """Read a python config, merge ``--cfg-options``, and reject keys that nothing reads."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file {path} does not exist")
    try:
        cfg = Config.fromfile(str(path))
    except (SyntaxError, NameError, ImportError, KeyError, TypeError) as exc:
        raise ConfigError(f"config {path} could not be read: {exc}") from None
    if options:
        cfg.merge_from_dict(options)
    check_keys(cfg, allowed or runner_keys() | EXTRA_KEYS)
    apply_data_root(cfg)
    return cfg


def check_keys(cfg: Config, allowed: Iterable[str]) -> None:
    """Raise `ConfigError` naming every top-level key that is not in `allowed`."""
    allowed = set(allowed)
    # names starting with "_" are config-local helpers (substituted when the file is read)
    unknown = sorted(k for k in cfg.keys() if k not in allowed and not k.startswith("_"))
    if unknown:
        hints = []
        for key in unknown:
            close = difflib.get_close_matches(key, allowed, n=1)
            hints.append(f"{key!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise ConfigError(f"config key(s) {', '.join(hints)} are not read by anything; remove or rename them")


def apply_data_root(cfg: Config) -> None:
    """``data_root = X`` sets every dataloader dataset's ``root`` / ``data_root`` and makes the
    evaluators' relative ``ann_file`` paths relative to X (one key moves a whole dataset)."""
    root = cfg.get("data_root")
    if root is None:
        return
    datasets = [(cfg.get(name) or {}).get("dataset", {}) for name in DATALOADERS]
    if any(datasets) and not any(key in d for d in datasets for key in ("root", "data_root")):
        kinds = ", ".join(sorted({str(d.get("type")) for d in datasets if d}))
        raise ConfigError(f"data_root = {root!r} is set but no dataset here reads a folder ({kinds} ship "
                          "their data); remove data_root or use a dataset that takes one")
    for name in DATALOADERS:
        dataset = (cfg.get(name) or {}).get("dataset", {})
        for key in ("root", "data_root"):
            if key in dataset:
                dataset[key] = root
    for name in ("val_evaluator", "test_evaluator"):
        evaluator = cfg.get(name)
        if isinstance(evaluator, dict) and evaluator.get("ann_file"):
            ann = evaluator["ann_file"]
            if not os.path.isabs(ann) and not ann.startswith(str(root)):
                evaluator["ann_file"] = os.path.join(str(root), ann)
