"""The reference ranking protocol: duplicates, one random repeat, drop-lowest, on hand-made fixtures."""
import numpy as np
import pytest

from mixpath_bench.bench.protocol import ROWS, drop_lowest, protocol_tau, protocol_taus, sample_encodings
from mixpath_bench.bench.ranking import ranking_archs
from mixpath_bench.spaces import get_space

S4 = get_space("S4")
KEYS = [S4.canonical_key(a) for a in ranking_archs(S4, 0)]


def test_drop_lowest_keeps_order_and_refuses_to_drop_everything():
    assert drop_lowest(np.array([3.0, 1.0, 2.0, 5.0, 4.0]), 2).tolist() == [0, 3, 4]
    assert drop_lowest(np.array([1.0, 1.0, 2.0, 3.0]), 1).tolist() == [1, 2, 3]  # tie: the earlier one goes
    with pytest.raises(ValueError, match="fewer than 3"):
        drop_lowest(np.arange(5.0), 3)


def test_duplicates_are_ties_in_both_lists():
    scores, repeats = {"a": 1.0, "b": 2.0, "c": 3.0}, {"a": [10.0], "b": [30.0], "c": [20.0]}
    rng = np.random.default_rng(0)
    # s = 1 1 2 3, t = 10 10 30 20: 4 concordant, 1 discordant, one pair tied in both: 3 / sqrt(5 * 5)
    assert protocol_tau(["a", "a", "b", "c"], scores, repeats, False, 0, rng) == pytest.approx(0.6)
    # dropping the lowest-scored candidate (the first 'a'): s = 1 2 3, t = 10 30 20 -> (2 - 1) / 3
    assert protocol_tau(["a", "a", "b", "c"], scores, repeats, False, 1, rng) == pytest.approx(1 / 3)


def test_one_repeat_is_drawn_per_candidate():
    scores = {"a": 1.0, "b": 2.0, "c": 3.0}
    repeats = {"a": [0.0, 100.0], "b": [50.0, 50.0], "c": [60.0, 60.0]}
    taus = {protocol_tau(["a", "b", "c"], scores, repeats, True, 0, np.random.default_rng(s)) for s in range(20)}
    # 'a' drew 0 (perfect order) or 100 (two discordant pairs): both happen
    assert sorted(taus) == pytest.approx([-1 / 3, 1.0])
    # the mean of 'a' (50) ties with 'b': 2 concordant pairs, one tie in truth: 2 / sqrt(3 * 2)
    assert protocol_tau(["a", "b", "c"], scores, repeats, False, 0, np.random.default_rng(0)) == pytest.approx(
        2 / np.sqrt(6))


def test_sampled_encodings_repeat_the_34_networks():
    keys = sample_encodings(S4, 1000, seed=0)
    assert len(keys) == 1000 and set(keys) <= set(KEYS) and len(set(keys)) == 34
    assert keys == sample_encodings(S4, 1000, seed=0)
    few = sample_encodings(S4, 50, seed=0, among=set(KEYS[:3]))  # a cut-down list: its networks only
    assert len(few) == 50 and set(few) == set(KEYS[:3])


def test_protocol_rows_on_a_perfect_and_a_noisy_scorer():
    truth = {k: [float(i), float(i) + 40.0 * (i % 2)] for i, k in enumerate(KEYS)}  # noisy repeats
    perfect = {k: float(np.mean(v)) for k, v in truth.items()}
    reversed_ = {k: -v for k, v in perfect.items()}
    res = protocol_taus(S4, KEYS, perfect, reversed_, truth, samples=200, drop=30, draws=5)
    rows = res["rows"]
    assert list(rows) == list(ROWS) and res["drop_distinct"] == 5  # 34 * 30 / 200
    assert rows["ours"]["mean"] == pytest.approx(1.0) and rows["ours"]["values"] == [rows["ours"]["mean"]]
    assert rows["samples"]["mean"] == pytest.approx(1.0)  # duplicates are ties in both: still perfect
    assert rows["drop_lowest"]["mean"] == pytest.approx(1.0)
    assert rows["test_split"]["mean"] == pytest.approx(-1.0)  # the test-split scores are the reversed ones
    assert rows["one_repeat"]["mean"] < 0.9 and rows["one_repeat"]["std"] > 0 and len(rows["one_repeat"]["values"]) == 5
    assert res["one_repeat_available"]
