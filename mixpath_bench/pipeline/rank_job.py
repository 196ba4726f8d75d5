"""The ranking job behind `tools/rank.py`: how well do supernets rank architectures?

Every architecture of a list (S4: the 34 unique NAS-Bench-101 cells, one canonical encoding
each; other spaces: a fixed seeded sample) is scored by each supernet checkpoint before and after
BN calibration, and compared with a ground truth by Kendall tau-b and Spearman rho with bootstrap
95% intervals.  Several checkpoints (e.g. with and without Shadow BN) are compared in one run.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from mmengine.config import Config

from ..errors import ConfigError
from ..jsonio import save_json_atomic
from ..progress import Progress, tee_log
from ..provenance import provenance
from ..spaces import Arch, parse_arch
from ..bench.evaluator import build_evaluator
from .plots import plot_ranking, truth_axis_label
from ..bench.ranking import rank_correlation, ranking_archs
from ..bench.truth import GroundTruth


@dataclass(frozen=True)
class Scoring:
    """How a supernet scores architectures: BN calibration on `calib_batches` training batches of
    `calib_batch_size`, on `device`; `fast`: the fast evaluation settings (bf16 autocast and
    channels-last on CUDA, validation in batches of 2,500; the calibration batches are the same)."""

    calib_batches: int = 8
    calib_batch_size: int = 256
    device: str = "cpu"
    fast: bool = False

    def __post_init__(self) -> None:
        if self.calib_batches < 1:
            raise ConfigError(f"calib_batches must be >= 1 (ranking compares scores before and after BN "
                              f"calibration), got {self.calib_batches}")


@dataclass(frozen=True)
class RankSettings:
    """A ranking run: how supernets score (`scoring`), bootstrap resamples, how many architectures
    outside an enumerable space, the checkpoints' names (``variant``) and training seeds (``seed``)
    in ``rank.json``, and where the inputs came from (`sources`, provenance)."""

    scoring: Scoring = Scoring()
    n_boot: int = 1000
    num_archs: int = 50
    labels: tuple[str, ...] | None = None
    checkpoint_seeds: tuple[int, ...] | None = None
    sources: dict = field(default_factory=dict)


def run_rank_job(cfg: Config, checkpoints: Sequence[str], truth: GroundTruth, work_dir: str | Path,
                 settings: RankSettings = RankSettings(), archs: Sequence[Arch] | None = None, executor=None,
                 log: Callable[[str], None] = print) -> dict:
    """Score, correlate, write ``rank.json`` and ``rank.png`` into `work_dir`; returns the summary.

    `cfg`: the supernet config (loaded); `truth`: a ground-truth source (`bench.truth.GroundTruth`).
    `archs` fixes the architectures to rank (default: `ranking_archs` of the supernets' space).
    ``rank.json`` also holds every architecture's stand-alone multiply-adds and parameters (the
    simplest baseline scorers).  `executor`: where the checkpoints are scored, one job each
    (`pipeline.executor`; default: one after the other here).
    """
    scoring, n_boot, labels, checkpoint_seeds = settings.scoring, settings.n_boot, settings.labels, \
        settings.checkpoint_seeds
    work = Path(work_dir)
    work.mkdir(parents=True, exist_ok=True)
    log = tee_log(log, work / "rank.log")
    if archs is None:
        from ..engine.evaluate import build_supernet

        archs = ranking_archs(build_supernet(cfg, checkpoints[0]).space, settings.num_archs)
    archs = list(archs)
    looked_up = Progress(len(archs), f"rank: ground truth ({truth.name})", log)
    truth_acc = []
    for arch in archs:
        truth_acc.append(truth.accuracy(arch))
        looked_up.step()
    results = score_checkpoints(cfg, [(str(c), "val") for c in checkpoints], archs, scoring, executor, log)
    if len({r["space"] for r in results}) > 1:
        raise ConfigError("all checkpoints must be supernets of the same search space")
    summary = {"space": results[0]["space"], "truth": truth.name, "archs": [a.to_string() for a in archs],
               "truth_acc": truth_acc, "checkpoints": [], "provenance": provenance(
                   {**settings.sources, "checkpoints": list(checkpoints), "num_archs": len(archs),
                    "calib_batches": scoring.calib_batches, "fast": scoring.fast}, scoring.device)}
    panels = {}
    for n, (ckpt, res) in enumerate(zip(checkpoints, results)):
        entry = checkpoint_entry(ckpt, res, truth_acc, n_boot, labels[n] if labels is not None else None,
                                 checkpoint_seeds[n] if checkpoint_seeds is not None else None)
        summary["checkpoints"].append(entry)
        name = labels[n] if labels is not None else f"{Path(ckpt).parent.name}/{Path(ckpt).name}"
        if checkpoint_seeds is not None:
            name += f" seed {checkpoint_seeds[n]}"
        label = f"{name} ({'SBN' if entry['shadow_bn'] else 'BN'})"
        c = entry["correlation"]
        panels[label + ", calibrated"] = (entry["calibrated"], truth_acc, c["calibrated"]["kendall_tau"])
        log(f"rank: {label}: Kendall tau {c['uncalibrated']['kendall_tau']:.3f} -> "
            f"{c['calibrated']['kendall_tau']:.3f} with BN calibration")
    summary["madds"], summary["params"] = results[0]["madds"], results[0]["params"]
    save_json_atomic(work / "rank.json", summary)
    plot_ranking(panels, work / "rank.png", truth_label=truth_axis_label(truth.name))
    log(f"rank: wrote {work / 'rank.json'} and {work / 'rank.png'}")
    return summary


def checkpoint_entry(ckpt: str, res: dict, truth_acc: Sequence[float], n_boot: int, label: str | None,
                     seed: int | None) -> dict:
    """rank.json's entry of one checkpoint: its scores and their correlation with the truth."""
    calibrated, raw = res["calibrated"], res["uncalibrated"]
    entry = {"checkpoint": str(ckpt), "shadow_bn": res["shadow_bn"], "m": res["m"],
             "calibrated": calibrated, "uncalibrated": raw,
             "correlation": {"calibrated": rank_correlation(calibrated, truth_acc, n_boot),
                             "uncalibrated": rank_correlation(raw, truth_acc, n_boot)}}
    if label is not None:
        entry["variant"] = label
    if seed is not None:
        entry["seed"] = int(seed)
    return entry


