"""Ranking correlation between supernet (or baseline) scores and ground truth, with bootstrap intervals.

Besides Kendall tau-b and Spearman rho, the metrics the field now reports (Yu et al. 2020; Ning et
al. 2021, "Evaluating Efficient Performance Estimators of Neural Architectures"): Pearson r, sparse
Kendall tau in both published definitions (the truth rounded to 0.1 percentage points, Yu et al.
2020; the predictions rounded to one decimal, NAS-Bench-301's code), Kendall tau within the top K
in both definitions (among the K networks predicted best, Ning et al. / aw_nas ``p_at_tb_k``; among
the K truly best), precision@K and the best / worst true rank among the predicted top K (BR@K,
WR@K, as a fraction of the list: 1/n is the best network, 1.0 the worst).

Every metric is one function of (scores, truth).  Intervals: the networks are resampled with
repetition (a network drawn twice is two tied entries, and takes two places in a top K), and the
95% interval is the value +- 1.96 standard deviations of the resampled values, clipped to the
metric's range.  Percentile intervals of these small discrete top-K metrics miss their own value
and cover badly; the coverage of this one is measured by simulation (docs/ranking.md,
tests/bench/test_interval_coverage.py).  `ranking_metrics` gives every metric with its interval
from one set of resamples, `seed_metrics` the mean +- std over supernet seeds with a pooled
interval, and `paired_metric_difference` a paired comparison of two scorers.
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


def sparse_kendall_tau_truth(scores, truth, decimals: int = 1) -> float:
    """Sparse Kendall tau as Yu et al. 2020 define it: tau-b against the *truth* rounded to `decimals`
    (percent: 1 = 0.1 pp), so networks whose true accuracies differ by less count as ties."""
    return kendall_tau(scores, np.round(np.asarray(truth, dtype=float), decimals))


def sparse_kendall_tau_predictions(scores, truth, decimals: int = 1) -> float:
    """Sparse Kendall tau as NAS-Bench-301's code computes it (``kendall_tau_1_dec``): tau-b with the
    *predictions* rounded to `decimals`; meaningful for scores in percent (supernet accuracies)."""
    return kendall_tau(np.round(np.asarray(scores, dtype=float), decimals), truth)


def top_k(values, k: int) -> np.ndarray:
    """Indices of the `k` largest values, largest first; ties go to the earlier position (a search
    taking the first of equal scores)."""
    values = np.asarray(values, dtype=float)
    return np.argsort(-values, kind="stable")[:min(k, len(values))]


def true_ranks(truth) -> np.ndarray:
    """1-based rank of each network by truth, best = 1; tied networks share the better rank."""
    truth = np.asarray(truth, dtype=float)
    return 1 + (truth[None, :] > truth[:, None]).sum(1)


def true_top_k(truth, k: int) -> np.ndarray:
    """Indices of the truly best `k` networks, ties included: every network whose `true_ranks` is at most
    k (more than k when the k-th best is tied).  The one tie rule of P@K, BR@K, WR@K and the top-K taus."""
    return np.flatnonzero(true_ranks(truth) <= k)


def _subset_tau(scores, truth, idx) -> float:
    return kendall_tau(np.asarray(scores, dtype=float)[idx], np.asarray(truth, dtype=float)[idx])


def kendall_tau_predicted_top_k(scores, truth, k: int) -> float:
    """Kendall tau-b among the `k` networks the scorer predicts best (Ning et al. 2021; aw_nas
    ``p_at_tb_k``, "KT in predicted topK"): are the networks a search would pick ordered right?"""
    return _subset_tau(scores, truth, top_k(scores, k))


def kendall_tau_true_top_k(scores, truth, k: int) -> float:
    """Kendall tau-b among the truly best `k` networks (`true_top_k`: ties at the k-th included): does
    the scorer order the best ones?"""
    return _subset_tau(scores, truth, true_top_k(truth, k))


def precision_at_k(scores, truth, k: int) -> float:
    """Fraction of the predicted top `k` that is among the truly best k (`true_top_k`: a pick tied with
    the k-th best network counts as in)."""
    return len(set(top_k(scores, k).tolist()) & set(true_top_k(truth, k).tolist())) / k


def best_rank_at_k(scores, truth, k: int) -> float:
    """BR@K: the best true rank among the predicted top `k`, as a fraction of the list (1/n = best)."""
    return float(true_ranks(truth)[top_k(scores, k)].min() / len(truth))


def worst_rank_at_k(scores, truth, k: int) -> float:
    """WR@K: the worst true rank among the predicted top `k`, as a fraction of the list (1.0 = worst)."""
    return float(true_ranks(truth)[top_k(scores, k)].max() / len(truth))


def undefined_reason(name: str, scores, truth, k: int = 5) -> str | None:
    """Why metric `name` has no value for this input (None: it has one).  Undefined inputs: a top-K
    metric with fewer than K networks; a top-K tau with K < 2; a tau or correlation whose networks all
    tie in their scores or in their truth (tau-b divides by zero)."""
    scores, truth = np.asarray(scores, dtype=float), np.asarray(truth, dtype=float)
    takes_k = METRICS[name][1]
    if takes_k and len(truth) < k:
        return f"fewer than K={k} networks ({len(truth)})"
    if name in ("kendall_tau_predicted_top_k", "kendall_tau_true_top_k"):
        if k < 2:
            return f"K={k}: a tau needs two networks"
        idx = top_k(scores, k) if name == "kendall_tau_predicted_top_k" else true_top_k(truth, k)
        scores, truth = scores[idx], truth[idx]
        where = "the top-K"
    elif takes_k:
        return None
    else:
        where = "all"
        if name == "sparse_kendall_tau_truth":
            truth = np.round(truth, 1)
        elif name == "sparse_kendall_tau_predictions":
            scores = np.round(scores, 1)
    if len(np.unique(scores)) < 2:
        return f"{where} scores tie"
    if len(np.unique(truth)) < 2:
        return f"{where} truths tie"
    return None


# name -> (function, takes k, range of its values)
METRICS = {
    "kendall_tau": (kendall_tau, False, (-1.0, 1.0)),
    "sparse_kendall_tau_truth": (sparse_kendall_tau_truth, False, (-1.0, 1.0)),
    "sparse_kendall_tau_predictions": (sparse_kendall_tau_predictions, False, (-1.0, 1.0)),
    "spearman_rho": (spearman_rho, False, (-1.0, 1.0)),
    "pearson_r": (pearson_r, False, (-1.0, 1.0)),
    "kendall_tau_predicted_top_k": (kendall_tau_predicted_top_k, True, (-1.0, 1.0)),
    "kendall_tau_true_top_k": (kendall_tau_true_top_k, True, (-1.0, 1.0)),
    "precision_at_k": (precision_at_k, True, (0.0, 1.0)),
    "best_rank_at_k": (best_rank_at_k, True, (0.0, 1.0)),
    "worst_rank_at_k": (worst_rank_at_k, True, (0.0, 1.0)),
}
HIGHER_IS_BETTER = {name: name not in ("best_rank_at_k", "worst_rank_at_k") for name in METRICS}
PERCENT_ONLY = ("sparse_kendall_tau_predictions",)  # rounds the scores: for scores in percent only


def metric_value(name: str, scores, truth, k: int = 5) -> float:
    """The metric's value; NaN where it is undefined (`undefined_reason` says why; reports show the
    reason, never the NaN).  The bootstrap calls this thousands of times, so it does not ask
    `undefined_reason`: tau-b and the correlations already give NaN where everything ties."""
    fn, takes_k, _ = METRICS[name]
    if takes_k and len(truth) < k:  # the one undefined case the functions do not return as NaN themselves
        return float("nan")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(fn(scores, truth, k) if takes_k else fn(scores, truth))


def resamples(n: int, n_boot: int, seed: int):
    """`n_boot` resamples of n networks drawn with repetition (seeded): a network drawn twice is two
    tied entries, as the bootstrap of a list of n networks from a population has it."""
    rng = np.random.default_rng(seed)
    for _ in range(n_boot):
        yield rng.integers(0, n, n)


def normal_interval(value: float, resampled, bounds: tuple[float, float] = (-np.inf, np.inf),
                    level: float = 0.95) -> tuple[float, float]:
    """`value` +- z * (standard deviation of the finite `resampled` values), clipped to `bounds`.

    Centred on the reported value, so the value always lies inside its interval; NaN when fewer
    than two resampled values are finite."""
    values = np.asarray(resampled, dtype=float)
    values = values[np.isfinite(values)]
    if len(values) < 2 or not np.isfinite(value):
        return float("nan"), float("nan")
    half = float(stats.norm.ppf(0.5 + level / 2)) * float(values.std(ddof=1))
    return float(max(bounds[0], value - half)), float(min(bounds[1], value + half))


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
    ``per_seed``: each seed's value; ``ci95``: the pooled interval of the seed mean (`normal_interval`
    over resamples of the networks, the same resamples for every seed and metric).
    """
    lists, truth = _check_lists(score_lists, truth)
    if k < 1:
        raise ValueError(f"top_k must be >= 1, got {k}")
    k = min(k, len(truth))  # a short list (an m-sweep space of 3 networks): K is all of it
    draws = list(resamples(len(truth), n_boot, seed))
    out = {"n": len(truth), "k": k, "seeds": len(lists), "interval": "normal", "metrics": {}}
    for name in names or tuple(METRICS):
        reasons = [undefined_reason(name, s, truth, k) for s in lists]
        if any(reasons):  # undefined for some seed's list: reported as undefined with the reason, never NaN
            reason = next(r for r in reasons if r)
            out["metrics"][name] = {"value": None, "std": None, "per_seed": [None] * len(lists), "ci95": (None, None),
                                    "undefined": reason}
            continue
        per_seed = [metric_value(name, s, truth, k) for s in lists]
        value = float(np.mean(per_seed))
        boot = [_nanmean([metric_value(name, s[idx], truth[idx], k) for s in lists]) for idx in draws]
        out["metrics"][name] = {"value": value,
                                "std": float(np.std(per_seed, ddof=1)) if len(per_seed) > 1 else 0.0,
                                "per_seed": per_seed, "ci95": normal_interval(value, boot, METRICS[name][2])}
    return out


