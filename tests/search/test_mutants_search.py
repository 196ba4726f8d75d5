"""Searchers' settings, checkpoints, counters, logs and picks, pinned exactly.

Written against the mutants that survived the rest of the suite (docs/mutation.md): a settings key
that is misspelt changes what a resumed search compares; a counter that is off changes what a
report says; a pick taken from the wrong pool changes what the user trains.
"""
import dataclasses
import json
import re

import numpy as np
import pytest

from mixpath_bench.search import (Constraints, LocalSearch, NSGA2Search, NSGA2Settings, RandomSearch,
                                  RegularizedEvolution, SearchError)
from mixpath_bench.search.state import check_objectives, rng_state
from mixpath_bench.spaces import get_space

from .network_toy import S4, NetworkEvaluator
from .toy import ToyEvaluator

SPACE = get_space("S1", 2)
QUIET = dict(log=lambda s: None)


def rng0(seed=0):
    return rng_state(np.random.default_rng(seed))


# -- settings and fresh states (what a resumed search is compared against) ---------------------------
def test_nsga2_settings_defaults_and_fresh_state():
    search = NSGA2Search(SPACE, NSGA2Settings(population=4, generations=3))
    assert search.settings() == {
        "space": "S1", "m": 2, "population": 4, "generations": 3, "objectives": [("acc", "max"), ("madds", "min")],
        "weights": [1.0, 1.0], "min_acc": None, "max_madds": None, "k": 5, "mutation_prob": 0.1,
        "mutation": "local", "seed": 0}
    assert search.max_tries == 800
    assert search.fresh_state() == {
        "algorithm": "nsga2", "settings": search.settings(), "generation": 0, "P": [], "Q": [], "metrics": {},
        "order": [], "rejected": {"madds": 0, "acc": 0, "duplicate": 0}, "history": [], "rng": rng0(),
        "done": False}
    other = NSGA2Search(SPACE, NSGA2Settings(population=4, generations=3, weights=[2, 0.5], k=2, mutation_prob=0.3,
                                             mutation="redraw", seed=7, max_tries=9),
                        constraints=Constraints(min_acc=50.0, max_madds=10.0))
    assert other.settings() == {
        "space": "S1", "m": 2, "population": 4, "generations": 3, "objectives": [("acc", "max"), ("madds", "min")],
        "weights": [2.0, 0.5], "min_acc": 50.0, "max_madds": 10.0, "k": 2, "mutation_prob": 0.3,
        "mutation": "redraw", "seed": 7}
    assert other.weights.dtype == float and other.max_tries == 9 and other.fresh_state()["rng"] == rng0(7)


def test_budgeted_settings_defaults_and_fresh_states():
    base = {"space": "S4", "m": 4, "budget": 7, "min_acc": None, "max_madds": 5.0, "seed": 0}
    fresh = {"order": [], "metrics": {}, "accepted": [], "population": [], "tries": 0, "done": False,
             "exhausted": False, "skipped": 0, "stale": 0, "rng": rng0()}
    random = RandomSearch(S4, budget=7, constraints=Constraints(max_madds=5.0))
    assert random.settings() == base and random.max_tries == 1400
    assert random.fresh_state() == {"algorithm": "random", "settings": base, **fresh}
    local = LocalSearch(S4, budget=7, constraints=Constraints(max_madds=5.0))
    assert local.fresh_state() == {"algorithm": "local", "settings": base, **fresh, "current": None, "pending": [],
                                   "optima": []}
    evo = RegularizedEvolution(S4, budget=7, constraints=Constraints(max_madds=5.0))
    assert evo.settings() == {**base, "population": 20, "sample_size": 5, "mutation_prob": 0.25, "mutation": "local"}
    assert evo.fresh_state() == {"algorithm": "evolution", "settings": evo.settings(), **fresh}


