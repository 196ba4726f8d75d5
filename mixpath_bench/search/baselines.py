"""Random search and single-objective regularized evolution, with the same checkpointing as NSGA-II.

Both count *accuracy evaluations* as their budget (so random search can be given exactly the
number NSGA-II spent) and skip a candidate over ``max_madds`` before evaluating it.
"""
from __future__ import annotations

from collections import deque
from pathlib import Path
from typing import Callable

import numpy as np

from ..spaces import Arch, SearchSpace
from .nsga2 import Constraints, json_roundtrip
from .operators import non_dominated_fronts
from .state import (Evaluator, SearchError, check_objectives, load_json, objective_matrix, rng_from_state, rng_state,
                    save_json_atomic)


class _BudgetedSearch:
    """Shared loop: propose, check cost, evaluate (each unique architecture once), checkpoint."""

    algorithm = ""

    def __init__(self, space: SearchSpace, budget: int, constraints: Constraints, seed: int,
                 checkpoint_every: int = 10) -> None:
        if budget < 1:
            raise SearchError("the evaluation budget must be >= 1")
        self.space, self.budget, self.constraints, self.seed = space, budget, constraints, seed
        self.checkpoint_every = checkpoint_every
        self.max_tries = 200 * budget

    def settings(self) -> dict:
        return {"space": self.space.name, "m": self.space.m, "budget": self.budget,
                "min_acc": self.constraints.min_acc, "max_madds": self.constraints.max_madds, "seed": self.seed}

    def propose(self, state: dict, rng: np.random.Generator) -> Arch:
        raise NotImplementedError

    def accept(self, state: dict, key: str) -> None:
        """Hook after an architecture was evaluated and passed the accuracy constraint."""

    def run(self, evaluator: Evaluator, checkpoint: str | Path | None = None, resume: bool = False,
            log: Callable[[str], None] = print) -> dict:
        state = None
        if resume and checkpoint and Path(checkpoint).exists():
            state = load_json(checkpoint)
            if state.get("algorithm") != self.algorithm or state.get("settings") != json_roundtrip(self.settings()):
                raise SearchError(f"{checkpoint} was written by a search with other settings; use another work dir")
        if state is None:
            state = {"algorithm": self.algorithm, "settings": self.settings(), "order": [], "metrics": {},
                     "accepted": [], "population": [], "tries": 0, "done": False,
                     "rng": rng_state(np.random.default_rng(self.seed))}
        rng = rng_from_state(state["rng"])
        while len(state["metrics"]) < self.budget:
            if state["tries"] >= self.max_tries:
                raise SearchError(f"{self.algorithm}: only {len(state['metrics'])} of {self.budget} evaluations "
                                  f"after {self.max_tries} proposals; relax max_madds")
            state["tries"] += 1
            arch = self.propose(state, rng)
            key = arch.to_string()
            if key in state["metrics"] or not self.constraints.cost_ok(evaluator.complexity(arch)):
                continue
            state["metrics"][key] = evaluator([arch])[0]
            state["order"].append(key)
            if self.constraints.acc_ok(state["metrics"][key]):
                state["accepted"].append(key)
                self.accept(state, key)
            if len(state["metrics"]) % self.checkpoint_every == 0:
                state["rng"] = rng_state(rng)
                if checkpoint:
                    save_json_atomic(checkpoint, state)
                log(f"{self.algorithm}: {len(state['metrics'])}/{self.budget} evaluated")
        state["done"] = True
        state["rng"] = rng_state(rng)
        state.update(self.result(state))
        if checkpoint:
            save_json_atomic(checkpoint, state)
        return state

    def result(self, state: dict) -> dict:
        raise NotImplementedError


class RandomSearch(_BudgetedSearch):
    """Uniform sampling (the paper's per-layer distribution) until the budget is spent."""

    algorithm = "random"

    def __init__(self, space: SearchSpace, budget: int, objectives: list[tuple[str, str]] = (("acc", "max"),
                 ("madds", "min")), constraints: Constraints = Constraints(), seed: int = 0) -> None:
        super().__init__(space, budget, constraints, seed)
        self.objectives = check_objectives(list(objectives))

    def settings(self) -> dict:
        return {**super().settings(), "objectives": self.objectives}

    def propose(self, state: dict, rng: np.random.Generator) -> Arch:
        return self.space.sample(rng)

    def result(self, state: dict) -> dict:
        keys = state["accepted"]
        if not keys:
            return {"pareto": [], "best": None}
        F = objective_matrix([state["metrics"][k] for k in keys], self.objectives)
        front = non_dominated_fronts(F)[0]
        front = front[np.argsort(F[front, -1], kind="stable")]
        best = max(keys, key=lambda k: (state["metrics"][k]["acc"], -state["order"].index(k)))
        return {"pareto": [{"arch": keys[i], **state["metrics"][keys[i]]} for i in front],
                "best": {"arch": best, **state["metrics"][best]}}


class RegularizedEvolution(_BudgetedSearch):
    """Single-objective aging evolution (Real et al. 2019) maximising ``acc``.

    The first `population` evaluations are uniform samples; afterwards each proposal mutates the
    best of `sample_size` random members, and the oldest member leaves the population.
    """

    algorithm = "evolution"

    def __init__(self, space: SearchSpace, budget: int, population: int = 20, sample_size: int = 5,
                 mutation_prob: float = 0.25, constraints: Constraints = Constraints(), seed: int = 0) -> None:
        super().__init__(space, budget, constraints, seed)
        if not 1 <= sample_size <= population:
            raise SearchError("evolution needs 1 <= sample_size <= population")
        self.population, self.sample_size, self.mutation_prob = population, sample_size, mutation_prob

    def settings(self) -> dict:
        return {**super().settings(), "population": self.population, "sample_size": self.sample_size,
                "mutation_prob": self.mutation_prob}

    def propose(self, state: dict, rng: np.random.Generator) -> Arch:
        pop = state["population"]
        if len(pop) < self.population:
            return self.space.sample(rng)
        contenders = [pop[int(i)] for i in rng.choice(len(pop), size=self.sample_size, replace=False)]
        parent = max(contenders, key=lambda k: state["metrics"][k]["acc"])
        child = self.space.mutate(self.space.parse(parent), rng, self.mutation_prob)
        while child.to_string() == parent:
            child = self.space.mutate(child, rng, self.mutation_prob)
        return child

    def accept(self, state: dict, key: str) -> None:
        pop = deque(state["population"])
        pop.append(key)
        if len(pop) > self.population:
            pop.popleft()
        state["population"] = list(pop)

    def result(self, state: dict) -> dict:
        keys = state["accepted"]
        if not keys:
            return {"best": None}
        best = max(keys, key=lambda k: (state["metrics"][k]["acc"], -state["order"].index(k)))
        return {"best": {"arch": best, **state["metrics"][best]}}