def ranking_metrics(scores, truth, k: int = 5, n_boot: int = 1000, seed: int = 0) -> dict:
    """Every metric of one score list with its 95% bootstrap interval (``seed_metrics`` of one seed)."""
    return seed_metrics([scores], truth, k, n_boot, seed)


def _first_undefined(name: str, sides, truth, k: int) -> str | None:
    """The reason the metric is undefined for some score list of `sides` (None: defined for all)."""
    return next((r for lists in sides for sc in lists if (r := undefined_reason(name, sc, truth, k))), None)


def _seed_mean(name: str, lists, truth, idx, k: int) -> float:
    """The metric's mean over a side's per-seed lists, on the networks `idx`."""
    return _nanmean([metric_value(name, s[idx], truth[idx], k) for s in lists])


def paired_metric_difference(lists_a, lists_b, truth, name: str = "kendall_tau", k: int = 5, n_boot: int = 1000,
                             seed: int = 0) -> dict:
    """Seed-mean metric of scorer `a` minus that of `b` (each a list of per-seed score lists; a
    baseline is one list), with a paired interval: both are measured on the same resampled networks.
    For per-seed pairing pass one list each.  ``better``: 'a', 'b' or 'undecided' (the interval
    includes 0), taking into account whether higher is better for the metric."""
    a, truth = _check_lists(lists_a, truth)
    b, _ = _check_lists(lists_b, truth)

    reason = _first_undefined(name, (a, b), truth, k)
    if reason is not None:
        return {"metric": name, "difference": None, "ci95": (None, None), "better": "undefined", "undefined": reason}
    full = np.arange(len(truth))
    diff = float(_seed_mean(name, a, truth, full, k) - _seed_mean(name, b, truth, full, k))
    low, high = METRICS[name][2]
    boot = [_seed_mean(name, a, truth, idx, k) - _seed_mean(name, b, truth, idx, k)
            for idx in resamples(len(truth), n_boot, seed)]
    lo, hi = normal_interval(diff, boot, (low - high, high - low))
    sign = 1 if HIGHER_IS_BETTER[name] else -1
    better = "a" if sign * lo > 0 and sign * hi > 0 else "b" if sign * lo < 0 and sign * hi < 0 else "undecided"
    return {"metric": name, "difference": diff, "ci95": (lo, hi), "better": better}


