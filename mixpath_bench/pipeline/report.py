"""The experiment report's frame: ``report.md`` (header, stage table, summary, then each stage's
section) and ``results.json``.

Sections and verdicts belong to the stages (`Stage.report` / `Stage.verdicts`); this module only
assembles them in pipeline order, numbers the sections, and holds the small formatting helpers
they share.  Every statement names the file its numbers come from.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from ..jsonio import save_json_atomic, write_text_atomic
from ..provenance import provenance
from .stage import STAGES, Context, output_to_json


@dataclass(frozen=True)
class StageRecord:
    """What the report knows of a stage: its key, the seconds of the run that produced it, its output."""

    key: str
    seconds: float
    output: Any


# -- helpers the sections share ----------------------------------------------------------------------
def md_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    """A markdown table: the header row, the rule, one line per row."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]


def source_line(*files: str) -> str:
    """'Source: `a`, `b`.' - where the numbers of a section come from."""
    return "Source: " + ", ".join(f"`{f}`" for f in files) + "."


def with_ci(c: dict, key: str) -> str:
    """'0.512 [0.301, 0.690]' from a correlation dict holding ``key`` and ``key_ci95``."""
    lo, hi = c[f"{key}_ci95"]
    return f"{c[key]:.3f} [{lo:.3f}, {hi:.3f}]"


def metric_cell(m: dict, spread: bool = True) -> str:
    """'0.51 +- 0.02 [0.30, 0.69]': a seed-metric's value, std over seeds and pooled interval."""
    if m.get("undefined"):
        return f"undefined ({m['undefined']})"
    lo, hi = m["ci95"]
    std = f" +- {m['std']:.2f}" if spread else ""
    return f"{m['value']:.2f}{std} [{lo:.2f}, {hi:.2f}]"


def difference_cell(d: dict) -> str:
    """'+0.120 [-0.050, +0.300]': a paired difference and its interval."""
    if d.get("undefined"):
        return f"undefined ({d['undefined']})"
    lo, hi = d["ci95"]
    return f"{d['difference']:+.3f} [{lo:+.3f}, {hi:+.3f}]"


def figures(paths: Sequence[str]) -> list[str]:
    """Markdown image lines, each named by its file's stem."""
    return [f"![{p.rsplit('/', 1)[-1].rsplit('.', 1)[0]}]({p})" for p in paths]


# -- the frame -----------------------------------------------------------------------------------------
def summary_lines(ctx: Context, stages: dict[str, Any], out: dict[str, Any]) -> list[str]:
    """Every stage's verdicts, in pipeline order, and the files they come from."""
    verdicts = [f"- {v}" for name in out for v in stages[name].verdicts(ctx, out[name], out)]
    sources = [s for name in out if (s := stages[name].summary_source(out[name]))]
    if not sources:
        return []
    return ["## Summary", "", *verdicts, "", source_line(*sources), ""]


def section_lines(ctx: Context, stages: dict[str, Any], out: dict[str, Any]) -> list[str]:
    """Each stage with a title: its numbered heading and its section."""
    lines, number = [], 0
    for name in out:
        if stages[name].title:
            number += 1
            lines += [f"## {number}. {stages[name].title}", "", *stages[name].report(ctx, out[name], out)]
    return lines


def write_report(ctx: Context, config_path: str, config: dict, records: dict[str, StageRecord],
                 seconds: float, stages: dict[str, Any] | None = None) -> dict:
    """Write ``report.md`` and ``results.json`` for the stages that have run (`records`, in order).

    `stages`: the stage objects by name (default: fresh instances of the registered classes)."""
    stages = stages or {name: STAGES[name]() for name in records}
    prov = provenance({"experiment_config": config_path, "config": config}, ctx.device)
    out = {name: r.output for name, r in records.items()}
    lines = [f"# MixPath experiment: `{config_path}`", "",
             f"Device: {prov['device']}; code {prov['git_commit']}; written {prov['time']}.", "",
             *md_table(("stage", "seconds", "input key"),
                       [(name, f"{r.seconds:.0f}", f"`{r.key}`") for name, r in records.items()]),
             "", f"This invocation took {seconds:.0f} s (stages reused from earlier runs cost nothing).",
             "Stage seconds are those of the run that produced each stage.", ""]
    lines += summary_lines(ctx, stages, out) + section_lines(ctx, stages, out)
    write_text_atomic(ctx.work / "report.md", "\n".join(lines) + "\n")
    results = {"stages": {name: {"key": r.key, "seconds": r.seconds, "outputs": output_to_json(r.output)}
                          for name, r in records.items()}, "seconds_this_run": seconds, "provenance": prov}
    save_json_atomic(ctx.work / "results.json", results)
    return results
