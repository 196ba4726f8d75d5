"""`TrainTimeHook`: wall-clock training seconds, kept in the checkpoint (survives --resume)."""
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
