"""Stage 6, ``table2``: each found architecture's ground truth and rank (supplementary Table 2),
every searcher alike (the supernet searchers and DARTS), and its report section."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ...bench.compare import build_table, to_markdown
from ...errors import DatasetError
from ...jsonio import save_json_atomic, write_text_atomic
from ...spaces import Arch
from ..report import figures, source_line
from ..stage import Context, Stage, register_stage


@dataclass(frozen=True)
class Table2Output:
    table_json: str
    table_md: str
    table: dict  # table2.json
    markdown: str  # table2.md


class TruthWithFallback:
    """The truth stage's table, and its source reopened with the same settings (stand-alone training:
    the same cache, recipe, seeds and data) for a found architecture that is not in it."""

    def __init__(self, ctx: Context, truth) -> None:
        self.ctx, self.truth = ctx, truth
        self.table = truth.ground_truth()
        self.name, self.extra = f"stage 1 ({truth.table})", {}
        self.source = None  # opened (datasets loaded, files read) on the first architecture outside the table

    def accuracy(self, arch: Arch) -> float:
        try:
            return self.table.accuracy(arch)
        except DatasetError:
            if self.source is None:
                self.source = self.truth.reopen(self.ctx)
            self.extra[arch.to_string()] = self.source.accuracy(arch)
            return self.extra[arch.to_string()]


@register_stage
class Table2Stage(Stage):
    name, Output = "table2", Table2Output
    needs = ("truth",)
    optional = True
    uses = ("search", "darts")  # whichever ran; the stage runs when at least one is configured
    title = "Search (supplementary Table 2)"

    def run(self, ctx: Context, settings, upstream: dict, folder: Path) -> Table2Output:
        found = [f for stage in self.uses if stage in upstream for f in upstream[stage].found]
        truth = TruthWithFallback(ctx, upstream["truth"])
        table = build_table(found, truth, with_rank=True, reference=upstream["truth"].values.acc)
        table["trained_for_table"] = truth.extra
        markdown = to_markdown(table)
        save_json_atomic(folder / "table2.json", table)
        write_text_atomic(folder / "table2.md", markdown)
        return Table2Output(ctx.rel(folder / "table2.json"), ctx.rel(folder / "table2.md"), table, markdown)

    def report(self, ctx: Context, output: Table2Output, outputs: dict) -> list[str]:
        table = output.table
        rank_key = next((k for r in table["rows"] for k in r if k.startswith("rank_of_")), "rank")
        best = max(outputs["truth"].values.acc)
        own = [m for m, s in table["summary"].items() if s.get("family") != "supernet"] or ["DARTS"]
        lines = ["Every configured searcher on the Shadow-BN supernet (NSGA-II: its most accurate pick; the others: "
                 "their best; budgets count distinct networks, and a searcher without its own budget gets NSGA-II's), "
                 f"and {', '.join(own)}, one run per seed. Search cost = supernet training + the method's own "
                 "candidate evaluations (a searcher that trains its own weights: its whole run), measured. "
                 f"Best ground truth among the ranked architectures: {best:.2f}%.", "", output.markdown.strip(), ""]
        for method, s in table["summary"].items():
            ranks = [r[rank_key] for r in table["rows"] if r["method"] == method and rank_key in r]
            seeds = [r["seed"] for r in table["rows"] if r["method"] == method]
            varied = (f"search seeds {seeds} on {trainings(s)} supernet training(s)" if s.get("family") == "supernet"
                      else f"seeds {seeds}, each its own training")
            lines.append(f"- {method}: {s['mean']:.2f} +- {s['std']:.2f}% over {s['runs']} run(s) ({varied}), "
                         f"{best - s['mean']:.2f} pp below the best; ranks {ranks}.")
        shown = [outputs[k].figure for k in self.uses if k in outputs and outputs[k].figure]
        return lines + ["", search_verdict(table["summary"], table["rows"]), "", "", *figures(shown), "",
                        source_line(output.table_json), ""]

    def verdicts(self, ctx: Context, output: Table2Output, outputs: dict) -> list[str]:
        return [search_verdict(output.table["summary"], output.table["rows"])]

    def summary_source(self, output: Table2Output) -> str:
        return output.table_json


def welch_p(a: dict, b: dict) -> float | None:
    """Two-sided Welch t-test p-value of two summaries (mean, std over runs with ddof=0 or 1, runs);
    None with fewer than two runs on a side, or when neither side varies (runs without spread
    measure nothing about chance, so they decide nothing)."""
    import math

    from scipy import stats

    if a["runs"] < 2 or b["runs"] < 2:
        return None
    va, vb = a["std"] ** 2 / a["runs"], b["std"] ** 2 / b["runs"]
    if va + vb == 0:
        return None
    t = (a["mean"] - b["mean"]) / math.sqrt(va + vb)
    df = (va + vb) ** 2 / ((va ** 2 / (a["runs"] - 1) if va else 0.0) + (vb ** 2 / (b["runs"] - 1) if vb else 0.0))
    return float(2 * stats.t.sf(abs(t), df))


def trainings(s: dict) -> int:
    """Independent trainings behind a summary's runs (`bench.compare.build_table`; older summaries: its runs)."""
    return int(s.get("trainings", s["runs"]))


