"""Ranking correlation between supernet (or baseline) scores and ground truth, with bootstrap intervals.

Besides Kendall tau-b and Spearman rho, the metrics the field now reports (Yu et al. 2020; Ning et
al. 2021, "Evaluating Efficient Performance Estimators of Neural Architectures"): Pearson r, sparse
Kendall tau (truth rounded to 0.1 percentage points), Kendall tau among the true top K,
precision@K and the best / worst true rank among the predicted top K (BR@K, WR@K, as a fraction
of the list: 1/n is the best network, 1.0 the worst).  Every metric is one function of
(scores, truth); `ranking_metrics` gives all of them with bootstrap intervals from one set of
resamples, `seed_metrics` the mean +- std over supernet seeds with a pooled interval, and
`paired_metric_difference` a paired comparison of two scorers.
"""
from __future__ import annotations

import warnings

import numpy as np
from scipy import stats

from ..spaces import Arch, SearchSpace


def kendall_tau(scores, truth) -> float:
    """Kendall tau-b (ties handled) between two sequences.

    Short lists (the bootstrap's thousands of calls on tens of networks) use the pairwise sign
    form, (concordant - discordant) / sqrt(pairs untied in x * pairs untied in y), which is
    scipy's tau-b to rounding and ~10x faster; long lists use scipy's O(n log n) algorithm.
    """
    x, y = np.asarray(scores, dtype=float), np.asarray(truth, dtype=float)
    if len(x) > 300:
        return float(stats.kendalltau(x, y).statistic)
    i, j = np.triu_indices(len(x), 1)
    dx, dy = np.sign(x[i] - x[j]), np.sign(y[i] - y[j])
    denom = np.sqrt(float(np.count_nonzero(dx)) * float(np.count_nonzero(dy)))
    return float(np.dot(dx, dy) / denom) if denom > 0 else float("nan")


def spearman_rho(scores, truth) -> float:
    """Spearman rank correlation (Pearson's r of the average ranks)."""
    return pearson_r(stats.rankdata(scores), stats.rankdata(truth))


def pearson_r(scores, truth) -> float:
    """Pearson linear correlation (NaN when either list is constant)."""
    x, y = np.asarray(scores, dtype=float), np.asarray(truth, dtype=float)
    x, y = x - x.mean(), y - y.mean()
    denom = np.sqrt(np.dot(x, x) * np.dot(y, y))
    return float(np.dot(x, y) / denom) if denom > 0 else float("nan")


def sparse_kendall_tau(scores, truth, decimals: int = 1) -> float:
    """Kendall tau-b against the truth rounded to `decimals` (percent: 1 = 0.1 pp), so networks
    whose accuracies differ by less than the rounding count as ties (NAS-Bench-301's sparse tau)."""
    return kendall_tau(scores, np.round(np.asarray(truth, dtype=float), decimals))


def top_k(values, k: int) -> np.ndarray:
    """Indices of the `k` largest values, largest first; ties go to the earlier position."""
    values = np.asarray(values, dtype=float)
    return np.argsort(-values, kind="stable")[:min(k, len(values))]


def true_ranks(truth) -> np.ndarray:
    """1-based rank of each network by truth, best = 1; tied networks share the better rank."""
    truth = np.asarray(truth, dtype=float)
    return 1 + (truth[None, :] > truth[:, None]).sum(1)


def kendall_tau_top_k(scores, truth, k: int) -> float:
    """Kendall tau-b among the true top `k` networks: does the scorer order the best ones?"""
    idx = top_k(truth, k)
    return kendall_tau(np.asarray(scores, dtype=float)[idx], np.asarray(truth, dtype=float)[idx])


def precision_at_k(scores, truth, k: int) -> float:
    """Fraction of the predicted top `k` that is in the true top `k`."""
    k = min(k, len(scores))
    return len(set(top_k(scores, k).tolist()) & set(top_k(truth, k).tolist())) / k


def best_rank_at_k(scores, truth, k: int) -> float:
    """BR@K: the best true rank among the predicted top `k`, as a fraction of the list (1/n = best)."""
    return float(true_ranks(truth)[top_k(scores, k)].min() / len(truth))


def worst_rank_at_k(scores, truth, k: int) -> float:
    """WR@K: the worst true rank among the predicted top `k`, as a fraction of the list (1.0 = worst)."""
    return float(true_ranks(truth)[top_k(scores, k)].max() / len(truth))


# name -> (function, takes k, resample distinct networks only); top-K metrics are set measures, so
# their bootstrap draws each network at most once (a duplicate would take two top-K places)
METRICS = {
    "kendall_tau": (kendall_tau, False, False),
    "sparse_kendall_tau": (sparse_kendall_tau, False, False),
    "spearman_rho": (spearman_rho, False, False),
    "pearson_r": (pearson_r, False, False),
    "kendall_tau_top_k": (kendall_tau_top_k, True, True),
    "precision_at_k": (precision_at_k, True, True),
    "best_rank_at_k": (best_rank_at_k, True, True),
    "worst_rank_at_k": (worst_rank_at_k, True, True),
}
HIGHER_IS_BETTER = {name: name not in ("best_rank_at_k", "worst_rank_at_k") for name in METRICS}