def _shadow(network) -> bool:
    from ..nn import ShadowBatchNorm

    return any(m.shadow for m in network.modules() if isinstance(m, ShadowBatchNorm) and m.max_paths > 1)


def score_job(cfg: dict, checkpoint: str, split: str, archs: Sequence[str], scoring: Scoring, count_costs: bool,
              per_encoding: bool = False) -> dict:
    """Scores of `archs` by one checkpoint on one split (a job); multiply-adds and parameters only
    with `count_costs`; `per_encoding`: each encoding scored as given (`SupernetEvaluator`)."""
    cfg = Config(cfg) if isinstance(cfg, dict) else cfg
    cuda = str(scoring.device).startswith("cuda")
    speed = {"amp": cuda, "channels_last": cuda, "val_batch_size": 2500} if scoring.fast else {}
    ev = build_evaluator(cfg, checkpoint, calib_batches=scoring.calib_batches, calib_batch_size=scoring.calib_batch_size,
                         device=scoring.device, with_uncalibrated=split == "val" or per_encoding, split=split,
                         count_costs=count_costs, per_encoding=per_encoding, **speed)
    scores = [ev.score(parse_arch(arch)) for arch in archs]
    return {"space": ev.space.name, "m": ev.space.m, "shadow_bn": _shadow(ev.model.network),
            "calibrated": [s.acc for s in scores], "uncalibrated": [s.acc_uncalibrated for s in scores],
            "madds": [s.madds for s in scores], "params": [s.params for s in scores]}


def score_checkpoints(cfg: Config, jobs: Sequence[tuple[str, str]], archs: Sequence[Arch], scoring: Scoring,
                      executor=None, log: Callable[[str], None] = print, count_costs: bool = True,
                      per_encoding: bool = False) -> list[dict]:
    """Scores of `archs` for every (checkpoint, split) job ('val': our protocol, calibrated on training
    batches, accuracy before and after calibration; 'test': the reference code's, calibrated and
    scored on the test split), each an independent job on `executor` (default: one after the
    other here).  Only the first job counts multiply-adds and parameters (they do not depend on the
    weights), and only with `count_costs`.  `per_encoding`: every encoding scored as given, with
    the accuracy before calibration on both splits (the reference protocol's candidates)."""
    from .executor import Job, LocalExecutor

    executor = executor or LocalExecutor(1, scoring.device)
    names = [a.to_string() for a in archs]
    gpus = 1 if str(scoring.device).startswith("cuda") else 0
    plain = cfg.to_dict()
    work = [Job(f"{'/'.join(Path(ckpt).parts[-3:])} on the {split} split", score_job,
                (plain, str(ckpt), split, names, scoring, count_costs and i == 0, per_encoding),
                executor.threads, gpus, shown_args=(str(ckpt), split)) for i, (ckpt, split) in enumerate(jobs)]
    log(f"rank: scoring {len(archs)} architectures with {len(jobs)} supernet(s) ({executor.name} executor)")
    return executor.run(work, "rank", log)