def method_difference(lists_a, lists_b, truth, name: str = "kendall_tau", k: int = 5, n_boot: int = 1000,
                      seed: int = 0, level: float = 0.95, max_seeds: int = 64) -> dict:
    """Seed-mean metric of method `a` minus method `b` as a claim about the *methods*, not about these
    trained supernets: each side is a list of per-seed score lists (one per supernet seed).

    Two levels of chance: which networks are on the list (the variance of the paired difference over
    resampled networks, `paired_metric_difference`'s) and which supernets training produced (each
    side's between-seed variance of its per-seed values over its number of seeds).  The interval is
    the difference +- t * sqrt(their sum), t with Welch-Satterthwaite degrees of freedom from the seed
    terms (the network term counted as exact).  A side with one seed has no measured seed noise: the
    result is ``undecided`` with that reason.  ``seeds_to_decide``: the fewest seeds per side whose
    interval, at the measured variances, would exclude 0 (None: the difference is 0, or even
    `max_seeds` seeds would not decide - the network list is then the limit).
    """
    a, truth = _check_lists(lists_a, truth)
    b, _ = _check_lists(lists_b, truth)
    out = {"metric": name, "seeds": [len(a), len(b)], "level": level}
    reason = _first_undefined(name, (a, b), truth, k)
    if reason is not None:
        return {**out, "difference": None, "ci95": (None, None), "better": "undefined", "undefined": reason,
                "seeds_to_decide": None}
    per_a = np.array([metric_value(name, s, truth, k) for s in a])
    per_b = np.array([metric_value(name, s, truth, k) for s in b])
    diff = float(per_a.mean() - per_b.mean())

    boot = np.array([_seed_mean(name, a, truth, idx, k) - _seed_mean(name, b, truth, idx, k)
                     for idx in resamples(len(truth), n_boot, seed)])
    var_net = float(np.var(boot[np.isfinite(boot)], ddof=1))
    out.update(difference=diff, network_std=var_net ** 0.5)
    if len(a) < 2 or len(b) < 2:
        return {**out, "ci95": (None, None), "better": "undecided", "seeds_to_decide": None,
                "reason": "one supernet seed on a side: the method's seed noise is unmeasured"}
    sa2, sb2 = float(per_a.var(ddof=1)), float(per_b.var(ddof=1))
    out.update(seed_std=[sa2 ** 0.5, sb2 ** 0.5])

    def half_width(na: int, nb: int) -> float:
        ta, tb = sa2 / na, sb2 / nb
        total = var_net + ta + tb
        denom = (ta ** 2 / (na - 1) if ta else 0.0) + (tb ** 2 / (nb - 1) if tb else 0.0)
        df = total ** 2 / denom if denom > 0 else np.inf
        return float(stats.t.ppf(0.5 + level / 2, df)) * total ** 0.5

    half = half_width(len(a), len(b))
    lo, hi = diff - half, diff + half
    sign = 1 if HIGHER_IS_BETTER[name] else -1
    better = "a" if sign * lo > 0 and sign * hi > 0 else "b" if sign * lo < 0 and sign * hi < 0 else "undecided"
    needed = next((n for n in range(2, max_seeds + 1) if half_width(n, n) < abs(diff)), None) if diff else None
    return {**out, "ci95": (lo, hi), "better": better, "seeds_to_decide": needed}


