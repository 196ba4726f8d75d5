"""Budgeted searchers: random search and single-objective regularized evolution.

The budget counts *distinct networks evaluated* (the space's `canonical_key`: two encodings of
one S4 cell are one network), so random search can be given exactly the number NSGA-II spent.
A candidate over ``max_madds`` is skipped before it is evaluated.  A search ends early, marked
``exhausted``, when every network of the space has been evaluated (S4: 34).
"""
from __future__ import annotations

from collections import deque
from typing import Callable

import numpy as np

from ..progress import Progress
from ..spaces import MUTATIONS, Arch, SearchSpace
from .loop import CheckpointedSearch
from .nsga2 import Constraints, evaluate_once, unseen_feasible
from .registry import register_searcher
from .result import SearchResult, best_key, build_result, front_of
from .state import Evaluator, SearchError, rng_state


class BudgetedSearch(CheckpointedSearch):
    """Shared search of budgeted searchers: propose, check cost, evaluate each network once, checkpoint
    every `checkpoint_every` evaluations (the loop around it is `CheckpointedSearch`'s).

    A subclass defines ``label``, `propose` (the next candidate) and optionally `accept` (what it
    learns from an evaluated candidate that passed the accuracy constraint).
    """

    def __init__(self, space: SearchSpace, budget: int, constraints: Constraints = Constraints(), seed: int = 0,
                 checkpoint_every: int = 10) -> None:
        if budget is None or int(budget) < 1:
            raise SearchError(f"{self.name}: the evaluation budget must be an integer >= 1, got {budget!r}")
        self.space, self.budget, self.constraints, self.seed = space, int(budget), constraints, seed
        self.checkpoint_every = checkpoint_every
        self.max_tries = 200 * self.budget
        self.networks = space.num_networks()

    def settings(self) -> dict:
        return {"space": self.space.name, "m": self.space.m, "budget": self.budget,
                "min_acc": self.constraints.min_acc, "max_madds": self.constraints.max_madds, "seed": self.seed}

    def propose(self, state: dict, rng: np.random.Generator) -> Arch:
        raise NotImplementedError

    def accept(self, state: dict, key: str, rng: np.random.Generator) -> None:
        """Hook after a network was evaluated and passed the accuracy constraint."""

    def reject(self, state: dict, key: str | None, rng: np.random.Generator) -> None:
        """Hook after a proposal was skipped (already evaluated: `key`; over the cost limit: None) or
        evaluated and failed the accuracy constraint."""

    def fresh_state(self) -> dict:
        return {"algorithm": self.name, "settings": self.settings(), "order": [], "metrics": {}, "accepted": [],
                "population": [], "tries": 0, "done": False, "exhausted": False, "skipped": 0, "stale": 0,
                "rng": rng_state(np.random.default_rng(self.seed))}

    def search(self, state: dict, rng: np.random.Generator, evaluator: Evaluator, save: Callable[[], None],
               log: Callable[[str], None]) -> None:
        """Propose and evaluate until the budget is spent or every network of the space is evaluated."""
        target = min(self.budget, self.networks)
        progress = Progress(target, f"{self.name}: networks evaluated", log, done=len(state["metrics"]))
        while len(state["metrics"]) < self.budget and len(state["metrics"]) < self.networks:
            if state["tries"] >= self.max_tries:
                if not self._sweep(state, rng, evaluator, progress, save):
                    raise SearchError(f"{self.name}: only {len(state['metrics'])} of {self.budget} evaluations "
                                      f"after {self.max_tries} proposals; relax max_madds")
                break
            state["tries"] += 1
            arch = self.propose(state, rng)
            key = self.space.canonical_key(arch)
            if key in state["metrics"] or not self.constraints.cost_ok(evaluator.complexity(arch)):
                state["skipped"] += 1
                state["stale"] += 1
                self.reject(state, key if key in state["metrics"] else None, rng)
                continue
            state["stale"] = 0
            self._evaluate(state, arch, rng, evaluator, progress, save)
        state["exhausted"] = state["exhausted"] or len(state["metrics"]) >= self.networks
        if state["exhausted"]:
            log(f"{self.name}: every feasible network of {self.space.name} evaluated "
                f"({len(state['metrics'])}; budget {self.budget})")

    def _evaluate(self, state: dict, arch: Arch, rng: np.random.Generator, evaluator: Evaluator,
                  progress: Progress, save: Callable[[], None]) -> None:
        """Evaluate one new network, let the searcher learn from it, checkpoint every few."""
        key = evaluate_once(state, self.space, arch, evaluator)
        progress.step()
        if self.constraints.acc_ok(state["metrics"][key]):
            state["accepted"].append(key)
            self.accept(state, key, rng)
        else:
            self.reject(state, key, rng)
        if len(state["metrics"]) % self.checkpoint_every == 0:
            save()

    def _sweep(self, state: dict, rng: np.random.Generator, evaluator: Evaluator, progress: Progress,
               save: Callable[[], None]) -> bool:
        """The proposals stalled (the last unseen networks are rare under the searcher's moves):
        in a space small enough to enumerate, evaluate the feasible networks not yet evaluated in
        a random order, up to the budget.  Returns False for a space too large to enumerate; True
        once the budget is spent or every feasible network is evaluated (then ``exhausted``)."""
        unseen = unseen_feasible(self.space, state["metrics"], lambda a: self.constraints.cost_ok(
            evaluator.complexity(a)))
        if unseen is None or not (unseen or state["metrics"]):  # too large to list, or nothing feasible at all
            return False
        for i in rng.permutation(len(unseen)):
            if len(state["metrics"]) >= self.budget:
                return True
            self._evaluate(state, unseen[int(i)], rng, evaluator, progress, save)
        state["exhausted"] = True
        return True

    def result(self, state: dict) -> SearchResult:
        """Front and best of the accepted networks; the best is the single pick."""
        accepted = state["accepted"]
        best = best_key(state, accepted)
        picks = [best] if best else []
        return build_result(self.name, self.label, state, picks, front_of(state, accepted), accepted,
                            {"exhausted": state["exhausted"], "proposals": state["tries"],
                             "skipped_proposals": state["skipped"]})