# -- constructor checks: boundaries and messages -----------------------------------------------------
def test_nsga2_constructor_boundaries_and_messages():
    NSGA2Search(SPACE, NSGA2Settings(population=2, generations=1))
    for population, generations in ((1, 1), (2, 0)):
        with pytest.raises(SearchError, match=r"^NSGA-II needs population >= 2 and generations >= 1$"):
            NSGA2Search(SPACE, NSGA2Settings(population=population, generations=generations))
    with pytest.raises(SearchError, match=r"^nsga2: mutation must be one of local, redraw, got 'flip'$"):
        NSGA2Search(SPACE, NSGA2Settings(population=2, generations=1, mutation="flip"))
    NSGA2Search(S4, NSGA2Settings(population=17, generations=1))  # 2 * 17 = 34 networks: exactly enough
    with pytest.raises(SearchError, match=r"^nsga2: population 18 needs 36 distinct networks for P0 and Q0; "
                                          r"S4 \(m=4\) has 34$"):
        NSGA2Search(S4, NSGA2Settings(population=18, generations=1))
    with pytest.raises(SearchError, match=r"^2 objectives need 2 weights$"):
        NSGA2Search(SPACE, NSGA2Settings(population=2, generations=1, weights=[1.0]))
    with pytest.raises(SearchError, match=r"^objective 'acc' has sense 'up'; use 'max' or 'min'$"):
        check_objectives([("acc", "up")])
    with pytest.raises(SearchError, match=r"^give at least one objective, e\.g\. \[\('acc', 'max'\), "
                                          r"\('madds', 'min'\)\]$"):
        check_objectives([])


def test_evolution_constructor_boundaries_and_messages():
    RegularizedEvolution(S4, budget=5, population=3, sample_size=1, mutation_prob=1.0)
    RegularizedEvolution(S4, budget=5, population=3, sample_size=3, mutation_prob=0.01)
    for sample_size in (0, 4):
        with pytest.raises(SearchError, match=r"^evolution needs 1 <= sample_size <= population$"):
            RegularizedEvolution(S4, budget=5, population=3, sample_size=sample_size)
    with pytest.raises(SearchError, match=r"^evolution: mutation must be one of local, redraw, got 'flip'$"):
        RegularizedEvolution(S4, budget=5, mutation="flip")
    for prob in (0.0, 1.5):
        with pytest.raises(SearchError, match=rf"^evolution: mutation_prob must be in \(0, 1\], got {prob}$"):
            RegularizedEvolution(S4, budget=5, mutation_prob=prob)


# -- NSGA-II run: checkpoints, generations, log lines ------------------------------------------------
def test_nsga2_checkpoints_the_initial_populations_and_each_generation(tmp_path):
    n, ckpt = 6, tmp_path / "s.json"
    with pytest.raises(KeyboardInterrupt):  # unconstrained: P0 and Q0 take exactly 2n evaluations
        NSGA2Search(SPACE, NSGA2Settings(population=n, generations=3, seed=1)).run(
            ToyEvaluator(fail_after=2 * n), checkpoint=ckpt, **QUIET)
    state = json.loads(ckpt.read_text())
    assert state["generation"] == 0 and len(state["P"]) == len(state["Q"]) == n and state["done"] is False
    lines = []
    result = NSGA2Search(SPACE, NSGA2Settings(population=n, generations=3, seed=1)).run(
        ToyEvaluator(), checkpoint=ckpt, log=lines.append)
    state = json.loads(ckpt.read_text())
    assert state["done"] is True and state["generation"] == 3 and len(state["Q"]) == n
    assert [h["generation"] for h in state["history"]] == [1, 2, 3]
    assert result.extra["population"] == state["P"] == state["history"][-1]["P"]
    assert lines[0] == f"nsga2: initial populations ready, {2 * n} evaluated"  # resume=False: a fresh start
    pattern = r"nsga2: generation: (\d)/3 \(\d+ s(, about \d+ s left)?\)  front (\d+)  best acc (\d+\.\d\d)  " \
              r"networks evaluated (\d+)"
    matches = [re.fullmatch(pattern, line) for line in lines[1:]]
    assert all(matches) and [int(m.group(1)) for m in matches] == [1, 2, 3]
    for m, h in zip(matches, state["history"]):
        assert (int(m.group(3)), m.group(4), int(m.group(5))) == (h["front_size"], f"{h['best_acc']:.2f}",
                                                                   h["evaluated"])


def test_nsga2_resume_counts_generations_on(tmp_path):
    ckpt = tmp_path / "s.json"
    full = NSGA2Search(SPACE, NSGA2Settings(population=6, generations=4, seed=2)).run(ToyEvaluator(), **QUIET)
    after_two = full.extra["generations"][1]["evaluated"]
    with pytest.raises(KeyboardInterrupt):
        NSGA2Search(SPACE, NSGA2Settings(population=6, generations=4, seed=2)).run(
            ToyEvaluator(fail_after=after_two), checkpoint=ckpt, **QUIET)
    assert json.loads(ckpt.read_text())["generation"] == 2
    lines = []
    NSGA2Search(SPACE, NSGA2Settings(population=6, generations=4, seed=2)).run(
        ToyEvaluator(), checkpoint=ckpt, resume=True, log=lines.append)
    assert [line.split()[2] for line in lines] == ["3/4", "4/4"]


