"""The reference ranking protocol as the public MixPath code runs it: its sampler (checked against the
published lines, seed by seed), per-choice scores, the drop by the uncalibrated order, the truth on
training images and one random repeat, on hand-made fixtures."""
import random
from collections import Counter

import numpy as np
import pytest

from mixpath_bench.bench.protocol import (ROWS, Choice, Scores, candidate_tau, distinct_choice_count, drop_lowest,
                                          protocol_taus, reference_choices)
from mixpath_bench.bench.ranking import ranking_archs
from mixpath_bench.spaces import get_space

S4 = get_space("S4")
ARCHS = ranking_archs(S4, 0)
KEYS = [S4.canonical_key(a) for a in ARCHS]


def published_random_choice(m):
    """``nas_utils.random_choice`` as published (global numpy and random generators)."""
    m_ = np.random.randint(low=1, high=m + 1, size=1)[0]
    path_list = random.sample(range(m), m_)
    ops = []
    for _ in range(m_):
        ops.append(random.sample(range(3), 1)[0])
    return {"op": ops, "path": path_list}


def published_candidates(m, n, seed):
    """``set_seed`` then ``validate_search``'s loop n times: redraw while the choice was seen."""
    np.random.seed(seed)
    random.seed(seed)
    check_dict = []
    for _ in range(n):
        choice = published_random_choice(m)
        while choice in check_dict:
            choice = published_random_choice(m)
        check_dict.append(choice)
    return check_dict


@pytest.mark.parametrize("seed", [0, 2020])
def test_sampler_is_the_reference_loop_seed_by_seed(seed):
    ours, note = reference_choices(4, 1000, seed)
    theirs = published_candidates(4, 1000, seed)
    assert note is None
    assert [(list(c.path), list(c.op)) for c in ours] == [(c["path"], c["op"]) for c in theirs]
    # 1,000 distinct choices (position order counts); per number of paths about 12 / 107 / 380 / 500
    assert len(set(ours)) == 1000
    counts = Counter(len(c.path) for c in ours)
    assert counts[1] == 12 and 80 <= counts[2] <= 108 and 330 <= counts[3] <= 430 and 450 <= counts[4] <= 560
    assert counts == Counter(len(c["path"]) for c in theirs)


def test_sampler_stops_at_the_distinct_choices_with_a_note():
    assert [distinct_choice_count(m) for m in (1, 2, 3, 4)] == [3, 24, 225, 2712]
    two, note = reference_choices(2, 1000, 0)
    assert len(two) == len(set(two)) == 24 and "never end" in note and "24" in note
    assert {p for c in two for p in c.path} == {0, 1}  # the first m positions only
    three, note = reference_choices(3, 1000, 1)
    assert len(set(three)) == 225 and "225" in note


def test_a_choice_runs_its_own_node_positions():
    assert Choice((2, 0), (1, 2)).arch(S4).to_string() == Choice((0, 2), (2, 1)).arch(S4).to_string()
    a, b = Choice((0,), (1,)).arch(S4), Choice((3,), (1,)).arch(S4)
    assert a.to_string() != b.to_string() and S4.canonical_key(a) == S4.canonical_key(b)  # one network, two encodings


def test_drop_uses_the_order_before_calibration():
    # before calibration candidate 0 is the lowest; after calibration candidate 1 is
    scores = {"e0": (5.0, 1.0), "e1": (1.0, 4.0), "e2": (3.0, 3.0), "e3": (4.0, 2.5)}
    truth = {"k0": [4.0], "k1": [1.0], "k2": [2.0], "k3": [3.0]}
    rng = np.random.default_rng(0)
    enc, keys = ["e0", "e1", "e2", "e3"], ["k0", "k1", "k2", "k3"]
    assert candidate_tau(enc, keys, scores, truth, False, 0, rng) == pytest.approx(1.0)
    # dropping by the uncalibrated order removes e0: after = 1 3 4 vs truth 1 2 3 -> still perfect
    assert candidate_tau(enc, keys, scores, truth, False, 1, rng) == pytest.approx(1.0)
    # a drop by the calibrated order would have removed e1 instead: after = 5 3 4 vs 4 2 3 -> 1.0 too, so
    # make the two orders disagree on the result
    scores["e0"] = (0.5, 1.0)  # now e0 is lowest after calibration too, but truth says it is best
    scores["e1"] = (2.0, 0.0)  # and e1 is lowest before calibration
    kept_by_uncalibrated = candidate_tau(enc, keys, scores, truth, False, 1, rng)  # drops e1
    assert kept_by_uncalibrated == pytest.approx((1 - 2) / 3)  # 0.5 3 4 vs 4 2 3: one concordant pair of three
    assert drop_lowest(np.array([1.0, 0.0, 3.0, 2.5]), 1).tolist() == [0, 2, 3]
    with pytest.raises(ValueError, match="fewer than 3"):
        drop_lowest(np.arange(5.0), 3)


