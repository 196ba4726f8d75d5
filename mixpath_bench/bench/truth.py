"""Ground-truth accuracy of architectures: a registry of sources, each one entry.

A source string (a config's ``ground_truth.source``, a tool's ``--truth``) names one entry of
`TRUTH_SOURCES` (`truth_source`): ``standalone`` (networks trained from scratch on the supernet
config's data), a NAS-Bench-101 ``.tfrecord``, or a ``.csv`` / ``.json`` table.  An entry owns what
only it knows: which strings name it, its default metric, which settings mean something for it
(`check`), whether its content is a file the experiment's key must hash, and how it opens
(`open_truth`: loaded once).  An opened source answers `accuracy(arch) -> percent`, lists the
training runs it still needs (`pending`: jobs for the experiment's executor) and measures a list of
architectures into a typed `TruthTable` that every stage and tool reads.  For S4, look-ups go
through the NAS-Bench-101 hash, so any encoding of an isomorphic cell finds the same value.

Adding a source is one `register_truth_source(TruthSource(...))` (plus its test).
"""
from __future__ import annotations

import csv
import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Protocol, Sequence

import numpy as np

from ..data.nasbench101 import NASBench101
from ..errors import ConfigError, DatasetError
from ..spaces import NASBENCH_SPACE, Arch, get_space, parse_arch, s4_hash
from .standalone import StandaloneData, StandaloneRecipe, StandaloneTruth

METRICS = ("val_acc", "test_acc")


@dataclass(frozen=True)
class TruthRequest:
    """What a source is opened with.  `supernet_cfg`: the supernet config (its data and network; sources
    that train need it).  Training sources also read `recipe`, `seeds`, `holdout` (a seeded fraction of
    the supernet's training split left out of stand-alone training and measured), `cache_dir`, `device`."""

    supernet_cfg: Any = None
    metric: str | None = None  # None: the source's default
    seeds: tuple[int, ...] = (0,)
    recipe: StandaloneRecipe = StandaloneRecipe()
    holdout: float = 0.0
    cache_dir: str = "work_dirs/standalone"
    device: str = "cpu"
    log: Callable[[str], None] = field(default=print, compare=False)


@dataclass(frozen=True)
class TruthTable:
    """The ground truth of a list of architectures, as every stage and tool reads it.

    `per_seed`: archs x seeds accuracies (%) (one column for a table source); `training_images`: the
    same on images the supernet trained on, where the source has them (with its description)."""

    archs: tuple[str, ...]
    per_seed: tuple[tuple[float, ...], ...]
    metric: str
    seeds: tuple[int, ...]
    description: str
    train_seconds: float = 0.0
    training_images: tuple[tuple[float, ...], ...] | None = None
    training_description: str = ""

    @property
    def acc(self) -> list[float]:
        """Mean over seeds per architecture (%)."""
        return np.asarray(self.per_seed, dtype=float).mean(1).tolist()

    def to_json(self, source: str, noise: dict) -> dict:
        """truth.json's content (with the seed-noise summary `noise`)."""
        out = {"source": source, "description": self.description, "metric": self.metric, "seeds": list(self.seeds),
               "archs": list(self.archs), "per_seed": [list(r) for r in self.per_seed], "acc": self.acc,
               "train_seconds": self.train_seconds, "noise": noise}
        if self.training_images is not None:
            out["training_images"] = {"per_seed": [list(r) for r in self.training_images],
                                      "description": self.training_description}
        return out

    @classmethod
    def from_json(cls, data: dict) -> "TruthTable":
        """The table of a truth.json's content."""
        training = data.get("training_images")
        return cls(tuple(data["archs"]), tuple(tuple(r) for r in data["per_seed"]), data["metric"],
                   tuple(data["seeds"]), data["description"], float(data.get("train_seconds", 0.0)),
                   None if training is None else tuple(tuple(r) for r in training["per_seed"]),
                   "" if training is None else training["description"])


@dataclass(frozen=True)
class TrainingRun:
    """One training a source still needs: ``fn(*args)`` writes `output` (a job for an executor) and
    returns a dict with the source's `metric` (%) and ``seconds``."""

    name: str
    fn: Callable[..., Any]
    args: tuple
    output: str
    gpus: int = 0
    shown_args: tuple = ()


class GroundTruth(Protocol):
    name: str
    metric: str  # 'val_acc' or 'test_acc': what `accuracy` answers and what a training run's result holds

    def accuracy(self, arch: Arch) -> float:
        """Ground-truth top-1 accuracy (%) of `arch`."""

    def pending(self, archs: Sequence[Arch]) -> list[TrainingRun]:
        """The trainings still missing before `measure(archs)` is a look-up (none for a table)."""

    def measure(self, archs: Sequence[Arch]) -> TruthTable:
        """The ground truth of `archs`."""