def test_nsga2_uses_the_configured_mutation_operator():
    class Spy:
        def __init__(self):
            self.operators = set()

        def mutate(self, arch, rng, prob, operator="local"):
            self.operators.add(operator)
            return SPACE.mutate(arch, rng, prob, operator)

        def __getattr__(self, name):
            return getattr(SPACE, name)

    spy = Spy()
    NSGA2Search(spy, NSGA2Settings(population=4, generations=1, mutation="redraw")).run(ToyEvaluator(), **QUIET)
    assert spy.operators == {"redraw"}


# -- NSGA-II picks -------------------------------------------------------------------------------------
def _state(points, P, order=None):
    metrics = {k: dict(zip(("acc", "madds", "params"), v)) for k, v in points.items()}
    return {"P": P, "order": order or list(points), "metrics": metrics}


def test_picks_fill_from_the_other_feasible_networks_when_p_is_small():
    points = {"a": (90, 50, 1), "b": (80, 10, 1), "c": (95, 90, 1), "d": (70, 5, 1), "e": (99, 1, 1),
              "f": (85, 40, 1)}
    search = NSGA2Search(SPACE, NSGA2Settings(population=2, generations=1, k=4), constraints=Constraints(min_acc=75.0))
    # P = {a, b} gives two picks; the other feasible networks are c, e, f (d fails min_acc, a and b are
    # held): e dominates c and f, so e, then one of the front {c, f} equispaced along madds (its minimum, f)
    assert search._picks(_state(points, ["a", "b"])) == ["e", "b", "f", "a"]  # by madds


def test_picks_by_the_last_objective_when_it_is_maximised():
    points = {"a": (90, 50, 1), "b": (80, 10, 1), "c": (70, 5, 1)}
    search = NSGA2Search(SPACE, NSGA2Settings(population=3, generations=1, k=3,
                                              objectives=[("madds", "min"), ("acc", "max")]))
    assert search._picks(_state(points, ["a", "b", "c"])) == ["a", "b", "c"]  # most accurate first


def test_picks_are_equispaced_along_the_last_of_three_objectives():
    # one front of five; params and madds order the points differently
    points = {"a": (90, 100, 0), "b": (89, 50, 3), "c": (88, 40, 4), "d": (80, 30, 1), "e": (70, 0, 2)}
    by_madds = NSGA2Search(SPACE, NSGA2Settings(population=5, generations=1, k=3))
    assert by_madds._picks(_state(points, list(points))) == ["e", "b", "a"]  # madds 0, 50, 100
    three = NSGA2Search(SPACE, NSGA2Settings(population=5, generations=1, k=3,
                                             objectives=[("acc", "max"), ("madds", "min"), ("params", "min")]))
    assert three._picks(_state(points, list(points))) == ["a", "e", "c"]  # params 0, 2, 4


# -- budgeted searchers: counters, hooks, resume -----------------------------------------------------
class Counting(NetworkEvaluator):
    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.complexity_calls = 0

    def complexity(self, arch):
        self.complexity_calls += 1
        return super().complexity(arch)


def test_random_search_counters_stale_and_reject_hook():
    trace, rejects = [], []

    class Traced(RandomSearch):
        def propose(self, state, rng):
            trace.append((state["stale"], len(state["metrics"]), state["skipped"], state["tries"]))
            return super().propose(state, rng)

        def reject(self, state, key, rng):
            rejects.append((key, key in state["metrics"]))

    ev = Counting()
    networks = {S4.canonical_key(a): a for a in S4.enumerate()}.values()
    limit = sorted(ev.complexity(a)["madds"] for a in networks)[20]  # 21 or more networks within the limit
    result = Traced(S4, budget=15, constraints=Constraints(max_madds=limit), seed=4).run(ev, **QUIET)
    assert result.extra["proposals"] == len(trace) == result.evaluations + result.extra["skipped_proposals"]
    assert [t[3] for t in trace] == list(range(1, len(trace) + 1))  # counted before each proposal
    for (stale, n, skipped, _), (stale2, n2, skipped2, _) in zip(trace, trace[1:]):
        if n2 == n:  # the proposal between was skipped: one more in a row
            assert (stale2, skipped2) == (stale + 1, skipped + 1)
        else:
            assert (n2, stale2, skipped2) == (n + 1, 0, skipped)
    # over the cost limit: the hook gets None; already evaluated: the network's key
    assert (None, False) in rejects and all(evaluated for key, evaluated in rejects if key is not None)
    assert any(key is not None for key, _ in rejects)


