"""Stage 1, ``truth``: ground truth of every architecture to rank, with its seed noise measured.

Stand-alone training runs (architecture x seed) are independent jobs on the experiment's executor
(local processes, each with its share of the CPU threads, or Ray tasks); every run is cached on
disk by `StandaloneTruth`, so a killed job loses at most the runs in flight.  The source is any entry
of the registry of ground-truth sources (`bench.truth`: a NAS-Bench-101 file or a table can stand in
for training), opened once per run; later stages read its typed table (`TruthOutput.values`).  The section says whether the architectures differ by more than
the seeds do: the pooled within-architecture standard deviation (seed noise) against the spread
of the per-architecture means, and the Kendall tau between two seeds' rankings (the best any
supernet could hope to reach against this ground truth).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
from mmengine.config import Config

from ...bench.ranking import rank_correlation, ranking_archs
from ...bench.standalone import StandaloneRecipe
from ...bench.truth import (METRICS, GroundTruth, TableTruth, TrainingRun, TruthRequest, TruthTable, open_truth,
                            truth_source)
from ...errors import ConfigError
from ...jsonio import save_json_atomic
from ...spaces import Arch, ArchError, get_space, network_space, parse_arch
from ..executor import Job
from ..plots import plot_truth
from ..report import md_table, source_line, with_ci
from ..stage import Context, Stage, content_digest, register_stage



@dataclass(frozen=True)
class TruthSettings:
    """``ground_truth``: a registered source (`bench.truth.TRUTH_SOURCES`: stand-alone training with
    `recipe` and every seed, a NAS-Bench-101 file, or a table)."""

    source: str = "standalone"
    metric: str | None = None  # default: the source's (test_acc for stand-alone training, val_acc otherwise)
    seeds: tuple[int, ...] = (0,)
    recipe: dict = field(default_factory=dict)
    max_archs: int | None = None  # cut-down runs: this many evenly spaced architectures
    num_archs: int = 20  # spaces too large to enumerate: this many sampled architectures
    # named architectures (model zoo names such as 'darts_v2', architecture files or strings) measured and
    # ranked beside the others, under the same recipe: reference points such as the published DARTS cells
    include: tuple[str, ...] = ()
    n_boot: int = 1000
    # fraction of the supernet's training images held out of stand-alone training and measured: the
    # truth on images the supernet trained on (as NAS-Bench-101's validation accuracy is), for the
    # reference protocol of the ranking stage; 0: none
    holdout: float = 0.0

    def __post_init__(self) -> None:
        try:
            entry = truth_source(self.source)
        except ConfigError as exc:
            raise ValueError(f"source: {exc}") from None
        if not 0.0 <= self.holdout < 0.5:
            raise ValueError(f"holdout must be a fraction in [0, 0.5), got {self.holdout}")
        entry.check(self.holdout)
        if self.metric is not None and self.metric not in METRICS:
            raise ValueError(f"metric must be 'val_acc' or 'test_acc', got {self.metric!r}")
        if self.max_archs is not None and self.max_archs < 3:
            raise ValueError("max_archs must be >= 3 (rank correlation needs three points)")
        if entry.trains:
            self.standalone_recipe()
        if not self.seeds:
            raise ValueError("seeds must name at least one seed")
        if len(set(self.seeds)) != len(self.seeds):
            raise ValueError(f"seeds must be distinct (a seed twice is one training counted twice: seed noise 0), "
                             f"got {list(self.seeds)}")
        if self.n_boot < 20:
            raise ValueError(f"n_boot must be >= 20 (an interval from fewer resamples means nothing), got {self.n_boot}")

    @property
    def resolved_metric(self) -> str:
        return self.metric or truth_source(self.source).default_metric

    def standalone_recipe(self) -> StandaloneRecipe:
        try:
            return StandaloneRecipe(**self.recipe)
        except TypeError as exc:
            raise ValueError(f"recipe: {exc}") from None

    def request(self, supernet_cfg: Config, cache_dir: str | Path, device: str,
                log: Callable[[str], None] = print) -> TruthRequest:
        """What the source is opened with (the recipe only where the source trains)."""
        recipe = self.standalone_recipe() if truth_source(self.source).trains else StandaloneRecipe()
        return TruthRequest(supernet_cfg, self.resolved_metric, tuple(int(s) for s in self.seeds), recipe,
                            self.holdout, cache_dir, device, log)


@dataclass(frozen=True)
class TruthOutput:
    truth_json: str
    table: str
    figure: str
    source: str
    metric: str
    seeds: list
    recipe: dict
    data: dict  # truth.json's content (read it through `values`)
    holdout: float = 0.0

    @property
    def values(self) -> TruthTable:
        """The measured ground truth, typed: per-seed values, their means, the truth on training images."""
        return TruthTable.from_json(self.data)

    def ground_truth(self) -> TableTruth:
        """The per-architecture means as a ground-truth source (named after the table file)."""
        return TableTruth.from_rows(f"table:{Path(self.table).name}", zip(self.data["archs"], self.data["acc"]))

    def reopen(self, ctx: Context) -> GroundTruth:
        """The same source with the same settings (stand-alone: the same cache, recipe, seeds and data),
        to measure architectures outside the table."""
        settings = TruthSettings(self.source, self.metric, tuple(self.seeds) or (0,), self.recipe,
                                 holdout=self.holdout)
        return open_truth(self.source, settings.request(ctx.supernet_cfg, ctx.cache_dir, ctx.device, ctx.log))


def experiment_archs(supernet_cfg: Config, settings: TruthSettings) -> tuple[Arch, ...]:
    """Every network of an enumerable space (S4: the 34; ``max_archs`` evenly spaced ones of them for
    cut-down runs); other spaces: ``num_archs`` seeded samples; then the ``include``d ones not among them."""
    space = network_space(supernet_cfg.model.network)
    archs = ranking_archs(space, settings.num_archs)
    if settings.max_archs is not None and settings.max_archs < len(archs):
        archs = [archs[i] for i in np.linspace(0, len(archs) - 1, settings.max_archs).round().astype(int)]
    keys = {space.canonical_key(a) for a in archs}
    for arch in included_archs(space, settings.include).values():
        if space.canonical_key(arch) not in keys:
            keys.add(space.canonical_key(arch))
            archs.append(space.canonical(arch))
    return tuple(archs)


def included_archs(space, names: Sequence[str]) -> dict[str, Arch]:
    """name -> architecture of every ``ground_truth.include`` entry, checked against the supernet's space."""
    from ...models.named import resolve_arch

    if isinstance(names, str) or not all(isinstance(n, str) for n in names):
        raise ConfigError(f"ground_truth.include must be a list of architecture names, files or strings, got {names!r}")
    out = {}
    for name in names:
        try:
            out[name] = space.validate(resolve_arch(name)[0])
        except (ConfigError, ArchError) as exc:
            raise ConfigError(f"ground_truth.include: {name}: {exc}") from None
    return out


