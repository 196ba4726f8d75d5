"""A budget at or above the number of distinct feasible networks ends with every one of them
evaluated ("exhausted"), never with an error - for every budgeted searcher and for NSGA-II whose
populations span the space, over 20 seeds, with and without a cost limit."""
import pytest

from mixpath_bench.search import Constraints, build_searcher

from .network_toy import S4, NetworkEvaluator

NETWORKS = S4.num_networks()  # 34


def feasible(evaluator, constraints):
    keys = {}
    for arch in S4.enumerate():
        if constraints.cost_ok(evaluator.complexity(arch)):
            keys[S4.canonical_key(arch)] = arch
    return set(keys)


@pytest.mark.parametrize("name", ["local", "random", "evolution"])
@pytest.mark.parametrize("max_madds", [None, 12.0])
def test_budgeted_searchers_end_exhausted_at_a_budget_of_every_network(name, max_madds):
    constraints = Constraints(max_madds=max_madds)
    for seed in range(20):
        ev = NetworkEvaluator()
        want = feasible(ev, constraints)
        settings = {"seed": seed, "budget": NETWORKS, **({"population": 6, "sample_size": 3} if name == "evolution"
                                                         else {})}
        res = build_searcher(name, S4, settings, constraints=constraints).run(ev, log=lambda _: None)
        assert res.extra["exhausted"] is True, (name, seed)
        assert {h["key"] for h in res.history} == want and res.evaluations == len(want), (name, seed)
        assert max(ev.calls.values()) == 1  # each network evaluated once


@pytest.mark.parametrize("max_madds", [None, 12.0])
def test_nsga2_whose_populations_span_the_feasible_networks_never_raises(max_madds):
    constraints = Constraints(max_madds=max_madds)
    for seed in range(20):
        ev = NetworkEvaluator()
        half = len(feasible(ev, constraints)) // 2
        res = build_searcher("nsga2", S4, {"seed": seed, "population": half, "generations": 3, "k": 3},
                             constraints=constraints).run(ev, log=lambda _: None)
        assert res.evaluations <= 2 * half + 1 and res.picks, seed
