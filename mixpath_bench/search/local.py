"""Local search: first-improvement hill climbing over the space's local moves, with random restarts.

A standard NAS baseline (White et al. 2021, "Local search is state of the art for NAS
benchmarks").  From a random start it tries the neighbours (`SearchSpace.neighbours`: S4 changes
one node, S1/S2 swap, add or drop one path) in a random order and moves to the first that is more
accurate; when none is, the point is a local optimum and the search restarts from a random sample.
Networks already evaluated are compared for free; the budget counts distinct networks.
"""
from __future__ import annotations

import numpy as np

from ..spaces import Arch
from .baselines import BudgetedSearch
from .registry import register_searcher


@register_searcher("local")
class LocalSearch(BudgetedSearch):
    label = "MixPath local search"

    def fresh_state(self) -> dict:
        return {**super().fresh_state(), "current": None, "pending": [], "optima": []}

    def propose(self, state: dict, rng: np.random.Generator) -> Arch:
        if state["current"] is not None and not state["pending"]:
            state["optima"].append(state["current"])  # no neighbour improved on it
            state["current"] = None
        if state["current"] is None:
            return self.space.sample(rng)
        return self.space.parse(state["pending"].pop(0))

    def accept(self, state: dict, key: str, rng: np.random.Generator) -> None:
        self._consider(state, key, rng)

    def reject(self, state: dict, key: str | None, rng: np.random.Generator) -> None:
        if key is not None and key in state["metrics"] and self.constraints.acc_ok(state["metrics"][key]) \
                and self.constraints.cost_ok(state["metrics"][key]):
            self._consider(state, key, rng)  # already evaluated: compared at no cost

    def _consider(self, state: dict, key: str, rng: np.random.Generator) -> None:
        """Start from `key` (after a restart) or move to it if it beats the current point."""
        current = state["current"]
        if current is not None and state["metrics"][key]["acc"] <= state["metrics"][current]["acc"]:
            return
        if current is None and key in state["optima"]:
            return
        state["current"] = key
        arch = self.space.parse(state["metrics"][key]["arch"])
        seen = {key}
        pending = []
        for i in rng.permutation(len(neighbours := self.space.neighbours(arch))):
            n = neighbours[int(i)]
            k = self.space.canonical_key(n)
            if k not in seen:
                seen.add(k)
                pending.append(n.to_string())
        state["pending"] = pending
