"""Algorithm 1 (NSGA-II) step by step, with an instrumented evaluator and search space.

Each test names the planted bug it catches: over-budget children evaluated (the cost check before
evaluation removed), parents drawn uniformly instead of by tournament, fronts or crowding computed
wrongly, survivors taken from the wrong fronts.
"""
import hashlib

import numpy as np
import pytest

from mixpath_bench.search import (Constraints, NSGA2Search, NSGA2Settings, binary_tournament, non_dominated_fronts,
                                  rank_and_crowding, select_survivors, weighted_crowding_distance)
from mixpath_bench.spaces import get_space

from .toy import ToyEvaluator

SPACE = get_space("S1", 2)
QUIET = dict(log=lambda s: None)


class Recording(ToyEvaluator):
    """ToyEvaluator that records every architecture it fully evaluates (complexity is free)."""

    def __init__(self):
        super().__init__()
        self.evaluated = []

    def __call__(self, archs):
        self.evaluated.extend(a.to_string() for a in archs)
        return super().__call__(archs)


class HashedAccuracy:
    """A known fitness: accuracy is a fixed hash of the architecture (distinct for distinct ones)."""

    def complexity(self, arch):
        return {"madds": 1.0, "params": 1.0}

    def __call__(self, archs):
        return [{"acc": int(hashlib.md5(a.to_string().encode()).hexdigest()[:8], 16) / 16**8 * 100,
                 "madds": 1.0, "params": 1.0} for a in archs]


class SpyingSpace:
    """The S1 space, recording the parents handed to crossover (whatever picked them)."""

    def __init__(self, space):
        self._space = space
        self.parents = []

    def crossover(self, a, b, rng):
        self.parents.append((a.to_string(), b.to_string()))
        return self._space.crossover(a, b, rng)

    def __getattr__(self, name):
        return getattr(self._space, name)


# -- the cost constraint is checked before evaluation -------------------------------------------------
def test_admit_drops_over_budget_candidates_before_evaluation():
    search = NSGA2Search(SPACE, NSGA2Settings(population=4, generations=1), constraints=Constraints(max_madds=4000.0))
    state, ev = search.fresh_state(), Recording()
    archs = [SPACE.sample(np.random.default_rng(s)) for s in range(60)]
    cheap = next(a for a in archs if ev.complexity(a)["madds"] <= 4000.0)
    dear = next(a for a in archs if ev.complexity(a)["madds"] > 4000.0)
    taken = set()
    assert search._admit(state, dear, taken, ev) is None
    assert ev.evaluated == [] and state["rejected"]["madds"] == 1 and state["metrics"] == {}
    assert search._admit(state, dear, taken, ev) is None  # proposed again: checked (and counted) again
    assert ev.evaluated == [] and state["rejected"]["madds"] == 2
    key = search._admit(state, cheap, taken, ev)
    assert key == SPACE.canonical_key(cheap) and taken == {key} and ev.evaluated == [SPACE.canonical(cheap).to_string()]
    assert search._admit(state, cheap, taken, ev) is None  # held already: a duplicate, not evaluated again
    assert state["rejected"] == {"madds": 2, "acc": 0, "duplicate": 1} and len(ev.evaluated) == 1


def test_admit_checks_accuracy_after_evaluation_and_keeps_the_score():
    ev = Recording()
    arch = SPACE.sample(np.random.default_rng(0))
    acc = ev([arch])[0]["acc"]
    ev.evaluated.clear()
    at_limit = NSGA2Search(SPACE, NSGA2Settings(population=4, generations=1), constraints=Constraints(min_acc=acc))
    state, taken = at_limit.fresh_state(), set()
    assert at_limit._admit(state, arch, taken, ev) is None  # not *above* min_acc
    assert state["rejected"] == {"madds": 0, "acc": 1, "duplicate": 0} and taken == set()
    assert len(ev.evaluated) == 1 and state["metrics"][SPACE.canonical_key(arch)]["acc"] == acc
    assert at_limit._admit(state, arch, taken, ev) is None and len(ev.evaluated) == 1  # cached, not re-run
    below = NSGA2Search(SPACE, NSGA2Settings(population=4, generations=1),
                        constraints=Constraints(min_acc=acc - 1e-6))
    assert below._admit(below.fresh_state(), arch, set(), ev) == SPACE.canonical_key(arch)


