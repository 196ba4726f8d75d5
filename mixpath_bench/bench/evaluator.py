"""`SupernetEvaluator`: score architectures with shared weights (accuracy, multiply-adds, params).

Accuracy is top-1 on the validation split (held out of the training set), optionally after BN
calibration on a fixed set of training batches (the same batches for every architecture, so
scores are deterministic).  Results are cached by network (`SearchSpace.canonical_key`): every
encoding of one network is scored once, on the space's canonical encoding (S4: active ops sorted
and packed left), so the score does not depend on which encoding asked first.
"""
from __future__ import annotations

import contextlib
import time
from dataclasses import asdict, dataclass
from typing import Iterable, Sequence

import torch

from ..errors import ConfigError
from ..spaces import Arch
from ..engine.calibrate import calibrate_bn
from ..engine.setup import register_all_modules


@dataclass(frozen=True)
class Score:
    """What one architecture scored; accuracies in percent."""

    arch: str
    acc: float
    acc_uncalibrated: float | None
    madds: int
    params: int
    seconds: float = 0.0  # wall time of this evaluation (calibration + validation + counting)

    def to_json(self) -> dict:
        return asdict(self)


class SupernetEvaluator:
    """Scores architectures of a trained `MixPathClassifier`.

    Args:
        model: the classifier (with its data preprocessor) on its device.
        calib_batches: raw training batches (dicts from a dataloader) used for BN calibration;
            empty disables calibration.
        val_batches: raw validation batches.
        input_size: (C, H, W) for counting multiply-adds of the stand-alone network.
        with_uncalibrated: also report the accuracy before calibration.
        amp: calibrate and validate under bf16 autocast (CUDA; BN statistics stay fp32).
        channels_last: weights and preprocessed batches in channels-last memory format.
        count_costs: count multiply-adds and parameters of every scored network (else both are 0:
            for scorings that need accuracies only).
        per_encoding: score each encoding as given and cache by encoding (the reference protocol's
            per-choice scores: an encoding uses the weights of its own node positions) instead of
            once per network on its canonical encoding.
        momentum_calibration: calibrate as the reference code does (momentum updates of the trained
            statistics, no reset) instead of an exact average.
    """

    def __init__(self, model: torch.nn.Module, calib_batches: Sequence[dict], val_batches: Sequence[dict],
                 input_size: tuple[int, int, int], with_uncalibrated: bool = False, amp: bool = False,
                 channels_last: bool = False, count_costs: bool = True, per_encoding: bool = False,
                 momentum_calibration: bool = False) -> None:
        self.model = model
        self.per_encoding, self.momentum_calibration = per_encoding, momentum_calibration
        self.space = model.space
        self.input_size = tuple(input_size)
        self.with_uncalibrated = with_uncalibrated
        self.count_costs = count_costs
        self.device = next(model.parameters()).device
        if amp and self.device.type != "cuda":
            raise ConfigError("evaluation with amp=True needs the model on a CUDA GPU")
        self.amp = amp
        pre = model.data_preprocessor
        if channels_last:
            model.to(memory_format=torch.channels_last)
            pre.channels_last = True
        self.calib = [pre(b, False)["inputs"] for b in calib_batches]
        # in-memory batches are preprocessed once; a DataLoader (e.g. ImageNet) is streamed each time
        self.val_source = val_batches
        self.val = [(d["inputs"], d["data_samples"]) for d in (pre(b, False) for b in val_batches)] \
            if isinstance(val_batches, list) else None
        self.cache: dict[str, Score] = {}  # by network key
        self._costs: dict[str, dict[str, int]] = {}
        self.evaluated = 0
        self.seconds = 0.0

    def _autocast(self):
        return torch.autocast("cuda", dtype=torch.bfloat16) if self.amp else contextlib.nullcontext()

    @torch.no_grad()
    def _top1(self, arch: Arch) -> float:
        self.model.eval()
        correct = torch.zeros((), dtype=torch.long, device=self.device)  # summed on the device: one sync
        total = 0
        pre = self.model.data_preprocessor
        batches = self.val if self.val is not None else (
            (d["inputs"], d["data_samples"]) for d in (pre(b, False) for b in self.val_source))
        with self._autocast():
            for x, y in batches:
                correct += (self.model(x, mode="tensor", arch=arch).argmax(1) == y).sum()
                total += len(y)
        return 100.0 * correct.item() / max(total, 1)

    def complexity(self, arch: Arch) -> dict[str, int]:
        """Multiply-adds and parameters of `arch`'s stand-alone network (cached; no accuracy).

        Encodings of one network (S4: one NAS-Bench-101 hash) export the same network: counted once.
        """
        key = self.space.canonical_key(arch)
        if key not in self._costs:
            from .complexity import arch_complexity  # fvcore is imported only when counting

            madds, params = arch_complexity(self.model.network, arch, self.input_size)
            self._costs[key] = {"madds": madds, "params": params}
        return self._costs[key]

    def score(self, arch: Arch) -> Score:
        """Score the network `arch` computes (cached by network; evaluated on its canonical encoding;
        with `per_encoding`, cached by and evaluated on the encoding itself)."""
        arch = self.space.validate(arch)
        key = arch.to_string() if self.per_encoding else self.space.canonical_key(arch)
        if key in self.cache:
            return self.cache[key]
        if not self.per_encoding:
            arch = self.space.canonical(arch)
        start = time.perf_counter()
        state = None
        raw = None
        if self.with_uncalibrated or not self.calib:
            raw = self._top1(arch)
        if self.calib:
            # calibration overwrites shared BN statistics: keep them so other scores are unaffected
            state = {k: v.clone() for k, v in self.model.state_dict().items() if "running_" in k or "num_batches" in k}
            with self._autocast():
                calibrate_bn(self.model.network, self.calib, arch, momentum=self.momentum_calibration)
            acc = self._top1(arch)
            self.model.load_state_dict(state, strict=False)
        else:
            acc = raw
        cost = self.complexity(arch) if self.count_costs else {"madds": 0, "params": 0}
        seconds = time.perf_counter() - start
        result = Score(arch.to_string(), acc, raw if self.calib else None, cost["madds"], cost["params"], seconds)
        self.cache[key] = result
        self.evaluated += 1
        self.seconds += seconds
        return result

    def __call__(self, archs: Iterable[Arch]) -> list[dict]:
        """Score many architectures; returns JSON-ready dicts (the search code's protocol)."""
        return [self.score(a).to_json() for a in archs]



