"""Our MMEngine hooks: `TrainTimeHook` (training seconds, kept across --resume),
`PlainCheckpointHook` (checkpoints that load without unpickling, with the model as JSON data) and
`DropPathScheduleHook` (DARTS' linearly rising drop-path probability)."""
from __future__ import annotations

import time
from typing import Any, Callable

from mmengine.hooks import Hook
from mmengine.registry import HOOKS


@HOOKS.register_module()
class TrainTimeHook(Hook):
    """Accumulates training wall time in the message hub as ``train_seconds`` (saved with checkpoints).

    Runs before the checkpoint hook at the end of each epoch, so every checkpoint holds the time
    spent up to and including its epoch; a resumed run continues the count.
    """

    priority = "LOW"  # CheckpointHook is VERY_LOW: this runs first

    def before_train(self, runner) -> None:
        self._base = float(runner.message_hub.get_info("train_seconds", 0.0))
        self._start = time.perf_counter()

    def after_train_epoch(self, runner) -> None:
        runner.message_hub.update_info("train_seconds", self._base + time.perf_counter() - self._start)


@HOOKS.register_module()
class PlainCheckpointHook(Hook):
    """Makes every checkpoint loadable with ``weights_only=True`` and records the model as JSON data.

    Runs last before saving, after every other hook has added what it keeps; see
    `mixpath_bench.engine.checkpoint.plain_checkpoint` and `mixpath_bench.engine.record`.
    """

    priority = "LOWEST"

    def __init__(self, build_record: Callable[[Any], dict]) -> None:
        # `mixpath_bench.engine.record.build_record`, passed in by the runner: record.py reads
        # records against the registries this module is registered in (no import cycle)
        self.build_record = build_record

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        from .checkpoint import plain_checkpoint

        checkpoint.setdefault("meta", {}).update(self.build_record(runner.cfg))
        plain_checkpoint(checkpoint)


@HOOKS.register_module()
class DropPathScheduleHook(Hook):
    """DARTS' drop-path schedule: before epoch e (0-based) of E, the network's ``drop_path_prob`` is
    ``max_prob * e / E`` (cnn/train.py of github.com/quark0/darts), so it rises linearly from 0."""

    def __init__(self, max_prob: float = 0.2) -> None:
        if isinstance(max_prob, bool) or not isinstance(max_prob, (int, float)) or not 0 <= max_prob < 1:
            raise ValueError(f"DropPathScheduleHook: max_prob must be a number in [0, 1), got {max_prob!r}")
        self.max_prob = float(max_prob)

    def before_train_epoch(self, runner) -> None:
        model = getattr(runner.model, "module", runner.model)
        network = getattr(model, "network", None)
        if network is None or not hasattr(network, "drop_path_prob"):
            raise ValueError(f"DropPathScheduleHook: the model's network ({type(network).__name__}) has no "
                             "drop_path_prob (DARTS' networks have one)")
        network.drop_path_prob = self.max_prob * runner.epoch / runner.max_epochs