# -- a table of (architecture, accuracy) ---------------------------------------------------------------
class TableTruth:
    """(architecture, accuracy) pairs from a CSV (columns ``arch,acc``) or JSON file."""

    def __init__(self, path: str | Path, metric: str = "val_acc") -> None:
        path, self.metric = Path(path), metric
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
        table.metric = "val_acc"
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

    def pending(self, archs: Sequence[Arch]) -> list[TrainingRun]:
        return []

    def measure(self, archs: Sequence[Arch]) -> TruthTable:
        return TruthTable(tuple(a.to_string() for a in archs), tuple((float(self.accuracy(a)),) for a in archs),
                          self.metric, (), self.name)


# -- NAS-Bench-101 --------------------------------------------------------------------------------------
class NASBench101Truth:
    """Mean over NAS-Bench-101's 3 repeats of the final validation (or test) accuracy; S4 only."""

    def __init__(self, table: NASBench101, metric: str = "val_acc") -> None:
        if metric not in METRICS:
            raise DatasetError(f"NAS-Bench-101 metric must be 'val_acc' or 'test_acc', got {metric!r}")
        self.table, self.metric = table, metric
        self.name = f"nasbench101:{metric}"

    def accuracy(self, arch: Arch, metric: str | None = None) -> float:
        if arch.space != NASBENCH_SPACE:
            raise DatasetError(f"NAS-Bench-101 ground truth covers {NASBENCH_SPACE} only, not {arch.space}")
        return self.table.query(s4_hash(arch))[metric or self.metric]

    def pending(self, archs: Sequence[Arch]) -> list[TrainingRun]:
        return []

    def measure(self, archs: Sequence[Arch]) -> TruthTable:
        """`metric` per architecture, and its validation accuracy as the truth on training images (the
        validation images, data_batch_5, are inside the supernet's CIFAR-10 training images)."""
        return TruthTable(tuple(a.to_string() for a in archs), tuple((float(self.accuracy(a)),) for a in archs),
                          self.metric, (), f"{self.name} (mean of its repeats)",
                          training_images=tuple((float(self.accuracy(a, "val_acc")),) for a in archs),
                          training_description="NAS-Bench-101 validation accuracy (CIFAR-10 data_batch_5, inside "
                                               "the supernet's training images), mean of the repeats")


# -- stand-alone training ---------------------------------------------------------------------------------
def standalone_data(supernet_cfg, holdout: float = 0.0) -> StandaloneData:
    """The supernet config's data for stand-alone truth: trained on its train split, measured on its
    validation split (``val_acc``) and on the held-out test split (``test_acc``).

    `holdout`: a seeded fraction of the train split is left out of stand-alone training and
    measured too (``holdout_acc``): accuracy on images the supernet trained on but these networks
    did not, as NAS-Bench-101's validation accuracy is for a supernet trained on all of CIFAR-10.
    """
    import torch
    from mmengine.registry import DATASETS

    from ..data.datasets import ImageTensorDataset
    from ..engine.setup import register_all_modules

    register_all_modules()
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
    return StandaloneData(supernet_cfg.model.network, supernet_cfg.model.data_preprocessor, train, evals, data_id,
                          holdout)


class TrainedTruth(StandaloneTruth):
    """Stand-alone truth as a ground-truth source: its runs as jobs, its measured table."""

    def __init__(self, request: TruthRequest, metric: str) -> None:
        if request.supernet_cfg is None:
            raise ConfigError("stand-alone ground truth needs the supernet config whose data to train on")
        super().__init__(standalone_data(request.supernet_cfg, request.holdout), request.recipe,
                         [int(s) for s in request.seeds], metric, request.cache_dir, request.device, request.log)
        # plain, picklable data a worker rebuilds this source from (`train_one`)
        self.job_request = {"supernet": request.supernet_cfg.to_dict(), "recipe": asdict(request.recipe),
                            "seeds": list(self.seeds), "metric": metric, "holdout": request.holdout,
                            "cache_dir": str(request.cache_dir), "device": request.device}

    def pending(self, archs: Sequence[Arch]) -> list[TrainingRun]:
        gpus = 1 if self.device.startswith("cuda") else 0
        return [TrainingRun(f"{a} seed {s}", train_one, (self.job_request, a.to_string(), s), str(self.path(a, s)),
                            gpus, (a.to_string(), s)) for a in archs for s in self.seeds if not self.cached(a, s)]

    def measure(self, archs: Sequence[Arch]) -> TruthTable:
        runs = [self.results(a) for a in archs]
        metric, recipe, held = self.metric, self.recipe, self.holdout
        return TruthTable(
            tuple(a.to_string() for a in archs), tuple(tuple(r[metric] for r in rs) for rs in runs), metric, self.seeds,
            f"stand-alone training, {recipe.epochs} epochs, seeds {list(self.seeds)}, {metric} "
            f"({'held-out test split' if metric == 'test_acc' else 'validation split'})",
            float(sum(r["seconds"] for rs in runs for r in rs)),
            tuple(tuple(r["holdout_acc"] for r in rs) for rs in runs) if held else None,
            f"stand-alone accuracy on {held:.0%} of the supernet's training split, held out of stand-alone training"
            if held else "")


