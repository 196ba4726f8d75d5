"""Ground-truth accuracy of architectures: NAS-Bench-101, a user table, or stand-alone training.

Every source answers `accuracy(arch) -> percent`.  For S4, look-ups go through the NAS-Bench-101
hash, so any encoding of an isomorphic cell finds the same value.
"""
from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Callable, Protocol, Sequence

import numpy as np
import torch

from ..errors import DatasetError
from ..spaces import NASBENCH_SPACE, Arch, get_space, parse_arch, s4_hash
from ..data.nasbench101 import NASBench101
from ..errors import ConfigError
from ..data.datasets import ImageTensorDataset
from .standalone import StandaloneRecipe, StandaloneTruth
from ..engine.setup import register_all_modules


class GroundTruth(Protocol):
    name: str

    def accuracy(self, arch: Arch) -> float:
        """Ground-truth top-1 accuracy (%) of `arch`."""


class NASBench101Truth:
    """Mean over NAS-Bench-101's 3 repeats of the final validation (or test) accuracy; S4 only."""

    def __init__(self, table: NASBench101, metric: str = "val_acc") -> None:
        if metric not in ("val_acc", "test_acc"):
            raise DatasetError(f"NAS-Bench-101 metric must be 'val_acc' or 'test_acc', got {metric!r}")
        self.table, self.metric = table, metric
        self.name = f"nasbench101:{metric}"

    def accuracy(self, arch: Arch) -> float:
        if arch.space != NASBENCH_SPACE:
            raise DatasetError(f"NAS-Bench-101 ground truth covers {NASBENCH_SPACE} only, not {arch.space}")
        return self.table.query(s4_hash(arch))[self.metric]


class TableTruth:
    """(architecture, accuracy) pairs from a CSV (columns ``arch,acc``) or JSON file."""

    def __init__(self, path: str | Path) -> None:
        path = Path(path)
        if not path.is_file():
            raise DatasetError(f"ground-truth table {path} does not exist")
        try:
            rows = self._rows(path)
        except (ValueError, KeyError, TypeError) as exc:
            raise DatasetError(f"ground-truth table {path} is malformed: {exc}") from None
        self._fill(f"table:{path.name}", rows, f"ground-truth table {path}")

    @classmethod
    def from_rows(cls, name: str, rows) -> "TableTruth":
        """A table from (architecture string, accuracy %) pairs already in memory, called `name`."""
        table = cls.__new__(cls)
        table._fill(name, list(rows), name)
        return table

    def _fill(self, name: str, rows, where: str) -> None:
        self.name = name
        self.values: dict[str, float] = {}
        named: dict[str, str] = {}
        try:
            for arch_text, acc in rows:
                arch = parse_arch(str(arch_text), widest=True)
                key, value = self._key(arch), float(acc)
                if not math.isfinite(value) or not 0.0 <= value <= 100.0:
                    raise ValueError(f"{arch_text} has accuracy {acc!r}; accuracies are percentages in [0, 100]")
                if key in self.values and self.values[key] != value:
                    raise ValueError(f"{arch_text} and {named[key]} are one network with two accuracies "
                                     f"({value} and {self.values[key]}); keep one")
                self.values[key], named[key] = value, str(arch_text)
        except (ValueError, KeyError, TypeError) as exc:
            raise DatasetError(f"{where} is malformed: {exc}") from None
        if len(self.values) >= 3 and max(self.values.values()) <= 1.0:
            raise DatasetError(f"{where} holds accuracies no larger than 1.0: fractions, not percentages; "
                               "multiply them by 100")

    @staticmethod
    def _rows(path: Path) -> list[tuple[str, float]]:
        if path.suffix.lower() == ".csv":
            with path.open(newline="") as fh:
                reader = csv.DictReader(fh)
                if not reader.fieldnames or not {"arch", "acc"} <= set(reader.fieldnames):
                    raise KeyError("a CSV table needs the columns 'arch' and 'acc'")
                return [(r["arch"], r["acc"]) for r in reader]
        data = json.loads(path.read_text())
        if isinstance(data, dict):
            return list(data.items())
        return [(r["arch"], r["acc"]) for r in data]

    @staticmethod
    def _key(arch: Arch) -> str:
        return get_space(arch.space).canonical_key(arch)

    def accuracy(self, arch: Arch) -> float:
        key = self._key(arch)
        if key not in self.values:
            raise DatasetError(f"{arch} is not in the ground-truth table {self.name}")
        return self.values[key]


def standalone_truth(supernet_cfg, recipe: StandaloneRecipe, seeds: Sequence[int], metric: str,
                     cache_dir: str | Path, device: str, log: Callable[[str], None] = print,
                     holdout: float = 0.0) -> StandaloneTruth:
    """Stand-alone truth on a supernet config's data (the one factory): trained on its train split,
    measured on its validation split (``val_acc``) and on the held-out test split (``test_acc``).

    `holdout`: a seeded fraction of the train split is left out of stand-alone training and
    measured too (``holdout_acc``): accuracy on images the supernet trained on but these networks
    did not, as NAS-Bench-101's validation accuracy is for a supernet trained on all of CIFAR-10.
    """
    from mmengine.registry import DATASETS

    register_all_modules()

    if metric not in ("val_acc", "test_acc"):
        raise ConfigError(f"ground_truth.metric must be 'val_acc' or 'test_acc', got {metric!r}")
    data = supernet_cfg.train_dataloader.dataset
    train = DATASETS.build(data)
    val_cfg = supernet_cfg.val_dataloader.dataset
    evals = {"val": DATASETS.build(val_cfg), "test": DATASETS.build(dict(val_cfg, split="test"))}
    data_id = str(data)
    if holdout:
        order = np.random.default_rng(0).permutation(len(train))
        cut = int(round(len(train) * holdout))
        if cut < 1 or cut >= len(train):
            raise ConfigError(f"ground_truth.holdout={holdout} leaves no images on one side of {len(train)}")
        held, kept = (torch.as_tensor(np.sort(part)) for part in (order[:cut], order[cut:]))
        evals["holdout"] = ImageTensorDataset(train.images[held], train.labels[held], train.metainfo["classes"])
        train = ImageTensorDataset(train.images[kept], train.labels[kept], train.metainfo["classes"])
        data_id += f" holdout={holdout}"
    truth = StandaloneTruth(supernet_cfg.model.network, supernet_cfg.model.data_preprocessor, train, evals, recipe,
                            seeds, cache_dir, device, metric, data_id=data_id, log=log)
    truth.holdout = holdout
    return truth


def load_truth(source: str, supernet_cfg, metric: str = "val_acc", recipe: StandaloneRecipe | None = None,
               seeds: Sequence[int] = (0,), cache_dir: str | Path = "work_dirs/standalone", device: str = "cpu",
               log: Callable[[str], None] = print):
    """'standalone', a NAS-Bench-101 ``.tfrecord``, or a ``.csv`` / ``.json`` table."""
    if source == "standalone":
        return standalone_truth(supernet_cfg, recipe or StandaloneRecipe(), seeds, metric, cache_dir, device, log)
    path = Path(source)
    if path.suffix == ".tfrecord":
        return NASBench101Truth(NASBench101.from_tfrecord(path), metric)
    if path.suffix.lower() in (".csv", ".json"):
        return TableTruth(path)
    raise ConfigError(f"--truth must be 'standalone', a .tfrecord, or a .csv/.json table; got {source!r}")
