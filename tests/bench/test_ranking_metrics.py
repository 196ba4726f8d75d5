"""Every ranking metric against values computed by hand on small lists."""
import numpy as np
import pytest

from mixpath_bench.bench.ranking import (METRICS, best_rank_at_k, undefined_reason, kendall_tau_predicted_top_k, kendall_tau_true_top_k,
                                         paired_metric_difference, pearson_r, precision_at_k, ranking_metrics,
                                         seed_metrics, sparse_kendall_tau_predictions, sparse_kendall_tau_truth, top_k,
                                         true_ranks, worst_rank_at_k)

# five networks; truth in percent; the scorer swaps the best two and ranks network 4 (truth 91.0) last
TRUTH = [93.00, 93.04, 91.00, 90.00, 80.00]
SCORES = [0.9, 0.8, 0.7, 0.6, 0.5]


def test_top_k_and_true_ranks():
    assert top_k(SCORES, 2).tolist() == [0, 1]
    assert top_k([1, 3, 3, 0], 2).tolist() == [1, 2]  # tie: the earlier position first
    assert true_ranks(TRUTH).tolist() == [2, 1, 3, 4, 5]
    assert true_ranks([5, 7, 7, 1]).tolist() == [3, 1, 1, 4]  # tied networks share the better rank


def test_sparse_kendall_tau_rounds_truth_to_a_tenth():
    # unrounded: one discordant pair (0, 1) of 10: tau = (9 - 1) / 10
    assert METRICS["kendall_tau"][0](SCORES, TRUTH) == pytest.approx(0.8)
    # rounded to 0.1 pp, 93.00 and 93.04 tie: 9 concordant, 0 discordant, 1 tie in truth:
    # tau-b = 9 / sqrt(10 * 9)
    assert sparse_kendall_tau_truth(SCORES, TRUTH) == pytest.approx(9 / np.sqrt(90))


def test_sparse_kendall_tau_of_nas_bench_301_rounds_the_predictions():
    scores = [93.04, 93.00, 91.0, 90.0, 80.0]  # percent: the first two tie at one decimal
    truth = [1.0, 2.0, 3.0, 4.0, 5.0]  # exactly reversed
    assert METRICS["kendall_tau"][0](scores, truth) == pytest.approx(-1.0)
    assert sparse_kendall_tau_predictions(scores, truth) == pytest.approx(-9 / np.sqrt(90))
    assert sparse_kendall_tau_truth(scores, truth) == pytest.approx(-1.0)  # the other definition: no tie


def test_kendall_tau_within_the_true_top_k():
    # true top 3 = networks 1, 0, 2; scores order them 0, 1, 2: one discordant pair of 3 -> 1/3
    assert kendall_tau_true_top_k(SCORES, TRUTH, 3) == pytest.approx(1 / 3)
    assert kendall_tau_true_top_k(SCORES, TRUTH, 2) == pytest.approx(-1.0)


def test_kendall_tau_within_the_predicted_top_k_differs_from_the_true_top_k():
    truth = [5.0, 4.0, 3.0, 2.0, 1.0]
    scores = [0.1, 0.9, 0.8, 0.7, 0.2]  # predicted top 3: networks 1, 2, 3 (true 4, 3, 2): perfectly ordered
    assert kendall_tau_predicted_top_k(scores, truth, 3) == pytest.approx(1.0)
    # true top 3: networks 0, 1, 2 scored 0.1, 0.9, 0.8: network 0 is out of order -> (1 - 2) / 3
    assert kendall_tau_true_top_k(scores, truth, 3) == pytest.approx(-1 / 3)


def test_precision_and_best_worst_rank_at_k():
    scores = [0.1, 0.9, 0.8, 0.2, 0.7]  # predicted top 2: networks 1, 2 (true ranks 1, 3)
    assert precision_at_k(scores, TRUTH, 2) == pytest.approx(0.5)  # true top 2 = {0, 1}
    assert precision_at_k(scores, TRUTH, 3) == pytest.approx(2 / 3)  # predicted {1, 2, 4}, true {0, 1, 2}
    assert best_rank_at_k(scores, TRUTH, 2) == pytest.approx(1 / 5)
    assert worst_rank_at_k(scores, TRUTH, 2) == pytest.approx(3 / 5)
    assert worst_rank_at_k(scores, TRUTH, 3) == pytest.approx(5 / 5)  # network 4 is the true worst
    # K beyond the list: undefined, with the reason (seed_metrics caps K at the list length before it asks)
    assert undefined_reason("precision_at_k", scores, TRUTH, 99) == "fewer than K=99 networks (5)"


