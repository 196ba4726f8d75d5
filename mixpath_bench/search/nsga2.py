"""NSGA-II exactly as MixPath's Algorithm 1 (supplementary B), with per-generation checkpoints.

P0 and Q0 are drawn uniformly until each holds n individuals that satisfy the constraints.
Each generation: R = P u Q; non-dominated sorting; P' = n individuals by rank and crowding
distance weighted by w; Q' is filled by tournament selection + crossover (+ mutation), where a
child whose multiply-adds exceed ``max_madds`` is dropped *before* evaluation and one whose
accuracy is not above ``min_acc`` after.  K equispaced models near the Pareto front of P_N are
returned.  Duplicates are never evaluated twice nor held twice in a population.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from ..spaces import Arch, SearchSpace
from .operators import binary_tournament, equispaced_picks, non_dominated_fronts, rank_and_crowding, select_survivors
from .state import (Evaluator, SearchError, check_objectives, load_json, objective_matrix, rng_from_state, rng_state,
                    save_json_atomic)


@dataclass(frozen=True)
class Constraints:
    """C_acc and C_FLOPs of Algorithm 1 (None: unconstrained)."""

    min_acc: float | None = None
    max_madds: float | None = None

    def cost_ok(self, cost: dict) -> bool:
        return self.max_madds is None or cost["madds"] <= self.max_madds

    def acc_ok(self, metrics: dict) -> bool:
        return self.min_acc is None or metrics["acc"] > self.min_acc


class NSGA2Search:
    """Algorithm 1.  ``run(evaluator, checkpoint=PATH, resume=True)`` continues a killed search."""

    def __init__(self, space: SearchSpace, population: int, generations: int,
                 objectives: list[tuple[str, str]] = (("acc", "max"), ("madds", "min")),
                 weights: list[float] | None = None, constraints: Constraints = Constraints(), k: int = 5,
                 mutation_prob: float = 0.1, seed: int = 0, max_tries: int | None = None) -> None:
        if population < 2 or generations < 1:
            raise SearchError("NSGA-II needs population >= 2 and generations >= 1")
        self.space = space
        self.n = population
        self.generations = generations
        self.objectives = check_objectives(list(objectives))
        self.weights = np.ones(len(self.objectives)) if weights is None else np.asarray(weights, dtype=float)
        if self.weights.shape != (len(self.objectives),):
            raise SearchError(f"{len(self.objectives)} objectives need {len(self.objectives)} weights")
        self.constraints = constraints
        self.k = k
        self.mutation_prob = mutation_prob
        self.seed = seed
        self.max_tries = max_tries or 200 * population

    # -- state -----------------------------------------------------------------------------------
    def _fresh_state(self) -> dict:
        return {"algorithm": "nsga2", "settings": self.settings(), "generation": 0, "P": [], "Q": [],
                "metrics": {}, "rejected": {"madds": 0, "acc": 0, "duplicate": 0}, "history": [],
                "rng": rng_state(np.random.default_rng(self.seed)), "done": False}

    def settings(self) -> dict:
        return {"space": self.space.name, "m": self.space.m, "population": self.n, "generations": self.generations,
                "objectives": self.objectives, "weights": self.weights.tolist(),
                "min_acc": self.constraints.min_acc, "max_madds": self.constraints.max_madds, "k": self.k,
                "mutation_prob": self.mutation_prob, "seed": self.seed}

    # -- candidates ------------------------------------------------------------------------------
    def _admit(self, state: dict, arch: Arch, taken: set[str], evaluator: Evaluator) -> bool:
        """Algorithm 1's checks for one candidate; evaluates it (cached) when it passes the cost check."""
        key = arch.to_string()
        if key in taken:
            state["rejected"]["duplicate"] += 1
            return False
        if key not in state["metrics"]:
            if not self.constraints.cost_ok(evaluator.complexity(arch)):
                state["rejected"]["madds"] += 1
                return False
            state["metrics"][key] = evaluator([arch])[0]
        if not self.constraints.cost_ok(state["metrics"][key]):
            state["rejected"]["madds"] += 1
            return False
        if not self.constraints.acc_ok(state["metrics"][key]):
            state["rejected"]["acc"] += 1
            return False
        taken.add(key)
        return True

    def _fill(self, state: dict, make: Callable[[], Arch], taken: set[str], evaluator: Evaluator) -> list[str]:
        out: list[str] = []
        for _ in range(self.max_tries):
            if len(out) == self.n:
                return out
            arch = make()
            if self._admit(state, arch, taken, evaluator):
                out.append(arch.to_string())
        if len(out) == self.n:
            return out
        raise SearchError(f"found only {len(out)} of {self.n} architectures satisfying min_acc="
                          f"{self.constraints.min_acc}, max_madds={self.constraints.max_madds} in "
                          f"{self.max_tries} tries; relax the constraints")

    def _offspring(self, state: dict, P: list[str], rng: np.random.Generator, evaluator: Evaluator) -> list[str]:
        F = objective_matrix([state["metrics"][a] for a in P], self.objectives)
        rank, crowd = rank_and_crowding(F, self.weights)
        archs = [self.space.parse(a) for a in P]

        def child() -> Arch:
            a = archs[binary_tournament(rank, crowd, rng)]
            b = archs[binary_tournament(rank, crowd, rng)]
            return self.space.mutate(self.space.crossover(a, b, rng)[0], rng, self.mutation_prob)

        return self._fill(state, child, set(P), evaluator)

    # -- main loop -------------------------------------------------------------------------------
    def run(self, evaluator: Evaluator, checkpoint: str | Path | None = None, resume: bool = False,
            log: Callable[[str], None] = print) -> dict:
        """Run (or continue) the search; returns the final state with ``pareto`` and ``picks``."""
        state = self._load(checkpoint) if resume and checkpoint and Path(checkpoint).exists() else self._fresh_state()
        rng = rng_from_state(state["rng"])
        if state["generation"] == 0 and not state["P"]:
            taken: set[str] = set()
            state["P"] = self._fill(state, lambda: self.space.sample(rng), taken, evaluator)
            state["Q"] = self._fill(state, lambda: self.space.sample(rng), taken, evaluator)
            self._save(state, rng, checkpoint)
            log(f"nsga2: initial populations ready, {len(state['metrics'])} evaluated")
        while state["generation"] < self.generations:
            R = state["P"] + state["Q"]
            F = objective_matrix([state["metrics"][a] for a in R], self.objectives)
            state["P"] = [R[i] for i in select_survivors(F, self.n, self.weights)]
            state["Q"] = self._offspring(state, state["P"], rng, evaluator)
            state["generation"] += 1
            state["history"].append(self._summary(state))
            self._save(state, rng, checkpoint)
            h = state["history"][-1]
            log(f"nsga2: generation {state['generation']}/{self.generations}  front {h['front_size']}  "
                f"best acc {h['best_acc']:.2f}  evaluated {h['evaluated']}")
        state["done"] = True
        state.update(self.result(state))
        self._save(state, rng, checkpoint)
        return state

    def _summary(self, state: dict) -> dict:
        metrics = [state["metrics"][a] for a in state["P"]]
        F = objective_matrix(metrics, self.objectives)
        return {"generation": state["generation"], "front_size": len(non_dominated_fronts(F)[0]),
                "best_acc": max(m["acc"] for m in metrics), "evaluated": len(state["metrics"]),
                "P": list(state["P"])}

    def result(self, state: dict) -> dict:
        """The first front of P_N and K picks equispaced along the last objective (multiply-adds)."""
        P = state["P"]
        F = objective_matrix([state["metrics"][a] for a in P], self.objectives)
        front = non_dominated_fronts(F)[0]
        front_sorted = front[np.argsort(F[front, -1], kind="stable")]
        picks = front_sorted[equispaced_picks(F[front_sorted], self.k, axis=F.shape[1] - 1)]
        entry = lambda i: {"arch": P[i], **state["metrics"][P[i]]}  # noqa: E731
        return {"pareto": [entry(i) for i in front_sorted], "picks": [entry(i) for i in picks]}

    def _save(self, state: dict, rng: np.random.Generator, checkpoint: str | Path | None) -> None:
        state["rng"] = rng_state(rng)
        if checkpoint:
            save_json_atomic(checkpoint, state)

    def _load(self, checkpoint: str | Path) -> dict:
        state = load_json(checkpoint)
        if state.get("algorithm") != "nsga2" or state.get("settings") != json_roundtrip(self.settings()):
            raise SearchError(f"{checkpoint} was written by a search with other settings; use another work dir")
        return state


def json_roundtrip(obj):
    """`obj` as it reads back from JSON (tuples become lists)."""
    return json.loads(json.dumps(obj))
