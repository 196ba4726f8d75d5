import json

import pytest

from mixpath_bench.search import Constraints, NSGA2Search, RandomSearch, RegularizedEvolution, SearchError
from mixpath_bench.search.state import objective_matrix
from mixpath_bench.search.operators import non_dominated_fronts
from mixpath_bench.spaces import get_space

from .toy import ToyEvaluator

SPACE = get_space("S1", 2)
CONSTRAINTS = Constraints(min_acc=70.0, max_madds=4000.0)


def nsga(seed=0, **kw):
    args = dict(population=12, generations=4, constraints=CONSTRAINTS, k=4, seed=seed)
    args.update(kw)
    return NSGA2Search(SPACE, **args)


def test_algorithm1_invariants(tmp_path):
    result = nsga().run(ToyEvaluator(), checkpoint=tmp_path / "s.json", log=lambda s: None)
    for key in result["P"] + result["Q"]:
        m = result["metrics"][key]
        assert m["acc"] > 70.0 and m["madds"] <= 4000.0
    assert len(set(result["P"])) == 12 and len(set(result["Q"])) == 12
    pareto = result["pareto"]
    F = objective_matrix(pareto, [("acc", "max"), ("madds", "min")])
    assert len(non_dominated_fronts(F)) == 1  # mutually non-dominated
    # nothing in P_N dominates a Pareto member
    PF = objective_matrix([result["metrics"][k] for k in result["P"]], [("acc", "max"), ("madds", "min")])
    for f in F:
        assert not any((g <= f).all() and (g < f).any() for g in PF)
    assert len(result["picks"]) == 4
    madds = [p["madds"] for p in result["picks"]]
    assert madds == sorted(madds) and madds[0] == pareto[0]["madds"] and madds[-1] == pareto[-1]["madds"]
    assert result["rejected"]["madds"] > 0  # the cost constraint was exercised


def test_no_architecture_is_evaluated_twice():
    ev = ToyEvaluator()
    result = nsga().run(ev, log=lambda s: None)
    assert ev.calls == len(result["metrics"])


def test_same_seed_same_front_other_seed_differs():
    a = nsga(seed=1).run(ToyEvaluator(), log=lambda s: None)["pareto"]
    b = nsga(seed=1).run(ToyEvaluator(), log=lambda s: None)["pareto"]
    c = nsga(seed=2).run(ToyEvaluator(), log=lambda s: None)["pareto"]
    assert a == b and a != c


@pytest.mark.parametrize("fail_after", [5, 30, 41])
def test_resume_equals_uninterrupted(tmp_path, fail_after):
    full = nsga().run(ToyEvaluator(), checkpoint=tmp_path / "full.json", log=lambda s: None)
    ckpt = tmp_path / "killed.json"
    with pytest.raises(KeyboardInterrupt):
        nsga().run(ToyEvaluator(fail_after=fail_after), checkpoint=ckpt, log=lambda s: None)
    resumed = nsga().run(ToyEvaluator(), checkpoint=ckpt, resume=True, log=lambda s: None)
    assert resumed["pareto"] == full["pareto"] and resumed["picks"] == full["picks"]
    assert resumed["P"] == full["P"]


def test_resume_with_other_settings_is_refused(tmp_path):
    ckpt = tmp_path / "s.json"
    nsga(generations=1).run(ToyEvaluator(), checkpoint=ckpt, log=lambda s: None)
    with pytest.raises(SearchError, match="other settings"):
        nsga(generations=2, population=10).run(ToyEvaluator(), checkpoint=ckpt, resume=True, log=lambda s: None)
    ckpt.write_text("{broken")
    with pytest.raises(SearchError, match="not valid JSON"):
        nsga(generations=1).run(ToyEvaluator(), checkpoint=ckpt, resume=True, log=lambda s: None)


def test_unsatisfiable_constraints_fail_clearly():
    with pytest.raises(SearchError, match="relax the constraints"):
        nsga(constraints=Constraints(min_acc=99.9), max_tries=50).run(ToyEvaluator(), log=lambda s: None)


def test_random_search_budget_and_resume(tmp_path):
    rs = lambda: RandomSearch(SPACE, budget=25, constraints=CONSTRAINTS, seed=3)  # noqa: E731
    ev = ToyEvaluator()
    full = rs().run(ev, log=lambda s: None)
    assert len(full["metrics"]) == 25 == ev.calls
    assert all(m["madds"] <= 4000 for m in full["metrics"].values())
    assert all(full["metrics"][k]["acc"] > 70 for k in full["accepted"])
    ckpt = tmp_path / "r.json"
    with pytest.raises(KeyboardInterrupt):
        rs().run(ToyEvaluator(fail_after=13), checkpoint=ckpt, log=lambda s: None)
    assert json.loads(ckpt.read_text())["done"] is False
    resumed = rs().run(ToyEvaluator(), checkpoint=ckpt, resume=True, log=lambda s: None)
    assert resumed["pareto"] == full["pareto"] and resumed["order"] == full["order"]


def test_evolution_beats_random_on_toy_and_resumes(tmp_path):
    evo = lambda: RegularizedEvolution(SPACE, budget=120, population=20, sample_size=5, seed=0)  # noqa: E731
    best_evo = evo().run(ToyEvaluator(), log=lambda s: None)["best"]["acc"]
    best_rand = RandomSearch(SPACE, budget=120, seed=0).run(ToyEvaluator(), log=lambda s: None)["best"]["acc"]
    assert best_evo > best_rand
    ckpt = tmp_path / "e.json"
    with pytest.raises(KeyboardInterrupt):
        evo().run(ToyEvaluator(fail_after=57), checkpoint=ckpt, log=lambda s: None)
    assert evo().run(ToyEvaluator(), checkpoint=ckpt, resume=True, log=lambda s: None)["best"]["acc"] == best_evo


def test_elitism_front_never_gets_worse():
    from pymoo.indicators.hv import HV

    res = nsga(generations=6).run(ToyEvaluator(), log=lambda s: None)
    hv = HV(ref_point=[-70.0, 4000.0])
    objs = [("acc", "max"), ("madds", "min")]
    values = [hv(objective_matrix([res["metrics"][k] for k in h["P"]], objs)) for h in res["history"]]
    assert len(values) == 6
    assert all(b >= a - 1e-9 for a, b in zip(values, values[1:]))
    assert values[-1] > values[0]