def test_budget_search_gives_up_after_exactly_max_tries():
    ev = Counting()
    with pytest.raises(SearchError, match=r"^random: only 0 of 2 evaluations after 400 proposals; relax max_madds$"):
        RandomSearch(S4, budget=2, constraints=Constraints(max_madds=0.0)).run(ev, **QUIET)
    assert ev.complexity_calls == 400 + 34  # the proposals, then one look at each network: none is feasible


def test_budgeted_resume_is_opt_in_and_checks_the_algorithm(tmp_path):
    ckpt = tmp_path / "s.json"
    first = Counting()
    RandomSearch(S4, budget=12, seed=1).run(first, checkpoint=ckpt, **QUIET)
    again = Counting()
    RandomSearch(S4, budget=12, seed=1).run(again, checkpoint=ckpt, **QUIET)  # resume=False: from scratch
    assert sum(again.calls.values()) == sum(first.calls.values()) == 12
    with pytest.raises(SearchError, match=rf"^{re.escape(str(ckpt))} was written by a search with other settings; "
                                          r"use another work dir$"):
        LocalSearch(S4, budget=12, seed=1).run(NetworkEvaluator(), checkpoint=ckpt, resume=True, **QUIET)


def test_budgeted_resume_continues_the_progress_count(tmp_path):
    ckpt = tmp_path / "s.json"
    with pytest.raises(KeyboardInterrupt):
        RandomSearch(SPACE, budget=25, seed=1).run(ToyEvaluator(fail_after=12), checkpoint=ckpt, **QUIET)
    assert len(json.loads(ckpt.read_text())["metrics"]) == 10  # checkpointed every 10 evaluations
    lines = []
    RandomSearch(SPACE, budget=25, seed=1).run(ToyEvaluator(), checkpoint=ckpt, resume=True, log=lines.append)
    assert lines[0].startswith("random: networks evaluated: 11/25 (") and lines[-1].startswith(
        "random: networks evaluated: 25/25 (")


# -- registry -----------------------------------------------------------------------------------------
def test_register_searcher_sets_the_name_and_refuses_a_second_registration():
    from mixpath_bench.search.registry import SEARCHERS, register_searcher

    try:
        @register_searcher("test_only_searcher")
        class Mine:
            pass

        assert SEARCHERS["test_only_searcher"] is Mine and Mine.name == "test_only_searcher"
        with pytest.raises(ValueError, match=r"^searcher 'test_only_searcher' is registered twice$"):
            register_searcher("test_only_searcher")(type("Other", (), {}))
        assert SEARCHERS["test_only_searcher"] is Mine
    finally:
        SEARCHERS.pop("test_only_searcher", None)


def test_check_settings_keys_and_messages():
    from mixpath_bench.search.registry import SEARCHERS, check_settings

    assert check_settings("random", {}) == {"budget", "seed", "checkpoint_every", "constraints"}
    for key in ("space", "constraints", "supernet", "device"):  # set by the job, never by a config section
        with pytest.raises(SearchError, match=rf"^searchers\.random: unknown key\(s\) {key}; allowed: budget, "
                                              r"checkpoint_every, seed$"):
            check_settings("random", {key: 1})
    with pytest.raises(SearchError, match=r"^searchers\.random: unknown key\(s\) a, b; allowed: "):
        check_settings("random", {"b": 1, "a": 2})
    with pytest.raises(SearchError, match=rf"^unknown searcher 'nope'; registered: {', '.join(sorted(SEARCHERS))}$"):
        check_settings("nope", {})


def test_settings_objects_keep_the_config_keys_and_messages():
    """NSGA-II takes a frozen `NSGA2Settings`; a config's keys are its fields, checked like constructor arguments."""
    from mixpath_bench.search import build_searcher
    from mixpath_bench.search.registry import check_settings, setting_types

    keys = {"population", "generations", "objectives", "weights", "k", "mutation_prob", "mutation", "seed", "max_tries"}
    assert set(setting_types(NSGA2Search)) == keys and check_settings("nsga2", {}) == keys | {"constraints"}
    with pytest.raises(SearchError, match=r"^searchers\.nsga2: unknown key\(s\) populaton; allowed: generations, k, "
                                          r"max_tries, mutation, mutation_prob, objectives, population, seed, weights$"):
        check_settings("nsga2", {"populaton": 4})
    with pytest.raises(SearchError, match=r"^searchers\.nsga2\.generations must be a whole number, got 2\.5$"):
        check_settings("nsga2", {"generations": 2.5})
    built = build_searcher("nsga2", SPACE, {"population": 4, "generations": 3, "weights": None, "seed": 7},
                           constraints=Constraints(max_madds=10.0), budget=99)
    direct = NSGA2Search(SPACE, NSGA2Settings(population=4, generations=3, seed=7), Constraints(max_madds=10.0))
    assert built.settings() == direct.settings() and built.max_tries == direct.max_tries == 800
    with pytest.raises(SearchError, match=r"^NSGA-II needs population >= 2 and generations >= 1$"):
        build_searcher("nsga2", SPACE, {"population": 1, "generations": 3})
    with pytest.raises(dataclasses.FrozenInstanceError):  # frozen: settings are values
        NSGA2Settings(population=4, generations=3).population = 5


