"""Stage 3, ``ranking``: every architecture scored by each supernet before/after BN calibration,
Kendall tau-b / Spearman rho with bootstrap intervals and the paired SBN - BN difference."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ...bench.ranking import kendall_tau, paired_difference, spearman_rho
from ...errors import ConfigError
from ...jsonio import json_round_trip, load_json, save_json_atomic
from ..plots import plot_taus
from ..rank_job import run_rank_job
from ..stage import Context, Stage, register_stage


@dataclass(frozen=True)
class RankingSettings:
    calib_batches: int = 8
    calib_batch_size: int = 256
    n_boot: int = 1000
    fast: bool = False

    def __post_init__(self) -> None:
        if self.calib_batches < 1 or self.calib_batch_size < 1 or self.n_boot < 1:
            raise ValueError("calib_batches, calib_batch_size and n_boot must be >= 1")


@dataclass(frozen=True)
class RankingOutput:
    rank_json: str
    figure: str
    tau_figure: str
    differences: str
    variants: list
    sbn_minus_bn: dict


@register_stage
class RankingStage(Stage):
    name, section, Settings, Output = "ranking", "ranking", RankingSettings, RankingOutput
    needs = ("truth", "supernets")

    def validate(self, ctx: Context, settings: RankingSettings, everything: dict) -> None:
        variants = everything["supernets"].variants
        default = bool(ctx.supernet_cfg.model.network.get("shadow_bn", True))
        kinds = {bool(v.get("shadow_bn", default)) for v in variants.values()}
        if kinds != {True, False}:
            raise ConfigError("ranking compares a Shadow-BN and a vanilla-BN supernet: supernets.variants needs one "
                              "with shadow_bn=True and one with shadow_bn=False")

    def run(self, ctx: Context, settings: RankingSettings, upstream: dict, folder: Path) -> RankingOutput:
        truth, supernets = upstream["truth"], upstream["supernets"]
        names = list(supernets.variants)
        truth_json = load_json(ctx.path(truth.truth_json), ConfigError)
        summary = run_rank_job(ctx.supernet_config, [str(ctx.path(supernets.variants[n].checkpoint)) for n in names],
                               str(ctx.path(truth.table)), folder, calib_batches=settings.calib_batches,
                               calib_batch_size=settings.calib_batch_size, device=ctx.device, n_boot=settings.n_boot,
                               archs=list(ctx.archs), fast=settings.fast, labels=names, log=ctx.log,
                               loaded=ctx.supernet_cfg)
        a = summary["checkpoints"][names.index(supernets.named(True))]
        b = summary["checkpoints"][names.index(supernets.named(False))]
        diff = {mode: {"kendall_tau": paired_difference(a[mode], b[mode], summary["truth_acc"], kendall_tau,
                                                        settings.n_boot),
                       "spearman_rho": paired_difference(a[mode], b[mode], summary["truth_acc"], spearman_rho,
                                                         settings.n_boot)}
                for mode in ("uncalibrated", "calibrated")}
        save_json_atomic(folder / "differences.json", diff)
        plot_taus(summary, truth_json["noise"], folder / "tau.png")
        return RankingOutput(ctx.rel(folder / "rank.json"), ctx.rel(folder / "rank.png"), ctx.rel(folder / "tau.png"),
                             ctx.rel(folder / "differences.json"), names, json_round_trip(diff))
