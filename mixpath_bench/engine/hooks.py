"""Our MMEngine hooks: `TrainTimeHook` (training seconds, kept across --resume) and
`PlainCheckpointHook` (checkpoints that load without unpickling, with the model as JSON data)."""
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