def test_every_searcher_checkpoints_through_one_loop(tmp_path):
    """Every registered searcher that scores candidates runs `CheckpointedSearch.run`: a checkpoint of
    another algorithm or other settings is refused with the same line, its own is resumed."""
    from mixpath_bench.bench.searchers import register_searchers
    from mixpath_bench.search import SEARCHERS, CheckpointedSearch, build_searcher

    register_searchers()
    scoring = [name for name, cls in SEARCHERS.items() if not getattr(cls, "trains_weights", False)]
    assert {"nsga2", "random", "evolution", "local"} <= set(scoring)
    for name in scoring:  # every one registered, not a fixed list: a new searcher is held to the loop too
        cls = SEARCHERS[name]
        assert issubclass(cls, CheckpointedSearch) and cls.run is CheckpointedSearch.run, name
    ckpt = tmp_path / "s.json"
    done = RandomSearch(S4, budget=3, seed=1).run(NetworkEvaluator(), checkpoint=ckpt, **QUIET)
    again = RandomSearch(S4, budget=3, seed=1).run(NetworkEvaluator(), checkpoint=ckpt, resume=True, **QUIET)
    assert again.history == done.history
    for other in (RandomSearch(S4, budget=3, seed=2), LocalSearch(S4, budget=3, seed=1),
                  build_searcher("nsga2", S4, {"population": 2, "generations": 1, "seed": 1})):
        with pytest.raises(SearchError, match=rf"^{re.escape(str(ckpt))} was written by a search with other settings; "
                                              "use another work dir$"):
            other.run(NetworkEvaluator(), checkpoint=ckpt, resume=True, **QUIET)


def test_build_searcher_job_defaults_fill_missing_and_none_settings():
    from mixpath_bench.search import build_searcher

    searcher = build_searcher("random", S4, {"budget": None, "seed": 2}, budget=7, constraints=Constraints(max_madds=3))
    assert (searcher.budget, searcher.seed, searcher.constraints.max_madds) == (7, 2, 3)
    assert build_searcher("random", S4, {"budget": 4, "seed": None}, budget=7).seed is None  # None kept: no default


# -- local search and evolution hooks ------------------------------------------------------------------
def _evaluated(search, archs, ev):
    state = search.fresh_state()
    for arch in archs:
        key = S4.canonical_key(arch)
        state["metrics"][key] = {**ev([arch])[0], "arch": S4.canonical(arch).to_string()}
    return state


def test_local_search_reject_moves_only_to_an_evaluated_feasible_better_network():
    ev = NetworkEvaluator()
    archs = sorted(S4.enumerate(), key=lambda a: (ev.accuracy(a), ev.complexity(a)["madds"]))
    low, high = archs[0], archs[-1]
    keys = [S4.canonical_key(a) for a in (low, high)]
    search = LocalSearch(S4, budget=5, constraints=Constraints(max_madds=ev.complexity(high)["madds"] - 1))
    state = _evaluated(search, [low, high], ev)
    rng = np.random.default_rng(0)
    search.reject(state, None, rng)
    search.reject(state, "S4:not-evaluated", rng)
    search.reject(state, keys[1], rng)  # evaluated but over the cost limit
    assert state["current"] is None and state["pending"] == []
    search.reject(state, keys[0], rng)  # evaluated and feasible: a start at no cost
    assert state["current"] == keys[0]
    pending = [S4.canonical_key(S4.parse(a)) for a in state["pending"]]
    assert pending and len(set(pending)) == len(pending) and keys[0] not in pending  # each neighbour network once
    picky = LocalSearch(S4, budget=5, constraints=Constraints(min_acc=ev.accuracy(high)))
    state = _evaluated(picky, [high], ev)
    picky.reject(state, keys[1], rng)  # fails min_acc (not above it)
    assert state["current"] is None


