"""Stage 4, ``search``: every searcher of a search config, per seed, through the search job.

Searchers that score candidates use the Shadow-BN supernet of stage 2 (one evaluator for every
seed and searcher: scores are deterministic, so sharing its cache changes nothing); searchers that
train their own weights (DARTS) need no checkpoint.  Search seeds run within supernet seeds: every
search seed on every trained Shadow-BN supernet (``supernet_seeds='all'``), so Table 2 compares
like with like (both sides' spreads include training randomness).  Each (supernet seed, search
seed) is one job of the experiment's executor (`search_seed_job`): they use several workers, GPUs
or Ray nodes, with the results of running them one after another (each its own folder, RNG and
resumable state).  Stage 5, ``darts``, is this stage on a config
of such searchers (`stages/darts.py`).  The output hands Table 2 what each searcher found.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mmengine.config import Config

from ...bench.compare import found_architectures
from ...errors import ConfigError
from ..executor import Job
from ..search_job import load_search_config, needs_checkpoint, run_search_job, search_evaluator
from ..stage import LOGGING_KEYS, Context, Stage, config_digest, register_stage


@dataclass(frozen=True)
class SearchSettings:
    config: str  # a search config (configs/search/*.py); its supernet_config is replaced by the experiment's
    seeds: tuple[int, ...] = (0,)
    # search seeds within supernet seeds: every seed above on every trained Shadow-BN supernet ('all'), so a
    # searcher's spread includes training randomness as DARTS' does; 'first': the first supernet seed only
    supernet_seeds: str = "all"

    def __post_init__(self) -> None:
        if self.supernet_seeds not in ("all", "first"):
            raise ValueError(f"supernet_seeds must be 'all' or 'first', got {self.supernet_seeds!r}")


@dataclass(frozen=True)
class SearchOutput:
    results: list  # pareto.json per seed
    figure: str  # the first seed's first figure ('' if none)
    found: list  # what each searcher found, every seed (`bench.compare.found_architectures` rows)


@register_stage
class SearchStage(Stage):
    name, section, Settings, Output = "search", "search", SearchSettings, SearchOutput
    needs = ("supernets",)
    optional = True

    def load(self, ctx: Context, settings) -> Config:
        """The search config with the experiment's supernet config: a function of `ctx` and `settings`
        alone, read afresh at each call (a few milliseconds), so nothing is cached between runs."""
        return load_search_config(settings.config, {"supernet_config": ctx.supernet_config})

    def key_inputs(self, ctx: Context, settings) -> dict:
        return {"config": config_digest(self.load(ctx, settings)),
                "supernet_config": config_digest(ctx.supernet_cfg, LOGGING_KEYS)}

    def validate(self, ctx: Context, settings, everything: dict) -> None:
        self.load(ctx, settings)  # searchers, their settings and the evaluator section, checked now

    def run(self, ctx: Context, settings, upstream: dict, folder: Path) -> SearchOutput:
        cfg = self.load(ctx, settings)
        runs = [(None, None, seed, folder / f"seed{seed}") for seed in settings.seeds]  # (supernet seed, ckpt, ...)
        if needs_checkpoint(cfg):
            supernets = upstream["supernets"]
            variant = supernets.variants[supernets.named(True)]
            trained = list(zip(variant.seeds, variant.checkpoints))
            trained = trained if settings.supernet_seeds == "all" else trained[:1]
            # the first supernet seed's searches keep the folders seed<S>; the others go under supernet<A>/
            runs = [(a, str(ctx.path(ckpt)), seed, folder / (f"seed{seed}" if i == 0 else f"supernet{a}/seed{seed}"))
                    for i, (a, ckpt) in enumerate(trained) for seed in settings.seeds]
        gpus = 1 if str(ctx.device).startswith("cuda") else 0
        name = lambda a, seed: f"seed {seed}" + ("" if a is None else f" on supernet seed {a}")  # noqa: E731
        jobs = [Job(f"{self.name} {name(a, seed)}", search_seed_job,
                    (cfg.to_dict(), ctx.supernet_cfg.to_dict(), ckpt, str(work), str(ctx.device), seed),
                    ctx.executor.threads, gpus, str(work / "search.log"), shown_args=(settings.config, name(a, seed)))
                for a, ckpt, seed, work in runs]
        ctx.log(f"{self.name}: {len(jobs)} search(es) as jobs of the {ctx.executor.name} executor"
                + (f" on {len({r[1] for r in runs})} Shadow-BN supernet(s)" if runs[0][1] else "")
                + f"; each logs to its folder's search.log")
        files, figures, found = [], [], []
        for (a, ckpt, seed, work), (summary, figs) in zip(runs, ctx.executor.run(jobs, self.name, ctx.log)):
            files.append(ctx.rel(work / "pareto.json"))
            figures += [ctx.rel(Path(f)) for f in figs]
            found += [dict(row, supernet_seed=a) for row in found_architectures(summary, files[-1])]
        return SearchOutput(files, figures[0] if figures else "", found)


def search_seed_job(cfg: dict, supernet_cfg: dict, checkpoint: str | None, work_dir: str, device: str,
                    seed: int) -> tuple[dict, list[str]]:
    """One seed of a search config (an executor job): the search job in `work_dir`, resumed where it
    stopped; returns ``pareto.json``'s content and the figures written.  Progress lines go to the
    worker's output and to ``search.log`` in `work_dir`."""
    cfg, supernet = Config(cfg), Config(supernet_cfg)
    evaluator = search_evaluator(cfg, checkpoint, device, supernet_cfg=supernet) if checkpoint else None
    say = lambda line: print(f"seed {seed}: {line}", flush=True)  # noqa: E731 - one prefix per worker
    summary, figs = run_search_job(cfg, checkpoint, work_dir, resume=True, device=device, seed=seed,
                                   evaluator=evaluator, supernet_cfg=supernet, log=say)
    return summary, [str(f) for f in figs]


def check_trains_weights(cfg: Config, section: str) -> None:
    """A stage without a supernet checkpoint runs only searchers that train their own weights."""
    if needs_checkpoint(cfg):
        raise ConfigError(f"{section}.config names searchers that score candidates with a trained supernet "
                          f"({', '.join(cfg.searchers)}); put them in the search section")