def test_whole_search_never_evaluates_an_over_budget_child():
    ev = Recording()
    result = NSGA2Search(SPACE, NSGA2Settings(population=12, generations=4, seed=0),
                         constraints=Constraints(max_madds=4000.0)).run(ev, **QUIET)
    assert result.extra["rejected"]["madds"] > 0  # over-budget children were proposed
    over = [a for a in ev.evaluated if ToyEvaluator().complexity(SPACE.parse(a))["madds"] > 4000.0]
    assert over == []
    assert len(ev.evaluated) == len(set(ev.evaluated)) == result.evaluations


# -- tournament selection pressure ------------------------------------------------------------------
def test_binary_tournament_mean_winner_rank_is_the_expected_minimum_of_two():
    """Ranks 0..9 (one per front): the winner's rank is min(a, b) of two uniform draws, mean 2.85
    (uniform choice: 4.5, the worse of two: 6.15)."""
    n, draws = 10, 4000
    rank, crowd = np.arange(n), np.zeros(n)
    expected = sum(((n - k) / n) ** 2 for k in range(1, n))
    assert expected == pytest.approx(2.85)
    winners = np.array([binary_tournament(rank, crowd, np.random.default_rng(s)) for s in range(draws)])
    sd = np.sqrt(np.mean([(min(a, b) - expected) ** 2 for a in range(n) for b in range(n)]) / draws)
    assert abs(rank[winners].mean() - expected) < 5 * sd  # 5 sd ~ 0.19, uniform is 1.65 away


def test_nsga2_parents_are_chosen_by_tournament_not_uniformly():
    """With one objective (a known fitness hash), P's members have distinct ranks 0..n-1.  Over many
    seeds, the mean rank of the parents NSGA-II hands to crossover matches the binary tournament's
    exact expectation, E[min of two uniform draws], and is far better than uniform choice."""
    n, ranks = 10, []
    for seed in range(12):
        space = SpyingSpace(SPACE)
        search = NSGA2Search(space, NSGA2Settings(population=n, generations=2, objectives=[("acc", "max")],
                                                  mutation_prob=0.0, seed=seed))
        original = search._offspring

        def offspring(state, P, rng, evaluator, original=original, space=space):
            by_acc = sorted(P, key=lambda k: -state["metrics"][k]["acc"])
            rank = {state["metrics"][k]["arch"]: r for r, k in enumerate(by_acc)}  # 0 = most accurate
            assert len(set(state["metrics"][k]["acc"] for k in P)) == n  # distinct: ranks 0..n-1
            start = len(space.parents)
            Q = original(state, P, rng, evaluator)
            ranks.extend(rank[a] for pair in space.parents[start:] for a in pair)
            return Q

        search._offspring = offspring
        search.run(HashedAccuracy(), **QUIET)
    draws = len(ranks)
    pairs = [(a, b) for a in range(n) for b in range(n)]
    expected = np.mean([min(a, b) for a, b in pairs])  # 2.85 for n = 10
    sd = np.sqrt(np.mean([(min(a, b) - expected) ** 2 for a, b in pairs]) / draws)
    assert draws >= 400 and expected == pytest.approx(2.85)
    assert abs(np.mean(ranks) - expected) < 5 * sd  # 5 sd ~ 0.25
    assert np.mean(ranks) < (n - 1) / 2 - 1.0  # uniform choice: 4.5


# -- non-dominated sorting, crowding and survivor selection by hand ----------------------------------
# minimised objectives; fronts: {0, 1, 3}, then {2, 4} ([3,4] is dominated by [2,3], [2,6] by [1,5]),
# then {5} (dominated by [3,4]), then {6} (dominated by [5,5])
F = np.array([[1, 5], [2, 3], [3, 4], [4, 1], [2, 6], [5, 5], [6, 6]], dtype=float)


