"""Ground truth for a set of architectures, with its seed noise measured.

Stand-alone training runs (architecture x seed) are spread over worker processes (each with its
share of the CPU threads; one in-process worker on a GPU); every run is cached on disk by
`StandaloneTruth`, so a killed job loses at most the runs in flight.  A NAS-Bench-101 file or a
table can stand in for training.  The summary says whether the architectures differ by more than
the seeds do: the pooled within-architecture standard deviation (seed noise) against the spread
of the per-architecture means, and the Kendall tau between two seeds' rankings (the best any
supernet could hope to reach against this ground truth).
"""
from __future__ import annotations

import multiprocessing
import os
import time
from dataclasses import asdict
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
from mmengine.config import Config

from ..errors import ConfigError
from ..spaces import Arch, parse_arch
from ..bench.ranking import rank_correlation
from ..bench.standalone import StandaloneRecipe, StandaloneTruth
from ..bench.truth import load_truth
from ..engine.setup import register_all_modules

_WORKER: dict = {}


def standalone_truth(supernet_cfg: Config, recipe: StandaloneRecipe, seeds: Sequence[int], metric: str,
                     cache_dir: str | Path, device: str, log: Callable[[str], None] = print) -> StandaloneTruth:
    """Stand-alone truth on the supernet config's data: trained on its train split, measured on
    its validation split (``val_acc``) and on the held-out test split (``test_acc``)."""
    from mmengine.registry import DATASETS

    register_all_modules()

    if metric not in ("val_acc", "test_acc"):
        raise ConfigError(f"ground_truth.metric must be 'val_acc' or 'test_acc', got {metric!r}")
    data = supernet_cfg.train_dataloader.dataset
    train = DATASETS.build(data)
    val_cfg = supernet_cfg.val_dataloader.dataset
    evals = {"val": DATASETS.build(val_cfg), "test": DATASETS.build(dict(val_cfg, split="test"))}
    return StandaloneTruth(supernet_cfg.model.network, supernet_cfg.model.data_preprocessor, train, evals, recipe,
                           seeds, cache_dir, device, metric, data_id=str(data), log=log)


def _init_worker(cfg_dict: dict, recipe: dict, seeds: list[int], metric: str, cache_dir: str, threads: int) -> None:
    import torch

    torch.set_num_threads(threads)
    cfg = Config(cfg_dict)
    _WORKER["truth"] = standalone_truth(cfg, StandaloneRecipe(**recipe), seeds, metric, cache_dir, "cpu",
                                        log=lambda _: None)


def _train_one(arch: str, seed: int) -> dict:
    return _WORKER["truth"].result(parse_arch(arch), seed)


def train_all(truth: StandaloneTruth, supernet_cfg: Config, archs: Sequence[Arch], workers: int,
              log: Callable[[str], None] = print) -> None:
    """Make sure every (architecture, seed) result is cached, `workers` runs at a time."""
    todo = [(a, s) for a in archs for s in truth.seeds if not truth.cached(a, s)]
    total = len(archs) * len(truth.seeds)
    log(f"truth: {total - len(todo)}/{total} stand-alone runs cached, {len(todo)} to train")
    if not todo:
        return
    start = time.perf_counter()
    if workers <= 1 or truth.device != "cpu":
        for i, (arch, seed) in enumerate(todo, 1):
            res = truth.result(arch, seed)
            log(f"truth: {i}/{len(todo)} {arch} seed {seed}: {res[truth.metric]:.2f}% ({res['seconds']:.1f} s)")
        return
    threads = max(1, (os.cpu_count() or 1) // workers)
    ctx = multiprocessing.get_context("spawn")
    init = (supernet_cfg.to_dict(), asdict(truth.recipe), list(truth.seeds), truth.metric,
            str(truth.folder.parent), threads)
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker, initargs=init) as pool:
        futures = {pool.submit(_train_one, a.to_string(), s): (a, s) for a, s in todo}
        for i, fut in enumerate(as_completed(futures), 1):
            arch, seed = futures[fut]
            res = fut.result()
            eta = (time.perf_counter() - start) / i * (len(todo) - i)
            log(f"truth: {i}/{len(todo)} {arch} seed {seed}: {res[truth.metric]:.2f}% "
                f"({res['seconds']:.1f} s; about {eta:.0f} s left)")
    missing = [f"{a} seed {s}" for a, s in todo if not truth.cached(a, s)]
    if missing:  # the workers must have written into the same cache folder
        raise RuntimeError(f"stand-alone workers did not cache {', '.join(missing[:3])} in {truth.folder}")


def seed_noise_summary(per_seed: np.ndarray, n_boot: int = 1000) -> dict:
    """Seed noise vs architecture spread of an (archs, seeds) accuracy matrix (%)."""
    means = per_seed.mean(1)
    out = {"archs": int(per_seed.shape[0]), "seeds": int(per_seed.shape[1]),
           "spread_std": float(means.std(ddof=1)) if len(means) > 1 else 0.0,
           "range": float(means.max() - means.min())}
    if per_seed.shape[1] > 1:
        noise = float(np.sqrt(per_seed.var(1, ddof=1).mean()))
        out["seed_noise_std"] = noise
        out["seed_noise_of_mean"] = noise / np.sqrt(per_seed.shape[1])
        out["spread_over_noise"] = out["spread_std"] / noise if noise > 0 else float("inf")
        if per_seed.shape[0] >= 3:
            out["seed_vs_seed"] = rank_correlation(per_seed[:, 0], per_seed[:, 1], n_boot)
    return out


def run_truth_stage(supernet_cfg: Config, archs: Sequence[Arch], gt: dict, cache_dir: Path, device: str,
                    workers: int, log: Callable[[str], None] = print) -> dict:
    """Ground truth of `archs` per the ``ground_truth`` section `gt`; returns the JSON-ready summary."""
    source = gt.get("source", "standalone")
    metric = gt.get("metric", "test_acc" if source == "standalone" else "val_acc")
    if source == "standalone":
        try:
            recipe = StandaloneRecipe(**dict(gt.get("recipe") or {}))
        except TypeError as exc:
            raise ConfigError(f"ground_truth.recipe: {exc}") from None
        seeds = [int(s) for s in gt.get("seeds", (0,))]
        truth = standalone_truth(supernet_cfg, recipe, seeds, metric, cache_dir, device, log)
        train_all(truth, supernet_cfg, archs, workers, log)
        runs = [truth.results(a) for a in archs]
        per_seed = np.array([[r[metric] for r in rs] for rs in runs])
        seconds = float(sum(r["seconds"] for rs in runs for r in rs))
        desc = (f"stand-alone training, {recipe.epochs} epochs, seeds {seeds}, {metric} "
                f"({'held-out test split' if metric == 'test_acc' else 'validation split'})")
    else:
        truth = load_truth(source, supernet_cfg, metric)
        per_seed = np.array([[truth.accuracy(a)] for a in archs])
        seconds, seeds = 0.0, []
        desc = f"{truth.name} (mean of its repeats)" if source.endswith(".tfrecord") else truth.name
    return {"source": source, "description": desc, "metric": metric, "seeds": seeds,
            "archs": [a.to_string() for a in archs], "per_seed": per_seed.tolist(),
            "acc": per_seed.mean(1).tolist(), "train_seconds": seconds,
            "noise": seed_noise_summary(per_seed, int(gt.get("n_boot", 1000)))}