def test_one_repeat_is_drawn_per_candidate():
    scores = {"a": (1.0, 1.0), "b": (2.0, 2.0), "c": (3.0, 3.0)}
    truth = {"a": [0.0, 100.0], "b": [50.0, 50.0], "c": [60.0, 60.0]}
    taus = {candidate_tau(["a", "b", "c"], ["a", "b", "c"], scores, truth, True, 0, np.random.default_rng(s))
            for s in range(20)}
    assert sorted(taus) == pytest.approx([-1 / 3, 1.0])  # 'a' drew 0 (perfect) or 100 (two discordant pairs)


def per_encoding_scores(value):
    """Scores of all 255 encodings: `value(arch)` before and after calibration alike."""
    return {a.to_string(): (value(a), value(a)) for a in S4.enumerate()}


def test_protocol_rows_separate_each_choice():
    mean = {k: float(i) for i, k in enumerate(KEYS)}
    truth = {k: [v, v + 40.0 * (i % 2)] for i, (k, v) in enumerate(mean.items())}  # noisy repeats
    training = {k: [-float(np.mean(v))] for k, v in truth.items()}  # ranks the other way round
    perfect = per_encoding_scores(lambda a: float(np.mean(truth[S4.canonical_key(a)])))
    reversed_ = {e: (-x, -y) for e, (x, y) in perfect.items()}
    res = protocol_taus(S4, ARCHS, Scores(ours=perfect, test=reversed_), truth, training, samples=1000, drop=30,
                        draws=3)
    rows = res["rows"]
    assert list(rows) == list(ROWS) and res["drop_distinct"] == 1 and res["candidates"] == 1000
    assert rows["ours"]["mean"] == pytest.approx(1.0) and len(rows["ours"]["values"]) == 1
    assert rows["sampled_choices"]["mean"] == pytest.approx(1.0)  # encodings of one network: ties in both
    assert rows["drop_by_uncalibrated"]["mean"] == pytest.approx(1.0)
    assert rows["test_split"]["mean"] == pytest.approx(-1.0)
    assert rows["truth_on_training_images"]["mean"] == pytest.approx(-1.0)
    assert rows["one_repeat"]["mean"] < 0.9 and len(rows["one_repeat"]["values"]) == 3
    # every choice on: reversed test scores against the reversed training-image truth (one repeat each)
    assert rows["reference"]["mean"] == pytest.approx(1.0)


def test_position_specific_scores_reach_the_sampled_row():
    # the supernet scores an encoding by the network (truth) unless its first node is off: then badly
    truth = {k: [float(i)] for i, k in enumerate(KEYS)}
    by_network = per_encoding_scores(lambda a: truth[S4.canonical_key(a)][0])
    by_position = {e: (s if e.split(":")[1][0] != "0" else -s, s) for e, (s, _) in by_network.items()}
    same = protocol_taus(S4, ARCHS, Scores(by_network, by_network), truth, None, draws=2)
    moved = protocol_taus(S4, ARCHS, Scores(by_position, by_position), truth, None, draws=2)
    assert same["rows"]["sampled_choices"]["mean"] == pytest.approx(1.0)
    assert moved["rows"]["ours"]["mean"] == pytest.approx(1.0)  # canonical encodings start with an op
    assert moved["rows"]["sampled_choices"]["mean"] < 0.8
    assert not moved["training_truth_available"] and moved["rows"]["truth_on_training_images"]["mean"] == 1.0
