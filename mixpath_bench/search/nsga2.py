"""NSGA-II exactly as MixPath's Algorithm 1 (supplementary B), with per-generation checkpoints.

P0 and Q0 are drawn uniformly until each holds n individuals that satisfy the constraints.
Each generation: R = P u Q; non-dominated sorting; P' = n individuals by rank and crowding
distance weighted by w; Q' is filled by tournament selection + crossover, where a child whose
multiply-adds exceed ``max_madds`` is dropped *before* evaluation and one whose accuracy is not
above ``min_acc`` after.  K equispaced models near the Pareto front of P_N are returned (filled
from later fronts when the first holds fewer than K).

Identity is the space's `canonical_key`: two encodings of one network (S4: one NAS-Bench-101
hash) are one candidate, evaluated once and never held twice in a population.  Mutation after
crossover (``mutation_prob`` > 0, ``mutation`` 'local' or 'redraw') is this toolkit's addition to
Algorithm 1; ``mutation_prob=0`` runs Algorithm 1 as published.
"""
from __future__ import annotations

import math

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..progress import Progress
from ..spaces import MUTATIONS, Arch, SearchSpace
from .loop import CheckpointedSearch
from .operators import binary_tournament, equispaced_picks, non_dominated_fronts, rank_and_crowding, select_survivors
from .registry import register_searcher
from .result import SearchResult, build_result, front_of
from .state import Evaluator, SearchError, check_objectives, objective_matrix, rng_state


@dataclass(frozen=True)
class Constraints:
    """C_acc and C_FLOPs of Algorithm 1 (None: unconstrained)."""

    min_acc: float | None = None
    max_madds: float | None = None

    def __post_init__(self) -> None:
        for key in ("min_acc", "max_madds"):
            value = getattr(self, key)
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                                      or not math.isfinite(value) or value < 0):
                raise SearchError(f"constraints.{key} must be a non-negative finite number or None, got {value!r}")
        if self.min_acc is not None and self.min_acc > 100:
            raise SearchError(f"constraints.min_acc is a top-1 accuracy in percent (at most 100), got {self.min_acc!r}")

    def cost_ok(self, cost: dict) -> bool:
        return self.max_madds is None or cost["madds"] <= self.max_madds

    def acc_ok(self, metrics: dict) -> bool:
        return self.min_acc is None or metrics["acc"] > self.min_acc


def evaluate_once(state: dict, space: SearchSpace, arch: Arch, evaluator: Evaluator) -> str:
    """Evaluate the network `arch` computes unless `state` already holds it; returns its key.

    The evaluator sees the canonical encoding, so every encoding of a network gets one score.
    """
    key = space.canonical_key(arch)
    if key not in state["metrics"]:
        canon = space.canonical(arch)
        state["metrics"][key] = {**evaluator([canon])[0], "arch": canon.to_string()}
        state["order"].append(key)
    return key


def unseen_feasible(space: SearchSpace, seen, ok: Callable[[Arch], bool]) -> list[Arch] | None:
    """One canonical encoding of every network of `space` whose key is not in `seen` and for which
    `ok` holds, in enumeration order; None for a space too large to enumerate (over 10^6 encodings)."""
    if space.size() > 10**6:
        return None
    out: dict[str, Arch] = {}
    for arch in space.enumerate():
        key = space.canonical_key(arch)
        if key not in seen and key not in out:
            out[key] = space.canonical(arch)
    return [arch for arch in out.values() if ok(arch)]


@dataclass(frozen=True)
class NSGA2Settings:
    """What a config sets for NSGA-II (``searchers.nsga2``): n (`population`), N (`generations`), the
    objectives and their crowding weights w (None: all 1), K (`k`), mutation after crossover, the seed
    and the proposals tried per population before the enumerable rest is swept (None: 200 n)."""

    population: int
    generations: int
    objectives: list[tuple[str, str]] = (("acc", "max"), ("madds", "min"))
    weights: list[float] | None = None
    k: int = 5
    mutation_prob: float = 0.1
    mutation: str = "local"
    seed: int = 0
    max_tries: int | None = None

    def __post_init__(self) -> None:
        if self.population < 2 or self.generations < 1:
            raise SearchError("NSGA-II needs population >= 2 and generations >= 1")
        if self.mutation not in MUTATIONS:
            raise SearchError(f"nsga2: mutation must be one of {', '.join(MUTATIONS)}, got {self.mutation!r}")