def test_fronts_by_hand():
    assert [sorted(f.tolist()) for f in non_dominated_fronts(F)] == [[0, 1, 3], [2, 4], [5], [6]]
    assert non_dominated_fronts(np.zeros((0, 2))) == []
    # equal points do not dominate each other; a point equal in one objective and better in the other does
    assert [sorted(f.tolist()) for f in non_dominated_fronts(np.array([[1, 1], [1, 1], [1, 2.0]]))] == [[0, 1], [2]]


def test_rank_and_crowding_by_hand():
    rank, crowd = rank_and_crowding(F, np.ones(2))
    assert rank.tolist() == [0, 0, 1, 0, 1, 2, 3]
    # front 0 is [1,5], [2,3], [4,1]: the middle one's gaps are (4-1)/3 and (5-1)/4; fronts of one or
    # two points are all boundary (infinite)
    assert crowd[1] == pytest.approx(1.0 + 1.0) and np.isinf(crowd[[0, 2, 3, 4, 5, 6]]).all()
    _, crowd_w = rank_and_crowding(F, np.array([3.0, 0.5]))
    assert crowd_w[1] == pytest.approx(3.0 + 0.5)


def test_crowding_of_five_points_by_hand():
    G = np.array([[0, 10], [1, 6], [3, 5], [6, 2], [10, 0]], dtype=float)
    d = weighted_crowding_distance(G, np.array([1.0, 2.0]))
    # objective 0 (span 10): gaps 3/10, 5/10, 7/10; objective 1 (span 10, weight 2): 5/10, 4/10, 5/10
    assert d[1:4] == pytest.approx([0.3 + 1.0, 0.5 + 0.8, 0.7 + 1.0])
    assert np.isinf(d[0]) and np.isinf(d[4])
    flat = weighted_crowding_distance(np.array([[0, 1], [0, 2], [0, 3.0]]), np.ones(2))
    assert np.isinf(flat[[0, 2]]).all() and flat[1] == pytest.approx(1.0)  # no span in objective 0: no gap


def test_survivors_by_hand():
    w = np.ones(2)
    assert select_survivors(F, 3, w).tolist() == [0, 1, 3]
    assert select_survivors(F, 4, w).tolist() == [0, 1, 3, 2]  # front 1 is all boundary: lower index first
    assert select_survivors(F, 5, w).tolist() == [0, 1, 3, 2, 4]
    assert select_survivors(F, 6, w).tolist() == [0, 1, 3, 2, 4, 5]
    assert select_survivors(F, 2, w).tolist() == [0, 3]  # the finite-crowding middle of front 0 goes first
    G = np.array([[0, 10], [1, 6], [3, 5], [6, 2], [10, 0]], dtype=float)
    assert select_survivors(G, 4, np.array([1.0, 2.0])).tolist() == [0, 4, 3, 1]  # crowding 1.7, then 1.3 twice


def test_tournament_decides_by_rank_then_crowding_then_first_draw():
    class Fixed:  # an rng that draws the given pair
        def __init__(self, a, b):
            self.pair = np.array([a, b])

        def integers(self, *args, **kwargs):
            return self.pair

    rank, crowd = np.array([1, 0, 0]), np.array([9.0, 1.0, 2.0])
    assert binary_tournament(rank, crowd, Fixed(0, 1)) == 1 and binary_tournament(rank, crowd, Fixed(1, 0)) == 1
    assert binary_tournament(rank, crowd, Fixed(1, 2)) == 2 and binary_tournament(rank, crowd, Fixed(2, 1)) == 2
    tie = np.array([1.0, 1.0, 1.0])
    assert binary_tournament(rank, tie, Fixed(2, 1)) == 2 and binary_tournament(rank, tie, Fixed(1, 2)) == 1