def test_local_search_moves_only_to_strictly_better_and_never_restarts_at_an_optimum():
    ev = NetworkEvaluator()
    by_acc = {}
    for arch in S4.enumerate():
        by_acc.setdefault(ev.accuracy(arch), []).append(arch)
    twins = next(v for v in by_acc.values() if len({S4.canonical_key(a) for a in v}) >= 2)
    a, b = twins[0], next(x for x in twins if S4.canonical_key(x) != S4.canonical_key(twins[0]))
    search = LocalSearch(S4, budget=5)
    state = _evaluated(search, [a, b], ev)
    rng = np.random.default_rng(0)
    search._consider(state, S4.canonical_key(a), rng)
    search._consider(state, S4.canonical_key(b), rng)  # equally accurate: no move
    assert state["current"] == S4.canonical_key(a)
    state["pending"] = []
    search.propose(state, rng)  # no neighbour left: a is a local optimum, then a restart
    assert state["optima"] == [S4.canonical_key(a)] and state["current"] is None
    search._consider(state, S4.canonical_key(a), rng)
    assert state["current"] is None  # a restart never starts from a known optimum


def test_evolution_proposals_take_the_best_of_a_sample_without_replacement_and_differ_from_it():
    ev = NetworkEvaluator()
    archs = list({S4.canonical_key(a): a for a in S4.enumerate()}.values())[:5]
    parents = []

    class Spy:
        def mutate(self, arch, rng, prob, operator="local"):
            parents.append(S4.canonical_key(arch))
            return S4.mutate(arch, rng, prob, operator)

        def __getattr__(self, name):
            return getattr(S4, name)

    evo = RegularizedEvolution(Spy(), budget=30, population=5, sample_size=5, mutation_prob=0.3)
    state = _evaluated(evo, archs, ev)
    state["population"] = list(state["metrics"])
    best = max(state["population"], key=lambda k: state["metrics"][k]["acc"])
    for seed in range(40):
        child = evo.propose(state, np.random.default_rng(seed))
        assert S4.canonical_key(child) != best  # redrawn until it is another network
    assert set(parents) == {best}  # a sample of the whole population always holds its best


def test_evolution_samples_uniformly_after_stale_proposals():
    ev = NetworkEvaluator()
    archs = list({S4.canonical_key(a): a for a in S4.enumerate()}.values())[:5]
    evo = RegularizedEvolution(S4, budget=30, population=5, sample_size=2)
    state = _evaluated(evo, archs, ev)
    state["population"] = list(state["metrics"])
    state["stale"] = RegularizedEvolution.STALE
    for seed in range(5):
        rng, same = np.random.default_rng(seed), np.random.default_rng(seed)
        assert evo.propose(state, rng) == S4.sample(same) and rng_state(rng) == rng_state(same)


def test_evolution_reject_readmits_a_known_accepted_network_only_into_a_full_population():
    ev = NetworkEvaluator()
    archs = list({S4.canonical_key(a): a for a in S4.enumerate()}.values())[:4]
    keys = [S4.canonical_key(a) for a in archs]
    evo = RegularizedEvolution(S4, budget=30, population=3, sample_size=2)
    state = _evaluated(evo, archs, ev)
    state["accepted"] = list(keys)
    state["population"] = keys[:2]
    rng = np.random.default_rng(0)
    evo.reject(state, keys[3], rng)  # not full yet: no change
    assert state["population"] == keys[:2]
    state["population"] = keys[:3]
    evo.reject(state, None, rng)
    evo.reject(state, keys[0], rng)  # held already
    assert state["population"] == keys[:3]
    state["accepted"] = keys[:3]
    evo.reject(state, keys[3], rng)  # evaluated but never accepted (failed min_acc)
    assert state["population"] == keys[:3]
    state["accepted"] = list(keys)
    evo.reject(state, keys[3], rng)  # full, known, accepted: joins and the oldest leaves
    assert state["population"] == [keys[1], keys[2], keys[3]]


# -- results and small helpers -------------------------------------------------------------------------
def test_constraints_are_inclusive_for_cost_and_strict_for_accuracy():
    limits = Constraints(min_acc=70.0, max_madds=5.0)
    assert limits.cost_ok({"madds": 5.0}) and not limits.cost_ok({"madds": 5.001})
    assert not limits.acc_ok({"acc": 70.0}) and limits.acc_ok({"acc": 70.001})
    assert Constraints().cost_ok({"madds": 1e30}) and Constraints().acc_ok({"acc": -1.0})


def test_budget_checks_and_a_search_that_accepts_nothing():
    RandomSearch(S4, budget=1)
    for budget in (0, None):
        with pytest.raises(SearchError, match=rf"^random: the evaluation budget must be an integer >= 1, "
                                              rf"got {budget!r}$"):
            RandomSearch(S4, budget=budget)
    result = RandomSearch(S4, budget=3, constraints=Constraints(min_acc=100.0)).run(NetworkEvaluator(), **QUIET)
    assert result.evaluations == 3 and result.best is None and result.picks == [] and result.front == []


