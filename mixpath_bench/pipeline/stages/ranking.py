"""Stage 3, ``ranking``: every architecture scored by each supernet (every variant and seed) before
and after BN calibration; every ranking metric as mean +- std over supernet seeds with a pooled
interval; the SBN - BN difference paired on the same networks; baseline scorers (parameters,
multiply-adds, zero-cost proxies) on the same list and metrics; and, with ``protocol='reference'``,
the reference code's protocol beside ours, one choice at a time."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ...bench.ranking import METRICS, kendall_tau, paired_difference, paired_metric_difference, seed_metrics
from ...errors import ConfigError
from ...jsonio import json_round_trip, load_json, save_json_atomic
from ...spaces import get_space
from ..plots import plot_taus
from ..rank_job import run_rank_job, score_checkpoints
from ..stage import Context, Stage, register_stage

COMPLEXITY_BASELINES = ("params", "madds")
VERSUS_METRICS = ("kendall_tau", "spearman_rho", "precision_at_k")  # supernet vs each baseline


@dataclass(frozen=True)
class RankingSettings:
    calib_batches: int = 8
    calib_batch_size: int = 256
    n_boot: int = 1000
    fast: bool = False
    top_k: int = 5  # K of the top-K metrics
    baselines: tuple[str, ...] = ("params", "madds", "grad_norm", "snip", "synflow", "jacov", "naswot")
    proxy_batch: int = 64  # training images the zero-cost proxies see
    protocol: str = "ours"  # 'reference': also the reference code's protocol, and each of its choices alone
    reference_samples: int = 1000
    reference_drop: int = 30
    reference_draws: int = 20

    def __post_init__(self) -> None:
        if min(self.calib_batches, self.calib_batch_size, self.n_boot, self.top_k, self.proxy_batch,
               self.reference_draws) < 1:
            raise ValueError("calib_batches, calib_batch_size, n_boot, top_k, proxy_batch and reference_draws "
                             "must be >= 1")
        if self.protocol not in ("ours", "reference"):
            raise ValueError(f"protocol must be 'ours' or 'reference', got {self.protocol!r}")
        if not 0 <= self.reference_drop <= self.reference_samples - 3:
            raise ValueError(f"reference_drop must be between 0 and reference_samples - 3, got {self.reference_drop}")
        if len(set(self.baselines)) != len(self.baselines):
            raise ValueError(f"baselines names a scorer twice: {list(self.baselines)}")


@dataclass(frozen=True)
class RankingOutput:
    rank_json: str
    figure: str
    tau_figure: str
    differences: str
    variants: list
    sbn_minus_bn: dict
    metrics: str = ""
    baselines: str = ""
    protocol: str = ""


def _known_baselines() -> tuple[str, ...]:
    from ...bench.proxies import PROXIES

    return (*COMPLEXITY_BASELINES, *PROXIES)


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
        unknown = [b for b in settings.baselines if b not in _known_baselines()]
        if unknown:
            raise ConfigError(f"ranking.baselines: unknown scorer {unknown[0]!r}; known: "
                              f"{', '.join(_known_baselines())}")
        if settings.protocol == "reference" and get_space(ctx.archs[0].space).size() > 10**6:
            raise ConfigError("ranking.protocol='reference' samples encodings of an enumerable space (S4); "
                              f"{ctx.archs[0].space} is too large")

    def run(self, ctx: Context, settings: RankingSettings, upstream: dict, folder: Path) -> RankingOutput:
        truth, supernets = upstream["truth"], upstream["supernets"]
        names = list(supernets.variants)
        runs = [(n, seed, ckpt) for n in names
                for seed, ckpt in zip(supernets.variants[n].seeds, supernets.variants[n].checkpoints)]
        truth_json = load_json(ctx.path(truth.truth_json), ConfigError)
        summary = run_rank_job(ctx.supernet_config, [str(ctx.path(c)) for _, _, c in runs], str(ctx.path(truth.table)),
                               folder, calib_batches=settings.calib_batches,
                               calib_batch_size=settings.calib_batch_size, device=ctx.device, n_boot=settings.n_boot,
                               archs=list(ctx.archs), fast=settings.fast, labels=[n for n, _, _ in runs],
                               log=ctx.log, loaded=ctx.supernet_cfg, checkpoint_seeds=[s for _, s, _ in runs],
                               workers=ctx.workers)
        t, k, n_boot = summary["truth_acc"], settings.top_k, settings.n_boot
        lists = {n: {mode: [e[mode] for e in summary["checkpoints"] if e["variant"] == n]
                     for mode in ("uncalibrated", "calibrated")} for n in names}
        ctx.log(f"ranking: {len(METRICS)} metrics x {len(runs)} supernets x 2, {n_boot} bootstrap resamples")
        metrics = {n: {mode: seed_metrics(lists[n][mode], t, k, n_boot) for mode in lists[n]} for n in names}
        sbn, bn = supernets.named(True), supernets.named(False)
        diff = {mode: {stat: paired_metric_difference(lists[sbn][mode], lists[bn][mode], t, stat, k, n_boot)
                       for stat in METRICS} for mode in ("uncalibrated", "calibrated")}
        seeds = supernets.variants[sbn].seeds
        per_seed = {mode: [dict(seed=s, **paired_difference(a, b, t, kendall_tau, n_boot))
                           for s, a, b in zip(seeds, lists[sbn][mode], lists[bn][mode])]
                    for mode in ("uncalibrated", "calibrated")}
        save_json_atomic(folder / "differences.json", {"pooled_over_seeds": diff, "per_seed_kendall_tau": per_seed})
        save_json_atomic(folder / "metrics.json", {"k": k, "n_boot": n_boot, "variants": metrics})
        baselines = self.baselines(ctx, settings, summary, lists[sbn]["calibrated"], t, folder)
        protocol = self.reference(ctx, settings, runs, summary, truth_json, folder) \
            if settings.protocol == "reference" else ""
        plot_taus(summary, truth_json["noise"], folder / "tau.png")
        return RankingOutput(ctx.rel(folder / "rank.json"), ctx.rel(folder / "rank.png"), ctx.rel(folder / "tau.png"),
                             ctx.rel(folder / "differences.json"), names, json_round_trip(diff),
                             ctx.rel(folder / "metrics.json"), baselines, protocol)

    @staticmethod
    def baselines(ctx: Context, settings: RankingSettings, summary: dict, supernet_lists: list, t: list,
                  folder: Path) -> str:
        """Scores of every baseline on the ranked list, their metrics, and the SBN supernet (calibrated,
        all seeds) against each, paired on the same networks."""
        if not settings.baselines:
            return ""
        scores = {b: summary[b] for b in settings.baselines if b in COMPLEXITY_BASELINES}
        proxies = [b for b in settings.baselines if b not in COMPLEXITY_BASELINES]
        if proxies:
            from mmengine.registry import DATASETS, MODELS

            from ...bench.evaluator import dataset_batches
            from ...bench.proxies import proxy_scores

            cfg = ctx.supernet_cfg
            batch = dataset_batches(DATASETS.build(cfg.train_dataloader.dataset), settings.proxy_batch, 1, seed=0)[0]
            scores.update(proxy_scores(dict(cfg.model.network), MODELS.build(dict(cfg.model.data_preprocessor)),
                                       list(ctx.archs), batch["inputs"], batch["data_samples"], tuple(proxies),
                                       seed=0, log=ctx.log))
        k, n_boot = settings.top_k, settings.n_boot
        out = {"k": k, "n_boot": n_boot, "scores": scores,
               "metrics": {b: seed_metrics([s], t, k, n_boot) for b, s in scores.items()},
               "supernet_minus_baseline": {b: {stat: paired_metric_difference(supernet_lists, [s], t, stat, k, n_boot)
                                               for stat in VERSUS_METRICS} for b, s in scores.items()}}
        save_json_atomic(folder / "baselines.json", out)
        return ctx.rel(folder / "baselines.json")

    @staticmethod
    def reference(ctx: Context, settings: RankingSettings, runs: list, summary: dict, truth_json: dict,
                  folder: Path) -> str:
        """Tau under our protocol, each reference choice alone and the reference protocol, per supernet."""
        import numpy as np

        from ...bench.protocol import ROWS, protocol_taus

        space = get_space(ctx.archs[0].space)
        keys = [space.canonical_key(a) for a in ctx.archs]
        repeats = dict(zip(keys, truth_json["per_seed"]))
        tests = score_checkpoints(ctx.supernet_cfg, [(str(ctx.path(c)), "test") for _, _, c in runs], list(ctx.archs),
                                  settings.calib_batches, settings.calib_batch_size, ctx.device, ctx.workers,
                                  settings.fast, ctx.log, count_costs=False)
        per_run = []
        for (name, seed, ckpt), entry, scored in zip(runs, summary["checkpoints"], tests):
            test = scored["calibrated"]
            taus = protocol_taus(space, keys, dict(zip(keys, entry["calibrated"])), dict(zip(keys, test)), repeats,
                                 settings.reference_samples, settings.reference_drop, settings.reference_draws, seed=0)
            per_run.append({"variant": name, "seed": seed, "test_split_scores": test, **taus})
        variants = {}
        for name in dict.fromkeys(r["variant"] for r in per_run):
            mine = [r for r in per_run if r["variant"] == name]
            variants[name] = {row: {"mean": float(np.mean([r["rows"][row]["mean"] for r in mine])),
                                    "std": float(np.std([v for r in mine for v in r["rows"][row]["values"]]))}
                              for row in ROWS}
            ours = variants[name]["ours"]["mean"]
            for row in ROWS:
                variants[name][row]["moves_tau_by"] = variants[name][row]["mean"] - ours
        out = {**{k: per_run[0][k] for k in ("samples", "drop", "drop_distinct", "draws", "one_repeat_available")},
               "variants": variants, "runs": per_run}
        save_json_atomic(folder / "protocol.json", out)
        for name, rows in variants.items():
            ctx.log(f"ranking: {name}: Kendall tau {rows['ours']['mean']:.3f} (ours) vs "
                    f"{rows['reference']['mean']:.3f} (reference protocol)")
        return ctx.rel(folder / "protocol.json")
