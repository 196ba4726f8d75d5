"""Stage 1, ``truth``: ground truth of every architecture to rank, with its seed noise measured."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from mmengine.config import Config

from ...bench.ranking import ranking_archs
from ...bench.standalone import StandaloneRecipe
from ...errors import ConfigError
from ...jsonio import save_json_atomic
from ...spaces import Arch
from ..plots import plot_truth
from ..stage import Context, Stage, register_stage
from ..truth_job import run_truth_stage
from ...engine.setup import register_all_modules


@dataclass(frozen=True)
class TruthSettings:
    """``ground_truth``: stand-alone training (`recipe`, every seed) or a NAS-Bench-101 / table file."""

    source: str = "standalone"
    metric: str | None = None  # default: test_acc for stand-alone training, val_acc otherwise
    seeds: tuple[int, ...] = (0,)
    recipe: dict = field(default_factory=dict)
    max_archs: int | None = None  # cut-down runs: this many evenly spaced architectures
    num_archs: int = 20  # spaces too large to enumerate: this many sampled architectures
    n_boot: int = 1000

    def __post_init__(self) -> None:
        if self.metric is not None and self.metric not in ("val_acc", "test_acc"):
            raise ValueError(f"metric must be 'val_acc' or 'test_acc', got {self.metric!r}")
        if self.max_archs is not None and self.max_archs < 3:
            raise ValueError("max_archs must be >= 3 (rank correlation needs three points)")
        if self.source == "standalone":
            try:
                StandaloneRecipe(**self.recipe)
            except TypeError as exc:
                raise ValueError(f"recipe: {exc}") from None
        if not self.seeds:
            raise ValueError("seeds must name at least one seed")

    @property
    def resolved_metric(self) -> str:
        return self.metric or ("test_acc" if self.source == "standalone" else "val_acc")


@dataclass(frozen=True)
class TruthOutput:
    truth_json: str
    table: str
    figure: str
    source: str
    metric: str
    seeds: list
    recipe: dict


def experiment_archs(supernet_cfg: Config, settings: TruthSettings) -> tuple[Arch, ...]:
    """Every network of an enumerable space (S4: the 34; ``max_archs`` evenly spaced ones of them for
    cut-down runs); other spaces: ``num_archs`` seeded samples."""
    from mmengine.registry import MODELS

    register_all_modules()

    space = MODELS.build(dict(supernet_cfg.model.network)).space
    archs = ranking_archs(space, settings.num_archs)
    if settings.max_archs is not None and settings.max_archs < len(archs):
        archs = [archs[i] for i in np.linspace(0, len(archs) - 1, settings.max_archs).round().astype(int)]
    return tuple(archs)


@register_stage
class TruthStage(Stage):
    name, section, Settings, Output = "truth", "ground_truth", TruthSettings, TruthOutput

    def key_inputs(self, ctx: Context, settings: TruthSettings) -> dict:
        sc = ctx.supernet_cfg
        return {"network": sc.model.network.to_dict(), "preprocessor": sc.model.data_preprocessor.to_dict(),
                "data": [sc.train_dataloader.dataset.to_dict(), sc.val_dataloader.dataset.to_dict()],
                "archs": [a.to_string() for a in ctx.archs]}

    def validate(self, ctx: Context, settings: TruthSettings, everything: dict) -> None:
        if settings.source != "standalone" and not Path(settings.source).is_file():
            raise ConfigError(f"ground_truth.source {settings.source!r} is neither 'standalone' nor an existing file")

    def run(self, ctx: Context, settings: TruthSettings, upstream: dict, folder: Path) -> TruthOutput:
        gt = {k: v for k, v in asdict(settings).items() if v is not None}
        out = run_truth_stage(ctx.supernet_cfg, ctx.archs, gt, ctx.cache_dir, ctx.device, ctx.workers, ctx.log)
        save_json_atomic(folder / "truth.json", out)
        save_json_atomic(folder / "truth_table.json", dict(zip(out["archs"], out["acc"])))
        plot_truth(out, folder / "truth.png")
        n = out["noise"]
        if "seed_noise_std" in n:
            ctx.log(f"truth: spread of the {n['archs']} means {n['spread_std']:.2f} pp (std) vs seed noise "
                    f"{n['seed_noise_std']:.2f} pp; seed-vs-seed Kendall tau {n['seed_vs_seed']['kendall_tau']:.3f}")
        return TruthOutput(ctx.rel(folder / "truth.json"), ctx.rel(folder / "truth_table.json"),
                           ctx.rel(folder / "truth.png"), settings.source, settings.resolved_metric,
                           list(settings.seeds), dict(settings.recipe))