def test_best_key_ties_go_to_the_first_evaluated_and_costs_add_up():
    from mixpath_bench.search.result import best_key, build_result, front_of

    state = {"order": ["x", "y", "z"],
             "metrics": {"x": {"acc": 80.0, "madds": 1.0, "params": 3.0, "seconds": 1.5},
                         "y": {"acc": 90.0, "madds": 3.0, "params": 2.0, "seconds": 2.0},
                         "z": {"acc": 90.0, "madds": 2.0, "params": 1.0}}}
    assert best_key(state, ["z", "y", "x"]) == "y" and best_key(state, []) is None
    result = build_result("s", "S", state, ["y"], ["z"], ["x", "y", "z"], {"n": 1})
    assert result.cost_seconds == 3.5 and result.best["key"] == "y" and result.extra == {"n": 1}
    assert result.history == [{"key": k, **state["metrics"][k]} for k in "xyz"] and result.evaluations == 3
    assert build_result("s", "S", state, [], [], []).best is None
    state["metrics"]["z"]["acc"] = 85.0  # now x, y and z are mutually non-dominated
    three = [("acc", "max"), ("madds", "min"), ("params", "min")]
    assert front_of(state, ["x", "y", "z"], three) == ["z", "y", "x"]  # by params (madds would give x, z, y)


def test_nsga2_front_uses_its_own_objectives():
    result = NSGA2Search(SPACE, NSGA2Settings(population=6, generations=1, objectives=[("acc", "max")])).run(
        ToyEvaluator(), **QUIET)
    assert len(result.front) == 1 and result.front[0]["acc"] == max(h["acc"] for h in result.history
                                                                     if h["key"] in result.extra["population"])


def test_objective_matrix_signs_and_no_objectives():
    from mixpath_bench.search.state import objective_matrix

    metrics = [{"acc": 90.0, "madds": 3.0}, {"acc": 80.0, "madds": 1.0}]
    np.testing.assert_array_equal(objective_matrix(metrics, [("acc", "max"), ("madds", "min")]),
                                  [[-90.0, 3.0], [-80.0, 1.0]])
    assert objective_matrix(metrics, []).shape == (2, 0)


def test_fronts_of_a_single_point():
    from mixpath_bench.search import non_dominated_fronts

    assert [f.tolist() for f in non_dominated_fronts(np.array([[1.0, 2.0]]))] == [[0]]


# -- ties: stable orders ---------------------------------------------------------------------------------
def test_tied_values_keep_their_order():
    from mixpath_bench.search import equispaced_picks, weighted_crowding_distance
    from mixpath_bench.search.result import front_of

    values = np.array([i % 3 for i in range(60)], dtype=float)  # many ties: a stable sort is needed
    F = np.stack([np.zeros(60), values], axis=1)
    np.testing.assert_array_equal(equispaced_picks(F, 60), np.argsort(values, kind="stable"))
    d = weighted_crowding_distance(np.stack([values, np.zeros(60)], axis=1), np.array([1.0, 0.0]))
    assert np.flatnonzero(np.isinf(d)).tolist() == [0, 59]  # the first minimum and the last maximum
    keys = [f"k{i}" for i in range(60)]
    state = {"metrics": {k: {"acc": float(i), "madds": float(i), "params": float(i % 3)} for i, k in enumerate(keys)}}
    front = front_of(state, keys, [("acc", "max"), ("madds", "min"), ("params", "min")])
    assert front == [k for p in range(3) for i, k in enumerate(keys) if i % 3 == p]


def test_equispaced_picks_come_sorted_by_value_not_index():
    from mixpath_bench.search import equispaced_picks

    F = np.stack([np.zeros(5), np.array([100.0, 60.0, 49.0, 20.0, 0.0])], axis=1)
    assert equispaced_picks(F, 3).tolist() == [4, 2, 0]  # values 0, 49, 100