def train_pending(truth: GroundTruth, runs: Sequence[TrainingRun], executor,
                  log: Callable[[str], None] = print) -> None:
    """Run the trainings `runs` that `truth` still needs, one job each on `executor` (each job writes
    its own output; the driver only checks they are there)."""
    if not runs:
        return
    jobs = [Job(r.name, r.fn, r.args, executor.threads, r.gpus, r.output, shown_args=r.shown_args) for r in runs]
    results = executor.run(jobs, "truth", log)
    for run, res in zip(runs, results):
        log(f"truth: {run.name}: {res[truth.metric]:.2f}% ({res['seconds']:.1f} s)")
    missing = [r.name for r in runs if not Path(r.output).is_file()]
    if missing:  # the workers must have written into the same folder
        raise RuntimeError(f"truth jobs did not write {', '.join(missing[:3])} ({Path(runs[0].output).parent}): "
                           "the work dir must be on a file system every worker sees")


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


def measure_truth(supernet_cfg: Config, archs: Sequence[Arch], settings: TruthSettings, cache_dir: Path,
                  device: str, executor, log: Callable[[str], None] = print) -> dict:
    """Ground truth of `archs` per `settings` (the source opened once); returns truth.json's content."""
    truth = open_truth(settings.source, settings.request(supernet_cfg, cache_dir, device, log))
    runs = truth.pending(archs)  # the cache looked at once
    if truth_source(settings.source).trains:
        total = len(archs) * len(settings.seeds)
        log(f"truth: {total - len(runs)}/{total} training runs cached, {len(runs)} to train")
    train_pending(truth, runs, executor, log)
    table = truth.measure(archs)
    return table.to_json(settings.source, seed_noise_summary(np.array(table.per_seed), settings.n_boot))


