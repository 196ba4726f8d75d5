"""Our MMEngine hooks: `TrainTimeHook` (training seconds, kept across --resume) and
`PlainCheckpointHook` (checkpoints that load without unpickling, with the model as JSON data)."""
from __future__ import annotations

import time

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

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        from .checkpoint import plain_checkpoint
        from .record import build_record

        checkpoint.setdefault("meta", {}).update(build_record(runner.cfg))
        plain_checkpoint(checkpoint)
