"""SBN against BN as methods: the two-level interval (supernet seeds, then networks), by hand on a tiny example,
and its coverage by simulation with seed noise."""
import numpy as np
import pytest
from scipy import stats

from mixpath_bench.bench.coverage import method_coverage
from mixpath_bench.bench.ranking import metric_value, method_difference, resamples

TRUTH = [1.0, 2.0, 3.0, 4.0, 5.0]
A = [[1, 2, 3, 4, 5], [2, 1, 3, 4, 5]]  # taus 1.0 and 0.8 (one discordant pair of 10)
B = [[5, 4, 3, 2, 1], [1, 2, 3, 5, 4]]  # taus -1.0 and 0.8


def test_two_level_interval_by_hand():
    d = method_difference(A, B, TRUTH, "kendall_tau", k=2, n_boot=300, seed=3)
    assert d["difference"] == pytest.approx(0.9 - (-0.1))
    assert d["seed_std"] == pytest.approx([np.sqrt(0.02), np.sqrt(1.62)])
    # the network term: the paired difference of seed means over the same resamples, held as exact
    t = np.array(TRUTH)
    def seed_mean(lists, i):  # a resample where a seed's tau is undefined (all tied) counts the other seeds
        values = [metric_value("kendall_tau", np.array(s)[i], t[i]) for s in lists]
        return np.mean([v for v in values if np.isfinite(v)]) if any(np.isfinite(values)) else np.nan

    boot = np.array([seed_mean(A, i) - seed_mean(B, i) for i in resamples(5, 300, 3)])
    var_net = np.var(boot[np.isfinite(boot)], ddof=1)
    seed_a, seed_b = 0.02 / 2, 1.62 / 2  # between-seed variance / seeds
    total = var_net + seed_a + seed_b
    df = total ** 2 / (seed_a ** 2 / 1 + seed_b ** 2 / 1)  # Welch-Satterthwaite, 1 df per side
    half = stats.t.ppf(0.975, df) * np.sqrt(total)
    assert d["ci95"] == pytest.approx((1.0 - half, 1.0 + half))
    assert d["better"] == "undecided" and d["ci95"][0] < 0  # two seeds of B disagree wildly: no claim
    assert d["seeds_to_decide"] is not None and d["seeds_to_decide"] > 2


def test_one_seed_per_side_is_undecided_with_the_reason():
    d = method_difference(A[:1], B[:1], TRUTH, "kendall_tau", k=2, n_boot=50)
    assert d["better"] == "undecided" and d["ci95"] == (None, None) and "seed noise is unmeasured" in d["reason"]


def test_consistent_seeds_decide_and_need_no_more():
    truth = np.arange(12.0)
    rng = np.random.default_rng(0)
    good = [truth + rng.normal(0, 0.3, 12) for _ in range(3)]
    bad = [-truth + rng.normal(0, 0.3, 12) for _ in range(3)]
    d = method_difference(good, bad, truth, "kendall_tau", n_boot=200)
    assert d["better"] == "a" and d["seeds_to_decide"] == 2


def test_coverage_with_seed_noise_holds_and_the_network_only_interval_does_not():
    """With seed noise of the demo's size (per-seed tau std ~ 0.08), the method interval covers the methods'
    population difference; the network-only interval (supernets held fixed) misses it more often."""
    run = method_coverage(n=34, k=5, noise=2.0, seed_noise=1.2, seeds=2, trials=80, n_boot=80,
                          population_size=2000, population_lists=300, seed=0)
    assert 0.04 < run["seed_std"] < 0.15
    assert run["coverage"] >= 0.9 and run["network_only_coverage"] < run["coverage"], run
