"""Stage ``msweep`` (optional, section ``m_sweep``): how the number of active paths m changes the
ranking, with and without Shadow BN (the paper's claim: SBN matters for m >= 2).

For every m a Shadow-BN and a vanilla-BN supernet are trained per seed (same config and budget
otherwise) and each ranks the networks of its own space among the experiment's list (S4: 3, 9,
19 and 34 networks for m = 1..4), against the same ground truth.  SBN - BN is paired on the same
networks; with m = 1 the two are the same network (one BN per path count), a built-in control.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ...bench.ranking import METRICS, paired_metric_difference, seed_metrics
from ...errors import ConfigError
from ...jsonio import json_round_trip, save_json_atomic
from ...spaces import ArchError, get_space
from ..plots import plot_m_sweep
from ..rank_job import RankSettings, Scoring, run_rank_job
from ..report import difference_cell, md_table, metric_cell, source_line
from ..sbn_job import resolve_checkpoint
from ..stage import LOGGING_KEYS, Context, Stage, config_digest, register_stage
from .supernets import train_supernets


@dataclass(frozen=True)
class MSweepSettings:
    m: tuple[int, ...] = (1, 2, 3, 4)
    seeds: tuple[int, ...] = (0,)
    epochs: int | None = None  # default: the supernet config's max_epochs
    gpus: int = 1
    amp: bool = False
    fast: bool = False
    calib_batches: int = 8
    calib_batch_size: int = 256
    n_boot: int = 1000
    top_k: int = 5
    # paths only through the first m candidate nodes (the reference code's space for m < 4) instead of
    # any m of them (ours)
    first_m_positions: bool = False

    def __post_init__(self) -> None:
        if not self.m or len(set(self.m)) != len(self.m) or min(self.m) < 1:
            raise ValueError(f"m must list distinct path counts >= 1, got {list(self.m)}")
        if not self.seeds or len(set(self.seeds)) != len(self.seeds):
            raise ValueError(f"seeds must name at least one seed, each once; got {list(self.seeds)}")
        if min(self.calib_batches, self.calib_batch_size, self.n_boot, self.top_k, self.gpus) < 1 or (
                self.epochs is not None and self.epochs < 1):
            raise ValueError("calib_batches, calib_batch_size, n_boot, top_k, gpus and epochs must be >= 1")
        if self.n_boot < 20:
            raise ValueError(f"n_boot must be >= 20 (an interval from fewer resamples means nothing), got {self.n_boot}")


@dataclass(frozen=True)
class MSweepOutput:
    json: str
    figure: str
    data: dict  # msweep.json


def archs_for_m(ctx: Context, m: int, first_m: bool = False) -> list:
    """The experiment's networks that a supernet with at most `m` active paths (through the first m
    nodes only, with `first_m`) holds."""
    space = get_space(ctx.archs[0].space, m, first_m=first_m)
    out = []
    for arch in ctx.archs:
        try:
            out.append(space.validate(arch))
        except ArchError:
            pass
    return out


@register_stage
class MSweepStage(Stage):
    name, section, Settings, Output = "msweep", "m_sweep", MSweepSettings, MSweepOutput
    title = "Number of active paths m, with and without Shadow BN"
    needs = ("truth",)
    optional = True

    def key_inputs(self, ctx: Context, settings: MSweepSettings) -> dict:
        return {"supernet_config": config_digest(ctx.supernet_cfg, LOGGING_KEYS)}

    def validate(self, ctx: Context, settings: MSweepSettings, everything: dict) -> None:
        space = ctx.archs[0].space
        for m in settings.m:
            try:
                get_space(space, m)
            except (ArchError, ValueError) as exc:
                raise ConfigError(f"m_sweep.m: {exc}") from None
            if settings.first_m_positions and m < 4:
                try:
                    get_space(space, m, first_m=True)
                except ArchError as exc:
                    raise ConfigError(f"m_sweep.first_m_positions: {exc}") from None
            if len(archs_for_m(ctx, m, settings.first_m_positions)) < 3:
                raise ConfigError(f"m_sweep.m: a supernet with m={m} holds fewer than 3 of the experiment's "
                                  "networks; a ranking needs 3")

    def run(self, ctx: Context, settings: MSweepSettings, upstream: dict, folder: Path) -> MSweepOutput:
        kinds = (("sbn", True), ("bn", False))
        first = {"first_m_positions": True} if settings.first_m_positions else {}
        jobs = [(f"m{m}/{kind}/seed{seed}", {"m": m, "shadow_bn": sbn, **first}, seed, folder / f"m{m}" / kind / f"seed{seed}")
                for m in settings.m for kind, sbn in kinds for seed in settings.seeds]
        train_supernets(ctx, settings, jobs)
        truth = upstream["truth"]
        k, n_boot = settings.top_k, settings.n_boot
        out = {"seeds": list(settings.seeds), "k": k, "n_boot": n_boot, "m": {}}
        for m in settings.m:
            archs = archs_for_m(ctx, m, settings.first_m_positions)
            ckpts = [str(resolve_checkpoint(folder / f"m{m}" / kind / f"seed{seed}"))
                     for kind, _ in kinds for seed in settings.seeds]
            rank = RankSettings(Scoring(settings.calib_batches, settings.calib_batch_size, ctx.device, settings.fast),
                                n_boot, labels=tuple(kind for kind, _ in kinds for _ in settings.seeds),
                                checkpoint_seeds=tuple(s for _ in kinds for s in settings.seeds),
                                sources={"config": ctx.supernet_config, "truth": truth.table})
            summary = run_rank_job(ctx.supernet_cfg, ckpts, truth.ground_truth(), folder / f"m{m}", rank, archs,
                                   ctx.executor, ctx.log)
            t = summary["truth_acc"]
            lists = {kind: [e["calibrated"] for e in summary["checkpoints"] if e["variant"] == kind]
                     for kind, _ in kinds}
            out["m"][str(m)] = {
                "archs": summary["archs"], "rank_json": ctx.rel(folder / f"m{m}" / "rank.json"),
                **{kind: seed_metrics(lists[kind], t, k, n_boot) for kind in lists},
                "sbn_minus_bn": {stat: paired_metric_difference(lists["sbn"], lists["bn"], t, stat, k, n_boot)
                                 for stat in METRICS}}
            row = out["m"][str(m)]
            ctx.log(f"msweep: m={m}, {len(archs)} networks: Kendall tau SBN "
                    f"{metric_cell(row['sbn']['metrics']['kendall_tau'], False)}, BN "
                    f"{metric_cell(row['bn']['metrics']['kendall_tau'], False)} (calibrated)")
        save_json_atomic(folder / "msweep.json", out)
        plot_m_sweep(out, folder / "msweep.png")
        return MSweepOutput(ctx.rel(folder / "msweep.json"), ctx.rel(folder / "msweep.png"), json_round_trip(out))

    def report(self, ctx: Context, output: MSweepOutput, outputs: dict) -> list[str]:
        sweep = output.data
        rows = [(m, len(row["archs"]), metric_cell(row["sbn"]["metrics"]["kendall_tau"]),
                 metric_cell(row["bn"]["metrics"]["kendall_tau"]), difference_cell(row["sbn_minus_bn"]["kendall_tau"]),
                 difference_cell(row["sbn_minus_bn"]["precision_at_k"])) for m, row in sweep["m"].items()]
        return [f"For each m, a Shadow-BN and a vanilla-BN supernet per seed ({', '.join(map(str, sweep['seeds']))}), "
                "each ranking the networks of its own space against the same ground truth (BN calibration on, "
                "mean over seeds [pooled 95% interval]); SBN - BN is paired on the same networks."
                + (" With m = 1 the two are the same network, a control." if "1" in sweep["m"] else ""), "",
                *md_table(("m", "networks", "SBN tau-b", "BN tau-b", "SBN - BN, tau-b", "SBN - BN, P@K"), rows),
                "", msweep_verdict(sweep), "", f"![m sweep]({output.figure})", "",
                source_line(output.json, *[row["rank_json"] for row in sweep["m"].values()]), ""]

    def verdicts(self, ctx: Context, output: MSweepOutput, outputs: dict) -> list[str]:
        return [msweep_verdict(output.data)]

    def summary_source(self, output: MSweepOutput) -> str:
        return output.json


def msweep_verdict(sweep: dict) -> str:
    """Where SBN ranked better / worse / undecided by the paired tau interval, per m >= 2."""
    words = {"a": "better", "b": "worse", "undecided": "no clear difference"}
    parts = [f"m={m}: {words[row['sbn_minus_bn']['kendall_tau']['better']]}" for m, row in sweep["m"].items()
             if int(m) >= 2]
    return ("**m sweep, SBN vs vanilla BN by Kendall tau**: " + ("; ".join(parts) if parts else "no m >= 2 run")
            + ". The paper's claim is that SBN ranks better for every m >= 2.")
