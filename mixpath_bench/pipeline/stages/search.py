"""Stage 4, ``search``: every searcher of a search config on the Shadow-BN supernet, per seed."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..search_job import load_search_config, run_search_job, search_evaluator
from ..stage import Context, Stage, config_digest, register_stage


@dataclass(frozen=True)
class SearchSettings:
    config: str  # a search config (configs/search/*.py); its supernet_config is replaced by the experiment's
    seeds: tuple[int, ...] = (0,)


@dataclass(frozen=True)
class SearchOutput:
    results: list  # pareto.json per seed
    figure: str


@register_stage
class SearchStage(Stage):
    name, section, Settings, Output = "search", "search", SearchSettings, SearchOutput
    needs = ("supernets",)
    optional = True

    def load(self, ctx: Context, settings: SearchSettings):
        return load_search_config(settings.config, {"supernet_config": ctx.supernet_config})

    def key_inputs(self, ctx: Context, settings: SearchSettings) -> dict:
        return {"config": config_digest(self.load(ctx, settings))}

    def validate(self, ctx: Context, settings: SearchSettings, everything: dict) -> None:
        self.load(ctx, settings)  # searchers, their settings and the evaluator section, checked now

    def run(self, ctx: Context, settings: SearchSettings, upstream: dict, folder: Path) -> SearchOutput:
        supernets = upstream["supernets"]
        ckpt = str(ctx.path(supernets.variants[supernets.named(True)].checkpoint))
        search_cfg = self.load(ctx, settings)
        # one evaluator for every seed and searcher: scores are deterministic, so caching changes nothing
        evaluator = search_evaluator(search_cfg, ckpt, ctx.device, supernet_cfg=ctx.supernet_cfg)
        files = []
        for seed in settings.seeds:
            ctx.log(f"search: seed {seed} on the Shadow-BN supernet")
            opts = {"supernet_config": ctx.supernet_config,
                    **{f"searchers.{name}.seed": seed for name in search_cfg.searchers}}
            run_search_job(settings.config, ckpt, folder / f"seed{seed}", resume=True, device=ctx.device,
                           options=opts, evaluator=evaluator, log=ctx.log)
            files.append(ctx.rel(folder / f"seed{seed}" / "pareto.json"))
        return SearchOutput(files, files[0].replace("pareto.json", "pareto.png"))
