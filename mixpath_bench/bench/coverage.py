"""How often do the ranking intervals cover what they estimate?  A simulation with a known answer.

A synthetic population of networks has a true accuracy each and two scorers (truth plus noise,
the second noisier, their noise correlated as two supernets' are).  The population value of a
metric is its mean over many lists of `n` networks drawn from the population (the value a list of
that size gives on average); of a paired difference, the mean difference.  Each trial draws one
list, computes the interval as `bench.ranking` reports it, and counts whether it holds the
population value.  A nominal 95% interval should do so about 95% of the time.
"""
from __future__ import annotations

import time
from typing import Callable, Sequence

import numpy as np

from ..progress import Progress
from .ranking import METRICS, method_difference, metric_value, normal_interval, paired_metric_difference, resamples


def population(size: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(truth in percent, scorer a, scorer b): b's noise is 1.3x a's, and 64% of it is shared."""
    rng = np.random.default_rng(seed)
    truth = np.round(rng.normal(90, 2, size), 2)
    shared = rng.normal(0, 1, size)
    a = truth + noise * (0.8 * shared + 0.6 * rng.normal(0, 1, size))
    b = truth + 1.3 * noise * (0.8 * shared + 0.6 * rng.normal(0, 1, size))
    return truth, a, b


def _finite_mean(values) -> float:
    values = np.asarray(values, dtype=float)
    return float(values[np.isfinite(values)].mean())


def interval_coverage(names: Sequence[str] = tuple(METRICS), n: int = 34, k: int = 5, noise: float = 2.0,
                      trials: int = 200, n_boot: int = 200, population_size: int = 4000, population_lists: int = 2000,
                      seed: int = 0, log: Callable[[str], None] | None = None) -> dict:
    """Coverage of every metric's interval and of the paired difference a - b, with the share of
    trials whose reported value lies inside its own interval."""
    truth, a, b = population(population_size, noise, seed)
    rng = np.random.default_rng([seed, 1])
    lists = [rng.choice(population_size, n, replace=False) for _ in range(population_lists)]
    target = {m: _finite_mean([metric_value(m, a[i], truth[i], k) for i in lists]) for m in names}
    target_diff = {m: _finite_mean([metric_value(m, a[i], truth[i], k) - metric_value(m, b[i], truth[i], k)
                                    for i in lists]) for m in names}
    hits = {m: {"value": 0, "difference": 0, "value_inside": 0, "difference_inside": 0} for m in names}
    progress = Progress(trials, f"coverage: {trials} lists of {n}, noise {noise}", log) if log else None
    start = time.perf_counter()
    for _ in range(trials):
        i = rng.choice(population_size, n, replace=False)
        ta, sa, sb = truth[i], a[i], b[i]
        draws = list(resamples(n, n_boot, int(rng.integers(1 << 31))))
        for m in names:
            low, high = METRICS[m][2]
            va, vb = metric_value(m, sa, ta, k), metric_value(m, sb, ta, k)
            boot_a = [metric_value(m, sa[j], ta[j], k) for j in draws]
            boot_d = [x - metric_value(m, sb[j], ta[j], k) for x, j in zip(boot_a, draws)]
            lo, hi = normal_interval(va, boot_a, (low, high))
            dlo, dhi = normal_interval(va - vb, boot_d, (low - high, high - low))
            h = hits[m]
            h["value"] += lo <= target[m] <= hi
            h["difference"] += dlo <= target_diff[m] <= dhi
            h["value_inside"] += lo <= va <= hi
            h["difference_inside"] += dlo <= va - vb <= dhi
        if progress:
            progress.step()
    return {"n": n, "k": k, "noise": noise, "trials": trials, "n_boot": n_boot, "seed": seed,
            "population_size": population_size, "population_lists": population_lists,
            "seconds": time.perf_counter() - start,
            "population_value": target, "population_difference": target_diff,
            "coverage": {m: {key: count / trials for key, count in h.items()} for m, h in hits.items()}}


def method_coverage(name: str = "kendall_tau", n: int = 34, k: int = 5, noise: float = 2.0, seed_noise: float = 1.0,
                    seeds: int = 2, trials: int = 200, n_boot: int = 200, population_size: int = 4000,
                    population_lists: int = 1000, seed: int = 0, log: Callable[[str], None] | None = None) -> dict:
    """Coverage of `ranking.method_difference`'s interval for a claim about two *methods*, with seed noise.

    Each method has a fixed error per network (its bias; `population`'s scorers a and b) and every
    supernet seed adds fresh noise of `seed_noise` per network (training randomness).  The method's
    population difference is the mean of metric(a) - metric(b) over many lists, each with freshly
    trained seeds.  Each trial draws a list and `seeds` seeds per method, computes the interval and
    counts whether it holds that value (and whether the network-only interval of
    `paired_metric_difference` does); ``seed_std``: the std of the per-seed metric over seeds (the
    demo's SBN tau: 0.08), to size `seed_noise`.
    """
    truth, a, b = population(population_size, noise, seed)
    rng = np.random.default_rng([seed, 2])

    def trained(base: np.ndarray, idx: np.ndarray, count: int) -> list[np.ndarray]:
        return [base[idx] + seed_noise * rng.normal(0, 1, len(idx)) for _ in range(count)]

    diffs, per_seed = [], []
    for _ in range(population_lists):
        i = rng.choice(population_size, n, replace=False)
        (sa,), (sb,) = trained(a, i, 1), trained(b, i, 1)
        va = metric_value(name, sa, truth[i], k)
        diffs.append(va - metric_value(name, sb, truth[i], k))
        per_seed.append(va)
    target = _finite_mean(diffs)

    hits = inside = decided = undefined = network_only = 0
    stds = []
    progress = Progress(trials, f"method coverage: {trials} lists of {n}, {seeds} seeds", log) if log else None
    start = time.perf_counter()
    for _ in range(trials):
        i = rng.choice(population_size, n, replace=False)
        la, lb = trained(a, i, seeds), trained(b, i, seeds)
        stds.append(float(np.std([metric_value(name, s, truth[i], k) for s in la], ddof=1)))
        draw = int(rng.integers(1 << 31))
        d = method_difference(la, lb, truth[i], name, k, n_boot, draw)
        if d.get("undefined"):
            undefined += 1
            continue
        nlo, nhi = paired_metric_difference(la, lb, truth[i], name, k, n_boot, draw)["ci95"]
        network_only += nlo <= target <= nhi
        lo, hi = d["ci95"]
        hits += lo <= target <= hi
        inside += lo <= d["difference"] <= hi
        decided += d["better"] != "undecided"
        if progress:
            progress.step()
    counted = max(1, trials - undefined)
    return {"metric": name, "n": n, "k": k, "noise": noise, "seed_noise": seed_noise, "seeds": seeds,
            "trials": trials, "undefined": undefined, "n_boot": n_boot, "seed": seed,
            "population_value_a": _finite_mean(per_seed), "population_difference": target,
            "seed_std": float(np.mean(stds)), "coverage": hits / counted, "value_inside": inside / counted,
            # the interval over resampled networks with the supernets held fixed, against the same target
            "network_only_coverage": network_only / counted,
            "decided": decided / counted, "seconds": time.perf_counter() - start}
