"""`SearchResult`: what every searcher returns, in one shape (JSON round trip included)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from .operators import non_dominated_fronts
from .state import objective_matrix

#: Objectives of the front every searcher reports (NSGA-II reports its own objectives).
FRONT_OBJECTIVES = [("acc", "max"), ("madds", "min")]


@dataclass
class SearchResult:
    """One searcher's outcome.

    Attributes:
        searcher: registered name (``nsga2``, ``random``, ``evolution``, ``local``...).
        label: how tables and reports name it.
        picks: the architectures it hands over (NSGA-II: K equispaced along its front; single-
            objective searchers: their best).  Each entry: ``arch`` plus its metrics.
        front: non-dominated front of what it accepted, sorted by the last objective.
        best: the most accurate accepted architecture (first found wins a tie), or None.
        history: every distinct network it evaluated, in order: ``key``, ``arch``, metrics and
            ``seconds`` (the evaluation's measured wall time).
        evaluations: number of distinct networks evaluated (= the budget it spent).
        cost_seconds: sum of the per-candidate seconds of `history`.
        extra: searcher-specific facts (rejections, generations, whether the space was exhausted).
    """

    searcher: str
    label: str
    picks: list[dict]
    front: list[dict]
    best: dict | None
    history: list[dict]
    evaluations: int
    cost_seconds: float
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, obj: dict) -> "SearchResult":
        return cls(**obj)


def entry(state: dict, key: str) -> dict:
    """A result entry: the architecture string, its key and its metrics."""
    return {"key": key, **state["metrics"][key]}


def best_key(state: dict, keys: list[str]) -> str | None:
    """The most accurate of `keys`; ties go to the one evaluated first."""
    if not keys:
        return None
    order = {k: i for i, k in enumerate(state["order"])}
    return max(keys, key=lambda k: (state["metrics"][k]["acc"], -order[k]))


def front_of(state: dict, keys: list[str], objectives=FRONT_OBJECTIVES) -> list[str]:
    """The non-dominated subset of `keys`, sorted by the last objective (stable)."""
    if not keys:
        return []
    F = objective_matrix([state["metrics"][k] for k in keys], objectives)
    front = non_dominated_fronts(F)[0]
    return [keys[i] for i in front[np.argsort(F[front, -1], kind="stable")]]


def build_result(searcher: str, label: str, state: dict, picks: list[str], front: list[str],
                 accepted: list[str], extra: dict | None = None) -> SearchResult:
    """A `SearchResult` from a searcher's state (``metrics`` keyed by network, ``order`` of evaluation)."""
    history = [entry(state, k) for k in state["order"]]
    best = best_key(state, accepted)
    return SearchResult(searcher, label, [entry(state, k) for k in picks], [entry(state, k) for k in front],
                        entry(state, best) if best else None, history, len(history),
                        float(sum(h.get("seconds", 0.0) for h in history)), dict(extra or {}))