def metric_value(name: str, scores, truth, k: int = 5) -> float:
    fn, takes_k, _ = METRICS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # constant inputs give NaN
        return float(fn(scores, truth, k) if takes_k else fn(scores, truth))


def _resampled(n: int, n_boot: int, seed: int, distinct: bool):
    rng = np.random.default_rng(seed)
    for _ in range(n_boot):
        idx = rng.integers(0, n, n)
        yield np.unique(idx) if distinct else idx


def _interval(values, level: float = 0.95) -> tuple[float, float]:
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if len(values) == 0:
        return float("nan"), float("nan")
    alpha = (1 - level) / 2
    return float(np.quantile(values, alpha)), float(np.quantile(values, 1 - alpha))


def _nanmean(values) -> float:
    """Mean of the finite values; NaN (silently) when there is none, e.g. a resample with constant truth."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    return float(values.mean()) if len(values) else float("nan")


def _check_lists(score_lists, truth) -> tuple[list[np.ndarray], np.ndarray]:
    truth = np.asarray(truth, dtype=float)
    lists = [np.asarray(s, dtype=float) for s in score_lists]
    if not lists or any(len(s) != len(truth) for s in lists) or len(truth) < 3:
        raise ValueError("ranking metrics need score lists as long as the truth, with >= 3 networks")
    return lists, truth


def seed_metrics(score_lists, truth, k: int = 5, n_boot: int = 1000, seed: int = 0,
                 names: tuple[str, ...] | None = None) -> dict:
    """Every metric of one scorer over its seeds (one score list per supernet seed).

    ``value``: the mean over seeds; ``std``: the standard deviation over seeds (0 for one seed);
    ``per_seed``: each seed's value; ``ci95``: the pooled percentile interval of the seed-mean over
    bootstrap resamples of the networks (the same resamples for every seed and metric).
    """
    lists, truth = _check_lists(score_lists, truth)
    out = {"n": len(truth), "k": min(k, len(truth)), "seeds": len(lists), "metrics": {}}
    for name in names or tuple(METRICS):
        per_seed = [metric_value(name, s, truth, k) for s in lists]
        boot = [_nanmean([metric_value(name, s[idx], truth[idx], k) for s in lists]) if len(idx) >= 3
                else float("nan") for idx in _resampled(len(truth), n_boot, seed, METRICS[name][2])]
        out["metrics"][name] = {"value": float(np.mean(per_seed)),
                                "std": float(np.std(per_seed, ddof=1)) if len(per_seed) > 1 else 0.0,
                                "per_seed": per_seed, "ci95": _interval(boot)}
    return out


def ranking_metrics(scores, truth, k: int = 5, n_boot: int = 1000, seed: int = 0) -> dict:
    """Every metric of one score list with its 95% bootstrap interval (``seed_metrics`` of one seed)."""
    return seed_metrics([scores], truth, k, n_boot, seed)


def paired_metric_difference(lists_a, lists_b, truth, name: str = "kendall_tau", k: int = 5, n_boot: int = 1000,
                             seed: int = 0) -> dict:
    """Seed-mean metric of scorer `a` minus that of `b` (each a list of per-seed score lists; a
    baseline is one list), with a paired bootstrap interval: both are measured on the same resampled
    networks.  For per-seed pairing pass one list each.  ``better``: 'a', 'b' or 'undecided' (the
    interval includes 0), taking into account whether higher is better for the metric."""
    a, truth = _check_lists(lists_a, truth)
    b, _ = _check_lists(lists_b, truth)

    def mean(lists, idx):
        return _nanmean([metric_value(name, s[idx], truth[idx], k) for s in lists])

    full = np.arange(len(truth))
    diff = float(mean(a, full) - mean(b, full))
    boot = [mean(a, idx) - mean(b, idx) if len(idx) >= 3 else float("nan")
            for idx in _resampled(len(truth), n_boot, seed, METRICS[name][2])]
    lo, hi = _interval(boot)
    sign = 1 if HIGHER_IS_BETTER[name] else -1
    better = "a" if sign * lo > 0 and sign * hi > 0 else "b" if sign * lo < 0 and sign * hi < 0 else "undecided"
    return {"metric": name, "difference": diff, "ci95": (lo, hi), "better": better}


def bootstrap_interval(scores, truth, statistic, n_boot: int = 1000, seed: int = 0,
                       level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval of `statistic` over resampled (score, truth) pairs."""
    scores, truth = np.asarray(scores, dtype=float), np.asarray(truth, dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # constant resamples give NaN; they are dropped
        values = [statistic(scores[idx], truth[idx]) for idx in _resampled(len(scores), n_boot, seed, False)]
    return _interval(values, level)


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
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        diffs = np.array([statistic(a[idx], t[idx]) - statistic(b[idx], t[idx])
                          for idx in _resampled(len(t), n_boot, seed, False)], dtype=float)
    diffs = diffs[np.isfinite(diffs)]
    lo, hi = _interval(diffs, level)
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
