"""The ranking job behind `tools/rank.py`: how well do supernets rank architectures?

Every architecture of a list (S4: the 34 unique NAS-Bench-101 cells, one canonical encoding
each; other spaces: a fixed seeded sample) is scored by each supernet checkpoint before and after
BN calibration, and compared with a ground truth by Kendall tau-b and Spearman rho with bootstrap
95% intervals.  Several checkpoints (e.g. with and without Shadow BN) are compared in one run.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Sequence

import numpy as np
from mmengine.config import Config

from ..engine.config import load_config
from ..errors import ConfigError
from ..jsonio import save_json_atomic
from ..progress import Progress, tee_log
from ..provenance import provenance
from ..spaces import Arch
from ..bench.evaluator import build_evaluator
from .plots import plot_ranking
from ..bench.ranking import rank_correlation, ranking_archs
from ..bench.standalone import StandaloneRecipe
from ..bench.truth import load_truth


def run_rank_job(config: str | Path, checkpoints: Sequence[str], truth_source: str, work_dir: str | Path,
                 num_archs: int = 50, calib_batches: int = 8, calib_batch_size: int = 256, device: str = "cpu",
                 metric: str = "val_acc",
                 recipe: StandaloneRecipe | None = None, seeds: Sequence[int] = (0,), n_boot: int = 1000,
                 archs: Sequence[Arch] | None = None, fast: bool = False, labels: Sequence[str] | None = None,
                 log: Callable[[str], None] = print, loaded: Config | None = None,
                 checkpoint_seeds: Sequence[int] | None = None) -> dict:
    """Score, correlate, write ``rank.json`` and ``rank.png`` into `work_dir`; returns the summary.

    `archs` fixes the architectures to rank (default: `ranking_archs` of the supernets' space).
    `fast`: the fast evaluation settings (bf16 autocast and channels-last on CUDA, validation in
    batches of 2,500); the calibration batches are the same.  `labels` names the checkpoints
    (``variant`` in ``rank.json``), `checkpoint_seeds` their training seeds (``seed``).  `loaded`:
    `config` already loaded (it is not read again).  ``rank.json`` also holds every architecture's
    stand-alone multiply-adds and parameters (the simplest baseline scorers).
    """
    if calib_batches < 1:
        raise ConfigError(f"calib_batches must be >= 1 (ranking compares scores before and after BN calibration), "
                          f"got {calib_batches}")
    cfg = loaded if loaded is not None else load_config(config)
    work = Path(work_dir)
    work.mkdir(parents=True, exist_ok=True)
    log = tee_log(log, work / "rank.log")
    truth = load_truth(truth_source, cfg, metric, recipe, seeds, work / "standalone", device, log)
    cuda = str(device).startswith("cuda")
    speed = {"amp": cuda, "channels_last": cuda, "val_batch_size": 2500} if fast else {}
    evaluators = [build_evaluator(cfg, ckpt, calib_batches=calib_batches, calib_batch_size=calib_batch_size,
                                  device=device, **speed) for ckpt in checkpoints]
    space = evaluators[0].space
    if any(e.space.name != space.name for e in evaluators):
        raise ConfigError("all checkpoints must be supernets of the same search space")
    archs = list(archs) if archs is not None else ranking_archs(space, num_archs)
    looked_up = Progress(len(archs), f"rank: ground truth ({truth.name})", log)
    truth_acc = []
    for arch in archs:
        truth_acc.append(truth.accuracy(arch))
        looked_up.step()
    summary = {"space": space.name, "truth": truth.name, "archs": [a.to_string() for a in archs],
               "truth_acc": truth_acc, "checkpoints": [], "provenance": provenance(
                   {"config": str(config), "checkpoints": list(checkpoints), "truth": truth_source,
                    "num_archs": len(archs), "calib_batches": calib_batches, "metric": metric, "fast": fast}, device)}
    panels = {}
    for n, (ckpt, ev) in enumerate(zip(checkpoints, evaluators)):
        scores = []
        scored = Progress(len(archs), f"rank: {Path(ckpt).parent.name}/{Path(ckpt).name} scored", log)
        for arch in archs:
            scores.append(ev.score(arch))
            scored.step()
        calibrated = [s.acc for s in scores]
        raw = [s.acc_uncalibrated for s in scores]
        network = ev.model.network
        entry = {"checkpoint": str(ckpt), "shadow_bn": _shadow(network), "m": space.m,
                 "calibrated": calibrated, "uncalibrated": raw,
                 "correlation": {"calibrated": rank_correlation(calibrated, truth_acc, n_boot),
                                 "uncalibrated": rank_correlation(raw, truth_acc, n_boot)}}
        if labels is not None:
            entry["variant"] = labels[n]
        if checkpoint_seeds is not None:
            entry["seed"] = int(checkpoint_seeds[n])
        summary["checkpoints"].append(entry)
        name = labels[n] if labels is not None else f"{Path(ckpt).parent.name}/{Path(ckpt).name}"
        if checkpoint_seeds is not None:
            name += f" seed {checkpoint_seeds[n]}"
        label = f"{name} ({'SBN' if entry['shadow_bn'] else 'BN'})"
        panels[label + ", calibrated"] = (calibrated, truth_acc, entry["correlation"]["calibrated"]["kendall_tau"])
        c = entry["correlation"]
        log(f"rank: {label}: Kendall tau {c['uncalibrated']['kendall_tau']:.3f} -> "
            f"{c['calibrated']['kendall_tau']:.3f} with BN calibration")
    costs = [evaluators[0].complexity(a) for a in archs]
    summary["madds"], summary["params"] = [c["madds"] for c in costs], [c["params"] for c in costs]
    save_json_atomic(work / "rank.json", summary)
    plot_ranking(panels, work / "rank.png", truth_label=f"{truth.name} (%)")
    log(f"rank: wrote {work / 'rank.json'} and {work / 'rank.png'}")
    return summary


def _shadow(network) -> bool:
    from ..nn import ShadowBatchNorm

    return any(m.shadow for m in network.modules() if isinstance(m, ShadowBatchNorm) and m.max_paths > 1)


def score_archs(cfg: Config, checkpoint: str, archs: Sequence[Arch], split: str, calib_batches: int,
                calib_batch_size: int, device: str = "cpu", log: Callable[[str], None] = print) -> list[float]:
    """Calibrated accuracy (%) of each architecture, calibrated and scored on `split` ('val': our
    protocol's scoring split, 'test': the reference code's)."""
    ev = build_evaluator(cfg, checkpoint, calib_batches=calib_batches, calib_batch_size=calib_batch_size,
                         device=device, with_uncalibrated=False, split=split)
    scored = Progress(len(archs), f"rank: {Path(checkpoint).parent.name} scored on the {split} split", log)
    out = []
    for arch in archs:
        out.append(ev.score(arch).acc)
        scored.step()
    return out
