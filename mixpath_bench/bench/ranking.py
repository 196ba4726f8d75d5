"""Ranking correlation between supernet scores and ground truth, with bootstrap intervals."""
from __future__ import annotations

import warnings

import numpy as np
from scipy import stats

from ..spaces import Arch, SearchSpace


def kendall_tau(scores, truth) -> float:
    """Kendall tau-b (ties handled) between two sequences."""
    return float(stats.kendalltau(scores, truth).statistic)


def spearman_rho(scores, truth) -> float:
    """Spearman rank correlation."""
    return float(stats.spearmanr(scores, truth).statistic)


def bootstrap_interval(scores, truth, statistic, n_boot: int = 1000, seed: int = 0,
                       level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval of `statistic` over resampled (score, truth) pairs."""
    scores, truth = np.asarray(scores, dtype=float), np.asarray(truth, dtype=float)
    rng = np.random.default_rng(seed)
    values = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # constant resamples give NaN; they are dropped
        for _ in range(n_boot):
            idx = rng.integers(0, len(scores), len(scores))
            values.append(statistic(scores[idx], truth[idx]))
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if len(values) == 0:
        return float("nan"), float("nan")
    alpha = (1 - level) / 2
    return float(np.quantile(values, alpha)), float(np.quantile(values, 1 - alpha))


def rank_correlation(scores, truth, n_boot: int = 1000, seed: int = 0) -> dict:
    """Kendall tau-b and Spearman rho with 95% bootstrap intervals."""
    if len(scores) != len(truth) or len(scores) < 3:
        raise ValueError("rank correlation needs two sequences of equal length >= 3")
    return {"n": len(scores),
            "kendall_tau": kendall_tau(scores, truth),
            "kendall_tau_ci95": bootstrap_interval(scores, truth, kendall_tau, n_boot, seed),
            "spearman_rho": spearman_rho(scores, truth),
            "spearman_rho_ci95": bootstrap_interval(scores, truth, spearman_rho, n_boot, seed)}


def paired_difference(scores_a, scores_b, truth, statistic=kendall_tau, n_boot: int = 1000, seed: int = 0,
                      level: float = 0.95) -> dict:
    """statistic(a, truth) - statistic(b, truth) with a paired percentile bootstrap interval.

    The same resampled architectures score both `a` and `b`, so the interval reflects the
    difference between the two scorers rather than the two marginal uncertainties.
    """
    a, b, t = (np.asarray(v, dtype=float) for v in (scores_a, scores_b, truth))
    if not len(a) == len(b) == len(t) or len(t) < 3:
        raise ValueError("a paired difference needs three sequences of equal length >= 3")
    rng = np.random.default_rng(seed)
    diffs = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(n_boot):
            idx = rng.integers(0, len(t), len(t))
            diffs.append(statistic(a[idx], t[idx]) - statistic(b[idx], t[idx]))
    diffs = np.asarray(diffs, dtype=float)
    diffs = diffs[np.isfinite(diffs)]
    alpha = (1 - level) / 2
    lo, hi = (float(np.quantile(diffs, alpha)), float(np.quantile(diffs, 1 - alpha))) if len(diffs) else (
        float("nan"), float("nan"))
    return {"difference": statistic(a, t) - statistic(b, t), "ci95": (lo, hi),
            "p_not_greater": float(np.mean(diffs <= 0)) if len(diffs) else float("nan")}


def ranking_archs(space: SearchSpace, num_archs: int, seed: int = 0) -> list[Arch]:
    """Every network of an enumerable space (S4: the 34, canonical encodings, sorted); else
    `num_archs` distinct networks sampled with `seed`."""
    if space.size() <= 10**6:
        return sorted({space.canonical(a) for a in space.enumerate()})
    rng = np.random.default_rng(seed)
    archs: dict[str, Arch] = {}
    while len(archs) < num_archs:
        arch = space.sample(rng)
        archs.setdefault(space.canonical_key(arch), space.canonical(arch))
    return list(archs.values())
