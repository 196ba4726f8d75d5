"""`CheckpointedSearch`: the one loop every searcher of this package (the torch-free ones) runs.

Start afresh or resume the checkpoint (refused when another algorithm or other settings wrote it),
search, write the whole state (the RNG's included) whenever the searcher says so and once it is
done, and hand back its `SearchResult`.  A checkpoint is one JSON file (`state.save_state`).
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

from .result import SearchResult
from .state import Evaluator, resume_state, rng_from_state, save_state


class CheckpointedSearch:
    """The checkpointed loop of every searcher here.  A subclass defines ``name`` (set by
    `register_searcher`), ``label``, `settings` (what a resumed checkpoint must match), `fresh_state`
    (holding ``algorithm``, ``settings`` and ``rng``), `search` and `result`."""

    name = ""
    label = ""

    def settings(self) -> dict:
        raise NotImplementedError

    def fresh_state(self) -> dict:
        raise NotImplementedError

    def search(self, state: dict, rng: np.random.Generator, evaluator: Evaluator, save: Callable[[], None],
               log: Callable[[str], None]) -> None:
        """Advance `state` to the end of the search; call `save()` at every checkpoint."""
        raise NotImplementedError

    def result(self, state: dict) -> SearchResult:
        raise NotImplementedError

    def run(self, evaluator: Evaluator, checkpoint: str | Path | None = None, resume: bool = False,
            log: Callable[[str], None] = print) -> SearchResult:
        """Search (or continue from `checkpoint` when `resume`); the checkpoint holds the whole state."""
        state = resume_state(checkpoint, resume, self.name, self.settings()) or self.fresh_state()
        rng = rng_from_state(state["rng"])
        self.search(state, rng, evaluator, lambda: save_state(state, rng, checkpoint), log)
        state["done"] = True
        save_state(state, rng, checkpoint)
        return self.result(state)
