"""Stage 7, ``analysis``: what Shadow BN does (statistics, t-SNE, cosine similarity), SBN vs BN supernet."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..sbn_job import run_sbn_analysis
from ..stage import Context, Stage, register_stage


@dataclass(frozen=True)
class AnalysisSettings:
    samples: int = 64  # validation images
    combos: int = 8  # path combinations per layer
    layers: tuple[int, ...] | None = None  # default: every multi-path layer


@dataclass(frozen=True)
class AnalysisOutput:
    json: str
    figures: list


@register_stage
class AnalysisStage(Stage):
    name, section, Settings, Output = "analysis", "analysis", AnalysisSettings, AnalysisOutput
    needs = ("supernets",)
    optional = True

    def run(self, ctx: Context, settings: AnalysisSettings, upstream: dict, folder: Path) -> AnalysisOutput:
        v = upstream["supernets"]
        run_sbn_analysis(ctx.path(v.variants[v.named(True)].checkpoint), folder,
                         compare_checkpoint=ctx.path(v.variants[v.named(False)].checkpoint),
                         layers=list(settings.layers) if settings.layers is not None else None,
                         samples=settings.samples, combos=settings.combos, log=ctx.log)
        return AnalysisOutput(ctx.rel(folder / "sbn_analysis.json"),
                              [ctx.rel(folder / f) for f in ("sbn_stats.png", "tsne.png", "cosine.png")])