@register_searcher("random")
class RandomSearch(BudgetedSearch):
    """Uniform sampling (the paper's per-layer distribution) until the budget is spent."""

    label = "MixPath random search"

    def propose(self, state: dict, rng: np.random.Generator) -> Arch:
        return self.space.sample(rng)


@register_searcher("evolution")
class RegularizedEvolution(BudgetedSearch):
    """Single-objective aging evolution (Real et al. 2019) maximising ``acc``.

    The first `population` evaluations are uniform samples; afterwards each proposal mutates the
    best of `sample_size` random members (each layer with probability `mutation_prob`, at least
    one change of network), joins the population and the oldest member leaves.  A child already
    evaluated joins at no cost (its score is known) unless the population holds it.  After `STALE` proposals in a row that found
    nothing new (a small space nearly seen), the next proposal is a uniform sample.
    """

    STALE = 20

    label = "MixPath evolution"

    def __init__(self, space: SearchSpace, budget: int, population: int = 20, sample_size: int = 5,
                 mutation_prob: float = 0.25, mutation: str = "local", constraints: Constraints = Constraints(),
                 seed: int = 0) -> None:
        super().__init__(space, budget, constraints, seed)
        if not 1 <= sample_size <= population:
            raise SearchError("evolution needs 1 <= sample_size <= population")
        if mutation not in MUTATIONS:
            raise SearchError(f"evolution: mutation must be one of {', '.join(MUTATIONS)}, got {mutation!r}")
        if not 0 < mutation_prob <= 1:
            raise SearchError(f"evolution: mutation_prob must be in (0, 1], got {mutation_prob}")
        self.population, self.sample_size = population, sample_size
        self.mutation_prob, self.mutation = mutation_prob, mutation

    def settings(self) -> dict:
        return {**super().settings(), "population": self.population, "sample_size": self.sample_size,
                "mutation_prob": self.mutation_prob, "mutation": self.mutation}

    def propose(self, state: dict, rng: np.random.Generator) -> Arch:
        pop = state["population"]
        if len(pop) < self.population or state["stale"] >= self.STALE:
            return self.space.sample(rng)
        contenders = [pop[int(i)] for i in rng.choice(len(pop), size=self.sample_size, replace=False)]
        parent_key = max(contenders, key=lambda k: state["metrics"][k]["acc"])
        parent = self.space.parse(state["metrics"][parent_key]["arch"])
        child = parent
        for _ in range(100):  # redraw until the child is another network
            child = self.space.mutate(parent, rng, self.mutation_prob, self.mutation)
            if self.space.canonical_key(child) != parent_key:
                break
        return child

    def reject(self, state: dict, key: str | None, rng: np.random.Generator) -> None:
        if key is not None and len(state["population"]) >= self.population and key in state["accepted"] \
                and key not in state["population"]:  # a population never holds one network twice
            self.accept(state, key, rng)

    def accept(self, state: dict, key: str, rng: np.random.Generator) -> None:
        pop = deque(state["population"])
        pop.append(key)
        if len(pop) > self.population:
            pop.popleft()
        state["population"] = list(pop)