@register_stage
class TruthStage(Stage):
    name, section, Settings, Output = "truth", "ground_truth", TruthSettings, TruthOutput
    title = "Ground truth"

    def key_inputs(self, ctx: Context, settings: TruthSettings) -> dict:
        sc = ctx.supernet_cfg
        return {"network": sc.model.network.to_dict(), "preprocessor": sc.model.data_preprocessor.to_dict(),
                "data": [sc.train_dataloader.dataset.to_dict(), sc.val_dataloader.dataset.to_dict()],
                "archs": [a.to_string() for a in ctx.archs],
                # the table's content, not only its path: a file edited in place is a new ground truth
                "source_content": content_digest(settings.source, ctx.work / ".digests.json")
                if truth_source(settings.source).reads_file and Path(settings.source).is_file() else None}

    def experiment_archs(self, supernet_cfg: Config, settings: TruthSettings) -> tuple[Arch, ...]:
        return experiment_archs(supernet_cfg, settings)

    def validate(self, ctx: Context, settings: TruthSettings, everything: dict) -> None:
        if truth_source(settings.source).reads_file and not Path(settings.source).is_file():
            raise ConfigError(f"ground_truth.source {settings.source!r} is neither 'standalone' nor an existing file")

    def run(self, ctx: Context, settings: TruthSettings, upstream: dict, folder: Path) -> TruthOutput:
        out = measure_truth(ctx.supernet_cfg, ctx.archs, settings, ctx.cache_dir, ctx.device, ctx.executor, ctx.log)
        space = network_space(ctx.supernet_cfg.model.network)
        out["named"] = {space.canonical(a).to_string(): name for name, a in included_archs(space, settings.include).items()}
        save_json_atomic(folder / "truth.json", out)
        save_json_atomic(folder / "truth_table.json", dict(zip(out["archs"], out["acc"])))
        plot_truth(out, folder / "truth.png")
        n = out["noise"]
        if "seed_noise_std" in n:
            ctx.log(f"truth: spread of the {n['archs']} means {n['spread_std']:.2f} pp (std) vs seed noise "
                    f"{n['seed_noise_std']:.2f} pp; seed-vs-seed Kendall tau {n['seed_vs_seed']['kendall_tau']:.3f}")
        return TruthOutput(ctx.rel(folder / "truth.json"), ctx.rel(folder / "truth_table.json"),
                           ctx.rel(folder / "truth.png"), settings.source, settings.resolved_metric,
                           list(settings.seeds), dict(settings.recipe), out, settings.holdout)

    # -- report ------------------------------------------------------------------------------------
    def report(self, ctx: Context, output: TruthOutput, outputs: dict) -> list[str]:
        t, n = output.data, output.data["noise"]
        seeds = t["seeds"] or ["-"]
        space_describe = get_space(parse_arch(t["archs"][0]).space).describe if t["archs"] else str
        named = t.get("named", {})
        describe = lambda a: f"{named[a.to_string()]} (included)" if a.to_string() in named else space_describe(a)  # noqa: E731
        order = sorted(range(len(t["archs"])), key=lambda i: -t["acc"][i])
        rows = [(r, t["archs"][i], describe(parse_arch(t["archs"][i])), *(f"{v:.2f}" for v in t["per_seed"][i]),
                 f"{t['acc'][i]:.2f}") for r, i in enumerate(order, 1)]
        lines = [f"{len(t['archs'])} architectures, {t['description']}.", "",
                 *md_table(("rank", "architecture", "cell ops", *(f"seed {s}" for s in seeds), "mean (%)"), rows),
                 "", f"Spread of the means: std {n['spread_std']:.2f} pp, range {n['range']:.2f} pp."]
        if "seed_noise_std" in n:
            verdict = "larger than" if n["spread_over_noise"] > 1 else "NOT larger than"
            lines.append(f"Seed noise (pooled within-architecture std): {n['seed_noise_std']:.2f} pp, so the spread "
                         f"is {n['spread_over_noise']:.1f}x the seed noise ({verdict} it). Two seeds of the same "
                         f"recipe rank the architectures with Kendall tau {with_ci(n['seed_vs_seed'], 'kendall_tau')}: "
                         "no supernet can be expected to agree with this ground truth better than that.")
        else:
            lines.append("Seed noise: not measured (one value per architecture from the table).")
        return lines + ["", f"![ground truth]({output.figure})", "", source_line(output.truth_json), ""]

    def verdicts(self, ctx: Context, output: TruthOutput, outputs: dict) -> list[str]:
        n = output.data["noise"]
        if "seed_noise_std" not in n:
            return []
        return [f"Ground truth: the architectures differ by {n['spread_std']:.2f} pp (std), "
                f"{n['spread_over_noise']:.1f}x the seed noise; two seeds agree with Kendall tau "
                f"{n['seed_vs_seed']['kendall_tau']:.3f}."]

    def summary_source(self, output: TruthOutput) -> str:
        return output.truth_json
