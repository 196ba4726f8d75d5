"""Progress of long work: ``label: 12/34 (40 s, about 73 s left)`` lines, and a job log file.

`Progress` prints at most every `every` seconds (and always the last step), with the ETA from the
mean time per step so far.  `tee_log(log, path)` returns a log function that also appends each
line, time-stamped, to a file in the job's work dir.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Callable


class Progress:
    """Counts steps of a job of `total` steps and reports with an ETA."""

    def __init__(self, total: int, label: str, log: Callable[[str], None] = print, every: float = 10.0,
                 clock: Callable[[], float] = time.perf_counter, done: int = 0) -> None:
        """`done`: steps finished before this run (a resumed job); the ETA uses this run's pace."""
        self.total, self.label, self.log, self.every, self.clock = int(total), label, log, float(every), clock
        self.done = self.resumed_at = int(done)
        self.start = clock()
        self._last = -float("inf")

    def step(self, n: int = 1, note: str = "") -> None:
        """`n` more steps done; reports when `every` seconds passed since the last report, or at the end."""
        self.done += n
        now = self.clock()
        if now - self._last < self.every and self.done < self.total:
            return
        self._last = now
        self.log(self.line(now) + (f"  {note}" if note else ""))

    def line(self, now: float | None = None) -> str:
        elapsed = (self.clock() if now is None else now) - self.start
        ran = self.done - self.resumed_at
        left = elapsed / ran * (self.total - self.done) if ran else float("nan")
        eta = f", about {left:.0f} s left" if self.done < self.total and ran else ""
        return f"{self.label}: {self.done}/{self.total} ({elapsed:.0f} s{eta})"


def tee_log(log: Callable[[str], None], path: str | Path) -> Callable[[str], None]:
    """`log`, plus each line appended (with a time stamp) to `path` (its folder is created)."""
    from .jsonio import append_line

    path = Path(path)

    def both(line: str) -> None:
        log(line)
        append_line(path, f"{time.strftime('%Y-%m-%d %H:%M:%S')} {line}")

    return both
