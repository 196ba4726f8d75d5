"""bf16 against fp32, measured on the architectures a supernet ranks: the same networks scored with
checkpoints trained in different ways, compared by rank correlation (`tools/gpu_check.py`'s quality part).

Scores are calibrated top-1 accuracies (percent) from `build_evaluator`; multiply-adds are not
counted (nothing here reads them).
"""
from __future__ import annotations

from typing import Mapping

import numpy as np

from ..spaces import Arch, SearchSpace
from .ranking import kendall_tau, spearman_rho


def unique_networks(space: SearchSpace) -> list[Arch]:
    """The canonical encoding of every distinct network of an enumerable space, sorted (S4, m=4: 34)."""
    return sorted({space.canonical(arch) for arch in space.enumerate()})


def score_checkpoints(cfg, checkpoints: Mapping[str, str], evaluator_options: Mapping[str, dict],
                      calib_batches: int, device: str, every: int = 1) -> tuple[list[Arch], dict[str, list[float]]]:
    """(architectures, name -> their accuracies) for each checkpoint of the supernet config `cfg`.

    The architectures are every `every`-th of `unique_networks` of the config's space;
    `evaluator_options[name]` are extra `build_evaluator` arguments (``amp``, ``channels_last``)."""
    from .evaluator import build_evaluator

    archs: list[Arch] | None = None
    scores = {}
    for name, checkpoint in checkpoints.items():
        ev = build_evaluator(cfg, checkpoint, calib_batches=calib_batches, device=device, with_uncalibrated=False,
                             count_costs=False, **evaluator_options.get(name, {}))
        if archs is None:
            archs = unique_networks(ev.space)[::every]
        scores[name] = [ev.score(a).acc for a in archs]
    return archs or [], scores


def finite(value: float) -> float | None:
    """None for NaN (a rank correlation with a constant list), so the JSON stays standard."""
    return None if value != value else value


def quality_summary(scores: Mapping[str, list[float]], base: str = "fp32", test: str = "bf16",
                    noise: str = "fp32_seed1") -> dict:
    """Mean and best accuracy per run; Kendall tau and Spearman correlation of each run against `base`,
    of `test` against `noise` (the other seed), and the largest |test - base| (points)."""
    reference = scores[base]
    return {
        "archs": len(reference),
        "mean_acc": {k: float(np.mean(v)) for k, v in scores.items()},
        "best_acc": {k: float(np.max(v)) for k, v in scores.items()},
        "kendall_tau_vs_fp32": {k: finite(kendall_tau(v, reference)) for k, v in scores.items() if k != base},
        "spearman_vs_fp32": {k: finite(spearman_rho(v, reference)) for k, v in scores.items() if k != base},
        "kendall_tau_bf16_vs_fp32_seed1": finite(kendall_tau(scores[test], scores[noise])),
        "max_abs_diff_bf16_vs_fp32": float(np.max(np.abs(np.subtract(scores[test], reference)))),
    }