@register_searcher("nsga2")
class NSGA2Search(CheckpointedSearch):
    """Algorithm 1 with `NSGA2Settings`.  ``run(evaluator, checkpoint=PATH, resume=True)`` continues a
    killed search."""

    label = "MixPath NSGA-II (most accurate pick)"
    Settings = NSGA2Settings  # the config's keys

    def __init__(self, space: SearchSpace, settings: NSGA2Settings, constraints: Constraints = Constraints()) -> None:
        population = settings.population
        if 2 * population > space.num_networks():
            raise SearchError(f"nsga2: population {population} needs {2 * population} distinct networks for P0 and "
                              f"Q0; {space.name} (m={space.m}) has {space.num_networks()}")
        self.space, self.constraints = space, constraints
        self.n, self.generations, self.k = population, settings.generations, settings.k
        self.objectives = check_objectives(list(settings.objectives))
        weights = settings.weights
        self.weights = np.ones(len(self.objectives)) if weights is None else np.asarray(weights, dtype=float)
        if self.weights.shape != (len(self.objectives),):
            raise SearchError(f"{len(self.objectives)} objectives need {len(self.objectives)} weights")
        self.mutation_prob, self.mutation, self.seed = settings.mutation_prob, settings.mutation, settings.seed
        self.max_tries = settings.max_tries or 200 * population

    # -- state -----------------------------------------------------------------------------------
    def fresh_state(self) -> dict:
        return {"algorithm": "nsga2", "settings": self.settings(), "generation": 0, "P": [], "Q": [],
                "metrics": {}, "order": [], "rejected": {"madds": 0, "acc": 0, "duplicate": 0}, "history": [],
                "rng": rng_state(np.random.default_rng(self.seed)), "done": False}

    def settings(self) -> dict:
        return {"space": self.space.name, "m": self.space.m, "population": self.n, "generations": self.generations,
                "objectives": self.objectives, "weights": self.weights.tolist(),
                "min_acc": self.constraints.min_acc, "max_madds": self.constraints.max_madds, "k": self.k,
                "mutation_prob": self.mutation_prob, "mutation": self.mutation, "seed": self.seed}

    # -- candidates ------------------------------------------------------------------------------
    def _admit(self, state: dict, arch: Arch, taken: set[str], evaluator: Evaluator) -> str | None:
        """Algorithm 1's checks for one candidate; returns its key if admitted.

        A network already held (`taken`, by key) is a duplicate; one over the multiply-add limit
        is dropped before evaluation; one not above the accuracy limit after.
        """
        key = self.space.canonical_key(arch)
        if key in taken:
            state["rejected"]["duplicate"] += 1
            return None
        if key not in state["metrics"] and not self.constraints.cost_ok(evaluator.complexity(arch)):
            state["rejected"]["madds"] += 1
            return None
        evaluate_once(state, self.space, arch, evaluator)
        if not self.constraints.cost_ok(state["metrics"][key]):
            state["rejected"]["madds"] += 1
            return None
        if not self.constraints.acc_ok(state["metrics"][key]):
            state["rejected"]["acc"] += 1
            return None
        taken.add(key)
        return key

    def _fill(self, state: dict, make: Callable[[], Arch], taken: set[str], evaluator: Evaluator,
              rng: np.random.Generator | None = None) -> list[str]:
        """`n` admitted networks from `make`; when `max_tries` proposals did not find them (the
        missing ones are rare under the operators), the admissible networks not yet taken, in a
        random order, in a space small enough to enumerate."""
        out: list[str] = []
        for _ in range(self.max_tries):
            if len(out) == self.n:
                return out
            key = self._admit(state, make(), taken, evaluator)
            if key is not None:
                out.append(key)
        rest = unseen_feasible(self.space, taken, lambda a: True) if rng is not None else None
        for i in rng.permutation(len(rest)) if rest else ():
            if len(out) == self.n:
                break
            key = self._admit(state, rest[int(i)], taken, evaluator)
            if key is not None:
                out.append(key)
        if len(out) == self.n:
            return out
        raise SearchError(f"found only {len(out)} of {self.n} architectures satisfying min_acc="
                          f"{self.constraints.min_acc}, max_madds={self.constraints.max_madds} in "
                          f"{self.max_tries} tries; relax the constraints")

    def _offspring(self, state: dict, P: list[str], rng: np.random.Generator, evaluator: Evaluator) -> list[str]:
        F = objective_matrix([state["metrics"][a] for a in P], self.objectives)
        rank, crowd = rank_and_crowding(F, self.weights)
        archs = [self.space.parse(state["metrics"][k]["arch"]) for k in P]

        def child() -> Arch:
            a = archs[binary_tournament(rank, crowd, rng)]
            b = archs[binary_tournament(rank, crowd, rng)]
            return self.space.mutate(self.space.crossover(a, b, rng)[0], rng, self.mutation_prob, self.mutation)

        return self._fill(state, child, set(P), evaluator, rng)

    # -- main loop -------------------------------------------------------------------------------
    def search(self, state: dict, rng: np.random.Generator, evaluator: Evaluator, save: Callable[[], None],
               log: Callable[[str], None]) -> None:
        """P0 and Q0, then the generations; a checkpoint after the initial populations and each generation."""
        if state["generation"] == 0 and not state["P"]:
            taken: set[str] = set()
            state["P"] = self._fill(state, lambda: self.space.sample(rng), taken, evaluator, rng)
            state["Q"] = self._fill(state, lambda: self.space.sample(rng), taken, evaluator, rng)
            save()
            log(f"nsga2: initial populations ready, {len(state['metrics'])} evaluated")
        progress = Progress(self.generations, "nsga2: generation", log, every=0.0, done=state["generation"])
        while state["generation"] < self.generations:
            R = state["P"] + state["Q"]
            F = objective_matrix([state["metrics"][a] for a in R], self.objectives)
            state["P"] = [R[i] for i in select_survivors(F, self.n, self.weights)]
            state["Q"] = self._offspring(state, state["P"], rng, evaluator)
            state["generation"] += 1
            state["history"].append(self._summary(state))
            save()
            h = state["history"][-1]
            progress.step(note=f"front {h['front_size']}  best acc {h['best_acc']:.2f}  "
                               f"networks evaluated {h['evaluated']}")

    def _summary(self, state: dict) -> dict:
        metrics = [state["metrics"][a] for a in state["P"]]
        F = objective_matrix(metrics, self.objectives)
        return {"generation": state["generation"], "front_size": len(non_dominated_fronts(F)[0]),
                "best_acc": max(m["acc"] for m in metrics), "evaluated": len(state["metrics"]),
                "P": list(state["P"])}

    def result(self, state: dict) -> SearchResult:
        """The first front of P_N and K picks equispaced along the last objective (multiply-adds)."""
        P = state["P"]
        front = front_of(state, P, self.objectives)
        picks = self._picks(state)
        return build_result(self.name, self.label, state, picks, front, picks,
                            {"rejected": state["rejected"], "generations": state["history"],
                             "population": list(P), "picks_from_later_fronts": len(set(picks) - set(front))})

    def _picks(self, state: dict) -> list[str]:
        """K picks: equispaced along the last objective within the first front of P_N; when it holds
        fewer than K, the next fronts of P_N, then of the other feasible networks evaluated."""
        P = state["P"]
        held = set(P)
        rest = [k for k in state["order"] if k not in held and self.constraints.cost_ok(state["metrics"][k])
                and self.constraints.acc_ok(state["metrics"][k])]
        picks: list[str] = []
        for pool in (P, rest):
            if not pool:
                continue
            F = objective_matrix([state["metrics"][k] for k in pool], self.objectives)
            for front in non_dominated_fronts(F):
                need = self.k - len(picks)
                if need <= 0:
                    break
                front = front[np.argsort(F[front, -1], kind="stable")]
                chosen = front if len(front) <= need else front[equispaced_picks(F[front], need, axis=F.shape[1] - 1)]
                picks += [pool[i] for i in chosen]
        last = self.objectives[-1]
        sign = -1.0 if last[1] == "max" else 1.0
        return sorted(picks, key=lambda k: sign * float(state["metrics"][k][last[0]]))
