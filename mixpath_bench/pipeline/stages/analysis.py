"""Stage 7, ``analysis``: what Shadow BN does (statistics, t-SNE, cosine similarity), SBN vs BN
supernet, and its report section."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ...jsonio import json_round_trip
from ..report import figures, md_table, source_line
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
    data: dict  # sbn_analysis.json


@register_stage
class AnalysisStage(Stage):
    name, section, Settings, Output = "analysis", "analysis", AnalysisSettings, AnalysisOutput
    needs = ("supernets",)
    optional = True
    title = "What Shadow BN does"

    def run(self, ctx: Context, settings: AnalysisSettings, upstream: dict, folder: Path) -> AnalysisOutput:
        v = upstream["supernets"]
        data = run_sbn_analysis(ctx.path(v.variants[v.named(True)].checkpoint), folder,
                                compare_checkpoint=ctx.path(v.variants[v.named(False)].checkpoint),
                                layers=list(settings.layers) if settings.layers is not None else None,
                                samples=settings.samples, combos=settings.combos, log=ctx.log)
        return AnalysisOutput(ctx.rel(folder / "sbn_analysis.json"),
                              [ctx.rel(folder / f) for f in ("sbn_stats.png", "tsne.png", "cosine.png")],
                              json_round_trip(data))

    def report(self, ctx: Context, output: AnalysisOutput, outputs: dict) -> list[str]:
        a = output.data
        rows = [(layer["name"], k, f"{mean_ratio:.2f}", f"{layer['ratios']['var'][k]:.2f}")
                for layer in a["layers"]
                for k, mean_ratio in sorted(layer["ratios"]["mean"].items(), key=lambda kv: int(kv[0])) if int(k) > 1]
        amplitudes = (f"Feature amplitudes of the path combinations {a['combinations']}: before the norm "
                      + ", ".join(f"{v:.2f}" for v in a["amplitude_before"]) + "; after Shadow BN "
                      + ", ".join(f"{v:.2f}" for v in a["amplitude_after"]))
        if "compare" in a:
            amplitudes += "; after vanilla BN " + ", ".join(f"{v:.2f}" for v in a["compare"]["amplitude_after"])
        return ["Fitted ratios of SBN_k's running mean and variance to SBN_1's (the paper expects about k and k^2):",
                "", *md_table(("layer", "k", "mean ratio (expect k)", "variance ratio (expect k^2)"), rows), "",
                amplitudes + ".", "", *figures(output.figures), "", source_line(output.json), ""]

    def verdicts(self, ctx: Context, output: AnalysisOutput, outputs: dict) -> list[str]:
        return [sbn_ratio_verdict(output.data)]

    def summary_source(self, output: AnalysisOutput) -> str:
        return output.json


def sbn_ratio_verdict(analysis: dict, tolerance: float = 0.3) -> str:
    """Are SBN_k's fitted mean / variance ratios to SBN_1 about k / k^2 (within `tolerance`, relative)?"""
    parts = []
    for key, power, name in (("mean", 1, "running mean"), ("var", 2, "running variance")):
        values: dict[int, list[float]] = {}
        for layer in analysis["layers"]:
            for k, v in layer["ratios"][key].items():
                if int(k) > 1:
                    values.setdefault(int(k), []).append(float(v))
        if not values:
            continue
        ok = all(abs(v / k ** power - 1) <= tolerance for k, vs in values.items() for v in vs)
        ranges = ", ".join(f"k={k}: {min(vs):.2f}-{max(vs):.2f}" for k, vs in sorted(values.items()))
        expect = "k" if power == 1 else "k^2"
        parts.append(f"SBN_k's {name} is {'about' if ok else 'not about'} {expect} times SBN_1's "
                     f"(paper: {expect}; here {ranges})")
    return "; ".join(parts) + "." if parts else "No Shadow BN with several paths to analyse."