def bootstrap_interval(scores, truth, statistic, n_boot: int = 1000, seed: int = 0,
                       level: float = 0.95) -> tuple[float, float]:
    """`normal_interval` of a correlation `statistic` over resampled (score, truth) pairs."""
    scores, truth = np.asarray(scores, dtype=float), np.asarray(truth, dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # constant resamples give NaN; they are dropped
        value = statistic(scores, truth)
        values = [statistic(scores[idx], truth[idx]) for idx in resamples(len(scores), n_boot, seed)]
    return normal_interval(value, values, (-1.0, 1.0), level)


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
    """statistic(a, truth) - statistic(b, truth) with a paired bootstrap interval (`normal_interval`).

    The same resampled architectures score both `a` and `b`, so the interval reflects the
    difference between the two scorers rather than the two marginal uncertainties.
    """
    a, b, t = (np.asarray(v, dtype=float) for v in (scores_a, scores_b, truth))
    if not len(a) == len(b) == len(t) or len(t) < 3:
        raise ValueError("a paired difference needs three sequences of equal length >= 3")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        diffs = np.array([statistic(a[idx], t[idx]) - statistic(b[idx], t[idx])
                          for idx in resamples(len(t), n_boot, seed)], dtype=float)
        value = statistic(a, t) - statistic(b, t)
    diffs = diffs[np.isfinite(diffs)]
    lo, hi = normal_interval(value, diffs, (-2.0, 2.0), level)
    return {"difference": value, "ci95": (lo, hi),
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
