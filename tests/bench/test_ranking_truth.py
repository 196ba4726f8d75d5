import json

import numpy as np
import pytest
from scipy import stats

from mixpath_bench.data.nasbench101 import NASBench101
from mixpath_bench.bench.ranking import bootstrap_interval, kendall_tau, rank_correlation, spearman_rho
from mixpath_bench.bench.truth import NASBench101Truth, TableTruth
from mixpath_bench.errors import DatasetError
from mixpath_bench.spaces import Arch, s4_hash

from .nb101_fixture import write_tfrecord


def test_kendall_matches_scipy_and_known_values():
    assert kendall_tau([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert kendall_tau([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    # one discordant pair out of 6: (5 - 1) / 6
    assert kendall_tau([1, 2, 3, 4], [1, 2, 4, 3]) == pytest.approx(4 / 6)
    rng = np.random.default_rng(0)
    a, b = rng.random(30), rng.integers(0, 5, 30)  # ties: tau-b
    assert kendall_tau(a, b) == pytest.approx(stats.kendalltau(a, b, variant="b").statistic)
    assert spearman_rho([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)


def test_bootstrap_interval_contains_estimate():
    rng = np.random.default_rng(1)
    truth = rng.random(40)
    scores = truth + 0.3 * rng.random(40)
    res = rank_correlation(scores, truth, n_boot=300)
    lo, hi = res["kendall_tau_ci95"]
    assert lo < res["kendall_tau"] < hi and hi - lo < 0.5
    assert bootstrap_interval(scores, truth, kendall_tau, 200, seed=3) == bootstrap_interval(
        scores, truth, kendall_tau, 200, seed=3)
    with pytest.raises(ValueError):
        rank_correlation([1, 2], [1, 2])


def test_nasbench101_truth_joins_by_hash(tmp_path):
    a, b = Arch("S4", ((2, 0, 0, 0),)), Arch("S4", ((1, 3, 0, 0),))
    path = write_tfrecord(tmp_path / "nb.tfrecord", [(s4_hash(a), [(0.9, 0.8)] * 3), (s4_hash(b), [(0.7, 0.6)] * 3)])
    truth = NASBench101Truth(NASBench101.from_tfrecord(path, cache_dir=tmp_path, progress=False))
    assert truth.accuracy(Arch("S4", ((0, 0, 2, 0),))) == pytest.approx(90.0)  # isomorphic encoding
    assert truth.accuracy(Arch("S4", ((0, 3, 0, 1),))) == pytest.approx(70.0)
    with pytest.raises(DatasetError, match="covers S4 only"):
        truth.accuracy(Arch("S1", ((0,),) * 12))


def test_table_truth_csv_and_json(tmp_path):
    (tmp_path / "t.csv").write_text("arch,acc\nS4:2000,91.5\nS4:1300,80\n")
    t = TableTruth(tmp_path / "t.csv")
    assert t.accuracy(Arch("S4", ((0, 2, 0, 0),))) == 91.5
    (tmp_path / "t.json").write_text(json.dumps([{"arch": "S1:" + "-".join(["0"] * 12), "acc": 50}]))
    assert TableTruth(tmp_path / "t.json").accuracy(Arch("S1", ((0,),) * 12)) == 50
    with pytest.raises(DatasetError, match="not in the ground-truth table"):
        t.accuracy(Arch("S4", ((3, 3, 3, 3),)))
    (tmp_path / "bad.csv").write_text("name,score\nx,1\n")
    with pytest.raises(DatasetError, match="columns 'arch' and 'acc'"):
        TableTruth(tmp_path / "bad.csv")
    (tmp_path / "bad2.csv").write_text("arch,acc\nS4:9999,1\n")
    with pytest.raises(DatasetError, match="malformed"):
        TableTruth(tmp_path / "bad2.csv")
