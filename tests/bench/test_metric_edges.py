"""Metrics at their edges, answers computed by hand: one tie rule (a network tied with the K-th best is in the
true top K) across P@K, BR@K, WR@K and the top-K taus; undefined inputs reported with their reason, never NaN;
a paired verdict only where its interval excludes 0."""
import math

import numpy as np
import pytest

from mixpath_bench.bench.ranking import (METRICS, metric_value, paired_metric_difference, seed_metrics, true_top_k,
                                         undefined_reason)
from mixpath_bench.pipeline.report import difference_cell, metric_cell

TRUTH, SCORES = [9, 9, 1, 0], [0, 1, 0.5, 0.2]


def test_a_pick_tied_best_is_in_the_true_top_1():
    # the predicted best is network 1 (score 1.0), whose truth 9 ties network 0 for the best
    assert true_top_k(TRUTH, 1).tolist() == [0, 1]
    assert metric_value("precision_at_k", SCORES, TRUTH, 1) == 1.0
    assert metric_value("best_rank_at_k", SCORES, TRUTH, 1) == metric_value("worst_rank_at_k", SCORES, TRUTH, 1) == 0.25


def test_k2_by_hand():
    # predicted top 2: networks 1 and 2 (truths 9 and 1, true ranks 1 and 3); true top 2: networks 0 and 1
    assert metric_value("precision_at_k", SCORES, TRUTH, 2) == 0.5
    assert metric_value("best_rank_at_k", SCORES, TRUTH, 2) == 0.25
    assert metric_value("worst_rank_at_k", SCORES, TRUTH, 2) == 0.75
    assert metric_value("kendall_tau_predicted_top_k", SCORES, TRUTH, 2) == 1.0  # scores 1 > .5, truths 9 > 1
    # the truly best two tie in truth: tau among them is undefined, and says so
    assert undefined_reason("kendall_tau_true_top_k", SCORES, TRUTH, 2) == "the top-K truths tie"
    assert math.isnan(metric_value("kendall_tau_true_top_k", SCORES, TRUTH, 2))


@pytest.mark.parametrize("name, scores, truth, k, reason", [
    ("kendall_tau_predicted_top_k", SCORES, TRUTH, 1, "K=1: a tau needs two networks"),
    ("kendall_tau_true_top_k", SCORES, TRUTH, 1, "K=1: a tau needs two networks"),
    ("kendall_tau_predicted_top_k", [1, 1, 0, 0], [4, 3, 2, 1], 2, "the top-K scores tie"),
    ("kendall_tau", [2, 2, 2, 2], [4, 3, 2, 1], 2, "all scores tie"),
    ("spearman_rho", [1, 2, 3, 4], [5, 5, 5, 5], 2, "all truths tie"),
    ("sparse_kendall_tau_truth", [1, 2, 3, 4], [90.01, 90.02, 90.03, 90.04], 2, "all truths tie"),
    ("sparse_kendall_tau_predictions", [90.01, 90.02, 90.03, 90.04], [1, 2, 3, 4], 2, "all scores tie"),
    ("precision_at_k", [1, 2, 3], [1, 2, 3], 5, "fewer than K=5 networks (3)"),
    ("worst_rank_at_k", [1, 2, 3], [1, 2, 3], 5, "fewer than K=5 networks (3)"),
])
def test_undefined_inputs_have_a_reason(name, scores, truth, k, reason):
    assert undefined_reason(name, scores, truth, k) == reason
    assert math.isnan(metric_value(name, scores, truth, k))


def test_defined_inputs_have_no_reason():
    rng = np.random.default_rng(0)
    truth, scores = rng.normal(size=12), rng.normal(size=12)
    for name in METRICS:
        assert undefined_reason(name, scores, truth, 5) is None and np.isfinite(metric_value(name, scores, truth, 5))


def test_reports_show_the_reason_never_nan():
    truth = [5.0, 4.0, 3.0, 2.0, 1.0]
    out = seed_metrics([[1, 1, 0, 0, 0]], truth, k=2, n_boot=50)["metrics"]
    m = out["kendall_tau_predicted_top_k"]
    assert m["value"] is None and m["undefined"] == "the top-K scores tie"
    assert metric_cell(m) == "undefined (the top-K scores tie)"
    assert np.isfinite(out["kendall_tau"]["value"]) and "nan" not in metric_cell(out["kendall_tau"]).lower()
    d = paired_metric_difference([[1, 1, 0, 0, 0]], [[5, 4, 3, 2, 1]], truth, "kendall_tau_predicted_top_k", k=2, n_boot=50)
    assert d["better"] == "undefined" and difference_cell(d) == "undefined (the top-K scores tie)"


def test_a_paired_interval_that_straddles_zero_decides_nothing():
    """Two scorers, each with one discordant pair: the same tau, a difference of 0, an interval around it."""
    truth = np.arange(12.0)
    a, b = truth.copy(), truth.copy()
    a[[0, 1]], b[[6, 7]] = a[[1, 0]], b[[7, 6]]
    for name in ("kendall_tau", "worst_rank_at_k"):
        d = paired_metric_difference([a], [b], truth, name, k=5, n_boot=200)
        lo, hi = d["ci95"]
        if d["difference"] == 0 and lo < 0 < hi:
            assert d["better"] == "undecided"
    d = paired_metric_difference([a], [b], truth, "kendall_tau", k=5, n_boot=200)
    assert d["difference"] == 0.0 and d["ci95"][0] < 0 < d["ci95"][1] and d["better"] == "undecided"


def test_a_clear_difference_names_the_better_scorer_for_either_direction():
    truth = np.arange(20.0)
    good, bad = truth, -truth
    assert paired_metric_difference([good], [bad], truth, "kendall_tau", n_boot=200)["better"] == "a"
    wr = paired_metric_difference([good], [bad], truth, "worst_rank_at_k", k=5, n_boot=200)
    assert wr["difference"] == pytest.approx(0.25 - 1.0) and wr["better"] == "a"  # lower is better for WR@K
    assert paired_metric_difference([bad], [good], truth, "worst_rank_at_k", k=5, n_boot=200)["better"] == "b"