#: per worker process: the stand-alone truth of the last request (its datasets loaded once, not per job)
_WORKER_TRUTH: dict[str, TrainedTruth] = {}


def train_one(job_request: dict, arch: str, seed: int) -> dict:
    """One stand-alone run (a job): trained and cached unless its result is already cached.
    `job_request`: `TrainedTruth.job_request` (plain data)."""
    from mmengine.config import Config

    key = repr(job_request)
    if key not in _WORKER_TRUTH:
        _WORKER_TRUTH.clear()
        r = job_request
        request = TruthRequest(Config(r["supernet"]), r["metric"], tuple(r["seeds"]), StandaloneRecipe(**r["recipe"]),
                               r["holdout"], r["cache_dir"], r["device"], log=lambda _: None)
        _WORKER_TRUTH[key] = TrainedTruth(request, r["metric"])
    return _WORKER_TRUTH[key].result(parse_arch(arch), seed)


# -- the registry --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TruthSource:
    """One kind of ground truth.  `accepts(source)`: does a source string name it; `open(source, request,
    metric)`: the loaded source; `trains`: it measures by training (recipe, seeds and holdout mean
    something); `reads_file`: the source string is a file whose content the experiment's key hashes."""

    name: str
    accepts: Callable[[str], bool]
    open: Callable[[str, TruthRequest, str], GroundTruth]
    default_metric: str = "val_acc"
    trains: bool = False
    reads_file: bool = True
    describe: str = ""  # how a user names it, for errors

    def check(self, holdout: float = 0.0) -> None:
        """Refuse settings that would do nothing for this source (ValueError, one line)."""
        if holdout and not self.trains:
            raise ValueError(f"holdout={holdout} applies to stand-alone training only; {self.name} ground truth "
                             "has its own split (NAS-Bench-101: its validation accuracy is the truth on training "
                             "images); remove holdout")


#: name -> source, in registration order (`register_truth_source`)
TRUTH_SOURCES: dict[str, TruthSource] = {}


def register_truth_source(source: TruthSource) -> TruthSource:
    """Add a ground-truth source to the registry (names are unique)."""
    if source.name in TRUTH_SOURCES:
        raise ValueError(f"ground-truth source {source.name} is registered already")
    TRUTH_SOURCES[source.name] = source
    return source


def truth_source(source: str) -> TruthSource:
    """The registered entry a source string names; one line listing the choices otherwise."""
    for entry in TRUTH_SOURCES.values():
        if entry.accepts(str(source)):
            return entry
    raise ConfigError(f"ground truth {source!r} is none of: "
                      + "; ".join(e.describe or e.name for e in TRUTH_SOURCES.values()))


def open_truth(source: str, request: TruthRequest) -> GroundTruth:
    """The ground-truth source `source` names, opened (loaded) once for `request`."""
    entry = truth_source(source)
    metric = request.metric or entry.default_metric
    if metric not in METRICS:
        raise ConfigError(f"ground-truth metric must be 'val_acc' or 'test_acc', got {metric!r}")
    try:
        entry.check(request.holdout)
    except ValueError as exc:
        raise ConfigError(f"ground truth {source}: {exc}") from None
    return entry.open(str(source), request, metric)


def _suffix(*suffixes: str) -> Callable[[str], bool]:
    return lambda source: Path(source).suffix.lower() in suffixes


register_truth_source(TruthSource(
    "standalone", lambda s: s == "standalone", lambda s, request, metric: TrainedTruth(request, metric),
    default_metric="test_acc", trains=True, reads_file=False, describe="'standalone' (trained here)"))
register_truth_source(TruthSource(
    "nasbench101", _suffix(".tfrecord"),
    lambda s, request, metric: NASBench101Truth(NASBench101.from_tfrecord(s), metric),
    describe="a NAS-Bench-101 .tfrecord"))
register_truth_source(TruthSource(
    "table", _suffix(".csv", ".json"), lambda s, request, metric: TableTruth(s, metric),
    describe="a .csv/.json table (arch, acc)"))