def test_pearson_by_hand():
    x, y = [1.0, 2.0, 3.0], [2.0, 4.0, 5.0]
    # centred: x (-1, 0, 1), y (-5/3, 1/3, 4/3): r = 3 / sqrt(2 * 14/3)
    assert pearson_r(x, y) == pytest.approx(3 / np.sqrt(2 * 14 / 3))


def test_ranking_metrics_has_every_metric_with_an_interval_around_it():
    rng = np.random.default_rng(0)
    truth = rng.random(30) * 10 + 85
    scores = truth + rng.normal(0, 2, 30)
    res = ranking_metrics(scores, truth, k=5, n_boot=200)
    assert set(res["metrics"]) == set(METRICS) and res["n"] == 30 and res["k"] == 5
    for name, m in res["metrics"].items():
        lo, hi = m["ci95"]
        assert lo <= hi and m["std"] == 0.0 and m["per_seed"] == [m["value"]], name
    tau = res["metrics"]["kendall_tau"]
    assert tau["ci95"][0] < tau["value"] < tau["ci95"][1]
    assert ranking_metrics(scores, truth, 5, 200, seed=1) == ranking_metrics(scores, truth, 5, 200, seed=1)
    with pytest.raises(ValueError):
        ranking_metrics([1, 2], [1, 2])


def test_seed_metrics_mean_and_std_over_seeds():
    truth = [5.0, 4.0, 3.0, 2.0, 1.0]
    perfect, reversed_ = [5, 4, 3, 2, 1], [1, 2, 3, 4, 5]
    res = seed_metrics([perfect, reversed_], truth, k=2, n_boot=50, names=("kendall_tau", "precision_at_k"))
    tau = res["metrics"]["kendall_tau"]
    assert tau["per_seed"] == [pytest.approx(1.0), pytest.approx(-1.0)]
    assert tau["value"] == pytest.approx(0.0) and tau["std"] == pytest.approx(np.sqrt(2))
    # every resample averages +1 and -1 (distinct values, no ties): the pooled interval is exactly 0
    assert tau["ci95"] == pytest.approx((0.0, 0.0))
    assert res["metrics"]["precision_at_k"]["per_seed"] == [1.0, 0.0]


def test_paired_difference_says_which_scorer_is_better():
    rng = np.random.default_rng(2)
    truth = rng.random(40)
    good, bad = truth + rng.normal(0, 0.05, 40), rng.random(40)
    d = paired_metric_difference([good], [bad], truth, "kendall_tau", n_boot=300)
    assert d["better"] == "a" and d["ci95"][0] > 0
    assert paired_metric_difference([bad], [good], truth, "kendall_tau", n_boot=300)["better"] == "b"
    # lower is better for ranks: the good scorer's worst rank in its top 5 is lower, and it still wins
    w = paired_metric_difference([good], [bad], truth, "worst_rank_at_k", k=5, n_boot=300)
    assert w["difference"] < 0 and w["better"] == "a"
    same = paired_metric_difference([good], [good], truth, "kendall_tau", n_boot=100)
    assert same["difference"] == 0.0 and same["better"] == "undecided"


@pytest.mark.parametrize("n", [3, 4, 34, 300, 301, 1000])
def test_fast_correlations_equal_scipy_with_ties(n):
    from scipy import stats

    from mixpath_bench.bench.ranking import kendall_tau, spearman_rho

    rng = np.random.default_rng(n)
    for trial in range(10):
        a = rng.integers(0, 6, n).astype(float)  # many ties
        b = rng.random(n) if trial % 2 else rng.integers(0, 4, n).astype(float)
        assert kendall_tau(a, b) == pytest.approx(stats.kendalltau(a, b).statistic, abs=1e-12)
        assert spearman_rho(a, b) == pytest.approx(stats.spearmanr(a, b).statistic, abs=1e-12)
        assert pearson_r(a, b) == pytest.approx(stats.pearsonr(a, b).statistic, abs=1e-12)
    assert np.isnan(kendall_tau([1.0, 1.0, 1.0], [1.0, 2.0, 3.0])) and np.isnan(pearson_r([2, 2, 2], [1, 2, 3]))