# -- counters of Algorithm 1's checks and of the budgeted searchers --------------------------------------
def test_admit_counts_every_rejection():
    class Underestimates(ToyEvaluator):  # the cheap estimate says 1, the full evaluation the real cost
        def complexity(self, arch):
            return {"madds": 1.0, "params": 1.0}

        def __call__(self, archs):
            self.calls += len(archs)
            return ToyEvaluator()(archs)

    ev, true = Underestimates(), ToyEvaluator()
    archs = {SPACE.canonical_key(a): a for a in (SPACE.sample(np.random.default_rng(s)) for s in range(40))}
    dear = [a for a in archs.values() if true.complexity(a)["madds"] > 4000.0][:2]
    search = NSGA2Search(SPACE, NSGA2Settings(population=4, generations=1), constraints=Constraints(max_madds=4000.0))
    state = search.fresh_state()
    for arch in dear + dear:  # evaluated (the estimate passed), then over the limit; again from the cache
        assert search._admit(state, arch, set(), ev) is None
    assert state["rejected"] == {"madds": 4, "acc": 0, "duplicate": 0} and ev.calls == 2
    picky = NSGA2Search(SPACE, NSGA2Settings(population=4, generations=1), constraints=Constraints(min_acc=99.0))
    state, taken = picky.fresh_state(), set()
    cheap = list(archs.values())[:2]
    for arch in cheap + cheap:
        assert picky._admit(state, arch, taken, true) is None
    assert state["rejected"] == {"madds": 0, "acc": 4, "duplicate": 0}
    state, taken = search.fresh_state(), {SPACE.canonical_key(a) for a in cheap}
    for arch in cheap + cheap:
        assert search._admit(state, arch, taken, true) is None
    assert state["rejected"] == {"madds": 0, "acc": 0, "duplicate": 4}


def test_budgeted_search_final_checkpoint_and_exhaustion(tmp_path):
    lines = []
    RandomSearch(S4, budget=34, seed=0).run(NetworkEvaluator(), checkpoint=tmp_path / "a.json", log=lines.append)
    state = json.loads((tmp_path / "a.json").read_text())
    assert state["done"] is True and state["exhausted"] is True and len(state["metrics"]) == 34
    assert "random: every feasible network of S4 evaluated (34; budget 34)" in lines  # the budget was just enough
    lines = []
    RandomSearch(S4, budget=35, seed=0).run(NetworkEvaluator(), checkpoint=tmp_path / "b.json", log=lines.append)
    assert json.loads((tmp_path / "b.json").read_text())["exhausted"] is True
    assert "random: every feasible network of S4 evaluated (34; budget 35)" in lines
    lines = []
    RandomSearch(S4, budget=33, seed=0).run(NetworkEvaluator(), checkpoint=tmp_path / "c.json", log=lines.append)
    assert json.loads((tmp_path / "c.json").read_text())["exhausted"] is False  # one network never seen
    assert not any("every feasible network" in line for line in lines)


def test_local_search_under_an_accuracy_limit():
    result = LocalSearch(S4, budget=20, constraints=Constraints(min_acc=85.0), seed=0).run(NetworkEvaluator(),
                                                                                        **QUIET)
    assert result.evaluations == 20 and all(p["acc"] > 85.0 for p in result.picks)


def test_nsga2_tournament_sees_the_weighted_crowding(monkeypatch):
    from mixpath_bench.search import nsga2 as module
    from mixpath_bench.search.operators import rank_and_crowding
    from mixpath_bench.search.state import objective_matrix

    seen, populations = [], []
    original = module.binary_tournament

    def spy(rank, crowd, rng):
        seen.append((rank.copy(), crowd.copy()))
        return original(rank, crowd, rng)

    monkeypatch.setattr(module, "binary_tournament", spy)
    search = NSGA2Search(SPACE, NSGA2Settings(population=8, generations=1, weights=[2.0, 0.25], seed=3))
    offspring = search._offspring

    def record(state, P, rng, evaluator):
        populations.append(objective_matrix([state["metrics"][k] for k in P], search.objectives))
        return offspring(state, P, rng, evaluator)

    search._offspring = record
    search.run(ToyEvaluator(), **QUIET)
    rank, crowd = rank_and_crowding(populations[0], np.array([2.0, 0.25]))
    np.testing.assert_array_equal(seen[0][0], rank)
    np.testing.assert_array_equal(seen[0][1], crowd)
    assert np.isfinite(crowd).any()  # interior points exist, so the weights matter


def test_crowding_with_ties_follows_the_stable_order():
    from mixpath_bench.search import weighted_crowding_distance

    # objective 0 is 0 for even and 1 for odd indices; in stable order the zeros (0, 2, ..., 38) come
    # first, then the ones (1, 3, ..., 39): 0 and 39 are the boundaries, and only the neighbours of the
    # step (38 and 1) see a non-zero gap
    F = np.stack([np.array([i % 2 for i in range(40)], dtype=float), np.zeros(40)], axis=1)
    d = weighted_crowding_distance(F, np.array([1.0, 0.0]))
    expected = np.zeros(40)
    expected[[0, 39]] = np.inf
    expected[[1, 38]] = 1.0
    np.testing.assert_array_equal(d, expected)