def dataset_batches(dataset, batch_size: int, limit: int | None = None, seed: int | None = None) -> list[dict]:
    """Fixed batches of an in-memory dataset: all of it in order, or `limit` batches of a seeded shuffle."""
    import numpy as np

    n = len(dataset)
    order = np.arange(n) if seed is None else np.random.default_rng(seed).permutation(n)
    if limit is not None:
        order = order[: limit * batch_size]
    out = []
    for i in range(0, len(order), batch_size):
        idx = torch.as_tensor(order[i:i + batch_size])
        if hasattr(dataset, "images"):
            out.append({"inputs": dataset.images[idx], "data_samples": dataset.labels[idx]})
        else:
            items = [dataset[int(j)] for j in idx]
            out.append({"inputs": torch.stack([it["inputs"] for it in items]),
                        "data_samples": torch.stack([torch.as_tensor(it["data_samples"]) for it in items])})
    return out


@dataclass(frozen=True)
class EvaluatorSettings:
    """How a `SupernetEvaluator` scores: BN calibration on `calib_batches` fixed training batches of
    `calib_batch_size`, accuracy on the validation split in batches of `val_batch_size`; `input_size`
    (C, H, W) for multiply-adds (default: the validation images'); `with_uncalibrated`: accuracy before
    calibration too; `amp` / `channels_last`: bf16 autocast and channels-last memory (CUDA);
    `count_costs`: multiply-adds and parameters per network; `per_encoding`: each encoding scored as
    given.  ``split='test'``: the reference code's protocol (momentum updates over the test split in
    batches of `reference_batch_size`, accuracy on it); only for studying that protocol."""

    calib_batches: int = 8
    calib_batch_size: int = 256
    val_batch_size: int = 500
    input_size: tuple[int, int, int] | None = None
    with_uncalibrated: bool = True
    amp: bool = False
    channels_last: bool = False
    split: str = "val"
    count_costs: bool = True
    per_encoding: bool = False
    reference_batch_size: int = 96

    def __post_init__(self) -> None:
        if self.split not in ("val", "test"):
            raise ConfigError(f"split must be 'val' or 'test', got {self.split!r}")


def build_evaluator(cfg, checkpoint: str, device: str = "cpu", **options) -> SupernetEvaluator:
    """A `SupernetEvaluator` for a supernet config and checkpoint; `options`: `EvaluatorSettings` fields.

    Calibration uses `calib_batches` fixed batches of the config's *training* split (seeded
    shuffle, no augmentation); accuracy is measured on its validation split.  ``split='test'``
    reproduces the reference code's protocol instead: accuracy on the held-out test split, and
    calibration as momentum updates over the whole test split in its order, in batches of
    `reference_batch_size` (the reference's 96); only for studying that protocol.
    """
    try:
        settings = EvaluatorSettings(**options)
    except TypeError as exc:
        raise ConfigError(f"evaluator: {str(exc).replace('EvaluatorSettings.__init__()', 'build_evaluator()')}") from None
    return _build_evaluator(cfg, checkpoint, device, settings)


def _build_evaluator(cfg, checkpoint: str, device: str, settings: EvaluatorSettings) -> SupernetEvaluator:
    """`build_evaluator` with its settings checked."""
    calib_batches, calib_batch_size, split = settings.calib_batches, settings.calib_batch_size, settings.split
    input_size = settings.input_size
    from mmengine.registry import DATASETS
    register_all_modules()
    from ..engine.evaluate import build_supernet

    model = build_supernet(cfg, checkpoint, device)
    if split == "test":
        train = val = DATASETS.build(dict(cfg.val_dataloader.dataset, split="test"))
    else:
        train = DATASETS.build(cfg.train_dataloader.dataset)
        val = DATASETS.build(cfg.val_dataloader.dataset)
    if input_size is None:
        first = val[0]["inputs"]
        input_size = tuple(first.shape)
    if split == "test":
        calib = dataset_batches(val, settings.reference_batch_size) if calib_batches else []
    else:
        calib = dataset_batches(train, calib_batch_size, calib_batches, seed=0) if calib_batches else []
    return SupernetEvaluator(model, calib, dataset_batches(val, settings.val_batch_size), tuple(input_size),
                             with_uncalibrated=settings.with_uncalibrated, amp=settings.amp,
                             channels_last=settings.channels_last, count_costs=settings.count_costs,
                             per_encoding=settings.per_encoding, momentum_calibration=split == "test")
