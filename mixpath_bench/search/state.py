"""Search checkpoints: atomic JSON files holding populations, the metric cache and the RNG state
(`save_state`, `resume_state`; `loop.CheckpointedSearch` runs them for every searcher)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ..errors import UserError
from ..jsonio import json_round_trip
from ..jsonio import load_json as _load_json
from ..jsonio import save_json_atomic
from ..spaces import Arch


class SearchError(UserError):
    """A search that cannot proceed (unsatisfiable constraints, mismatched checkpoint)."""


class Evaluator(Protocol):
    """What a searcher needs: cheap complexity first, then the (expensive) full evaluation."""

    def complexity(self, arch: Arch) -> dict[str, float]:
        """At least ``madds`` and ``params`` of `arch` (no accuracy evaluation)."""

    def __call__(self, archs: list[Arch]) -> list[dict[str, Any]]:
        """Full metrics of each architecture, at least ``acc`` (%), ``madds`` and ``params``."""


def load_json(path: str | Path) -> Any:
    return _load_json(path, SearchError)


def rng_state(rng: np.random.Generator) -> dict:
    return rng.bit_generator.state


def rng_from_state(state: dict) -> np.random.Generator:
    rng = np.random.default_rng()
    rng.bit_generator.state = state
    return rng


def save_state(state: dict, rng: np.random.Generator, checkpoint: str | Path | None) -> None:
    """Record `rng`'s state in `state` and write `state` to `checkpoint` atomically (None: nowhere)."""
    state["rng"] = rng_state(rng)
    if checkpoint:
        save_json_atomic(checkpoint, state)


def resume_state(checkpoint: str | Path | None, resume: bool, algorithm: str, settings: dict) -> dict | None:
    """The state in `checkpoint` when resuming and the file exists, else None (start afresh).  A state
    written by another algorithm or with other settings is refused."""
    if not (resume and checkpoint and Path(checkpoint).exists()):
        return None
    state = load_json(checkpoint)
    if state.get("algorithm") != algorithm or state.get("settings") != json_round_trip(settings):
        raise SearchError(f"{checkpoint} was written by a search with other settings; use another work dir")
    return state


def objective_matrix(metrics: list[dict], objectives: list[tuple[str, str]]) -> np.ndarray:
    """(n, m) matrix to minimise: 'max' objectives are negated."""
    cols = []
    for key, sense in objectives:
        values = np.array([float(m[key]) for m in metrics])
        cols.append(-values if sense == "max" else values)
    return np.stack(cols, axis=1) if cols else np.zeros((len(metrics), 0))


def check_objectives(objectives: list[tuple[str, str]]) -> list[tuple[str, str]]:
    out = [(str(k), str(s)) for k, s in objectives]
    for key, sense in out:
        if sense not in ("max", "min"):
            raise SearchError(f"objective {key!r} has sense {sense!r}; use 'max' or 'min'")
    if not out:
        raise SearchError("give at least one objective, e.g. [('acc', 'max'), ('madds', 'min')]")
    return out