def by_training(s: dict) -> dict:
    """A summary whose runs are its independent trainings: the search seeds on one supernet checkpoint
    are averaged into one value (they share that training), so Welch's test never counts them as
    independent (older summaries without ``per_training``: as they are)."""
    values = s.get("per_training")
    if not values:
        return s
    import statistics

    return {**s, "runs": len(values), "mean": statistics.fmean(values),
            "std": statistics.stdev(values) if len(values) > 1 else 0.0}


def _compare(method: str, mix: dict, name: str, d: dict) -> tuple[int, str]:
    """(+1 clearly above, -1 clearly below, 0 neither; the text): Welch's t-test over the independent
    trainings (`by_training`), when each side has at least two and some spread.  Runs are never paired by seed label:
    search seed i and DARTS seed i share nothing."""
    gap = mix["mean"] - d["mean"]
    head = f"{method} {mix['mean']:.2f} ({gap:+.2f} pp"
    if trainings(mix) < 2 or trainings(d) < 2:
        return 0, (f"{head}; undecided: {trainings(mix)} vs {trainings(d)} independent training(s), a verdict "
                   "needs two per side)")
    p = welch_p(by_training(mix), by_training(d))
    if p is None:
        return 0, f"{head}; undecided: no spread on either side)"
    return (1 if gap > 0 else -1) if p < 0.05 else 0, f"{head}, Welch p {p:.3f})"


def search_verdict(summary: dict, rows: list[dict] | None = None) -> str:
    """Each supernet searcher against each searcher that trains its own weights (DARTS), next to the
    paper's Table 2 (94.22 +- 0.06 vs 79.42 +- 0.23): one part per searcher that trains its own weights.
    "Clearly" above or below: Welch's t-test over the runs at p < 0.05, with at least two independent
    trainings per side (a supernet search: distinct supernet checkpoints; DARTS: its runs) and some
    spread.  The direction is the paper's when some comparison is clearly above and none clearly
    below.  `rows` is accepted for callers that pass the table's rows; runs are not paired."""
    mixpath = {m: s for m, s in summary.items() if s.get("family") == "supernet"}
    own = {m: s for m, s in summary.items() if s.get("family") != "supernet"}
    if not mixpath or not own:
        return "Table 2 needs both a supernet search and DARTS; one of them was not configured."
    parts, above, below = [], 0, 0
    for name, d in own.items():
        text, up, down = _against(mixpath, name, d, rows)
        parts.append(text)
        above, below = above + up, below + down
    return (". ".join(parts) + ". The paper's Table 2 has MixPath 14.8 pp above DARTS (94.22 +- 0.06 vs "
            "79.42 +- 0.23); " + ("this run agrees with that direction." if above and not below else
                                  "this run does not reproduce that direction." if not above else "this run is mixed."))


def _against(mixpath: dict, name: str, d: dict, rows: list[dict] | None) -> tuple[str, int, int]:
    """The verdict part of every supernet searcher against the searcher `name` that trains its own
    weights (summary `d`), and how many ended clearly above and clearly below it."""
    parts, above, below = [], [], []
    for method, mix in mixpath.items():
        side, text = _compare(method, mix, name, d)
        (above if side > 0 else below if side < 0 else []).append(method)
        parts.append(text)
    verdict = (f"**{len(above)} of {len(mixpath)} supernet searches ended clearly above {name}, {len(below)} clearly "
               f"below** (Welch's t-test over independent runs, p < 0.05; each side needs two independent "
               "trainings and some spread, else undecided)")
    return f"{verdict}: {name} {d['mean']:.2f}; " + "; ".join(parts), len(above), len(below)
