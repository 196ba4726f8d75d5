"""Stage 5, ``darts``: the DARTS baseline per seed, on the experiment's supernet config."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ...engine.config import load_config
from ...errors import ConfigError
from ..darts_job import run_darts_job
from ..stage import LOGGING_KEYS, Context, Stage, config_digest, register_stage


@dataclass(frozen=True)
class DartsStageSettings:
    config: str  # a DARTS config (configs/darts/*.py); its supernet_config is replaced by the experiment's
    seeds: tuple[int, ...] = (0,)
    epochs: int | None = None  # default: the DARTS config's


@dataclass(frozen=True)
class DartsOutput:
    results: list  # darts.json per seed
    figure: str


@register_stage
class DartsStage(Stage):
    name, section, Settings, Output = "darts", "darts", DartsStageSettings, DartsOutput
    optional = True

    def options(self, ctx: Context, settings: DartsStageSettings) -> dict:
        opts = {"supernet_config": ctx.supernet_config}
        if settings.epochs:
            opts["darts.epochs"] = settings.epochs
        return opts

    def key_inputs(self, ctx: Context, settings: DartsStageSettings) -> dict:
        cfg = load_config(settings.config, allowed={"supernet_config", "darts"})
        return {"config": config_digest(cfg), "supernet_config": config_digest(ctx.supernet_cfg, LOGGING_KEYS)}

    def validate(self, ctx: Context, settings: DartsStageSettings, everything: dict) -> None:
        cfg = load_config(settings.config, self.options(ctx, settings), allowed={"supernet_config", "darts"})
        if cfg.get("supernet_config") is None:
            raise ConfigError(f"DARTS config {settings.config} needs 'supernet_config'")

    def run(self, ctx: Context, settings: DartsStageSettings, upstream: dict, folder: Path) -> DartsOutput:
        files = []
        for seed in settings.seeds:
            ctx.log(f"darts: seed {seed}")
            run_darts_job(settings.config, folder / f"seed{seed}", seed=seed, resume=True, device=ctx.device,
                          options=self.options(ctx, settings), log=ctx.log)
            files.append(ctx.rel(folder / f"seed{seed}" / "darts.json"))
        return DartsOutput(files, files[0].replace("darts.json", "alphas.png"))
