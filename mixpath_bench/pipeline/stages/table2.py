"""Stage 6, ``table2``: each found architecture's ground truth and rank (supplementary Table 2)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ...bench.compare import build_table, to_markdown
from ...bench.standalone import StandaloneRecipe
from ...bench.truth import TableTruth
from ...errors import ConfigError, DatasetError
from ...jsonio import load_json, save_json_atomic, write_text_atomic
from ...spaces import Arch
from ..stage import Context, Stage, register_stage
from ..truth_job import standalone_truth


@dataclass(frozen=True)
class Table2Output:
    table_json: str
    table_md: str


class TruthWithFallback:
    """The truth stage's table, and stand-alone training (cached, same recipe and seeds) for a found
    architecture that is not in it."""

    def __init__(self, ctx: Context, truth) -> None:
        self.ctx, self.truth = ctx, truth
        self.table = TableTruth(ctx.path(truth.table))
        self.name, self.extra = f"stage 1 ({truth.table})", {}
        self.standalone = None  # built (datasets loaded) on the first architecture outside the table

    def accuracy(self, arch: Arch) -> float:
        try:
            return self.table.accuracy(arch)
        except DatasetError:
            if self.truth.source != "standalone":
                raise
            if self.standalone is None:
                self.standalone = standalone_truth(self.ctx.supernet_cfg, StandaloneRecipe(**self.truth.recipe),
                                                   self.truth.seeds, self.truth.metric, self.ctx.cache_dir,
                                                   self.ctx.device, self.ctx.log)
            self.extra[arch.to_string()] = self.standalone.accuracy(arch)
            return self.extra[arch.to_string()]


@register_stage
class Table2Stage(Stage):
    name, Output = "table2", Table2Output
    needs = ("truth",)
    optional = True
    uses = ("search", "darts")  # whichever ran; the stage runs when at least one is configured

    def run(self, ctx: Context, settings, upstream: dict, folder: Path) -> Table2Output:
        paths = [ctx.path(p) for stage in self.uses if stage in upstream for p in upstream[stage].results]
        truth = TruthWithFallback(ctx, upstream["truth"])
        reference = load_json(ctx.path(upstream["truth"].truth_json), ConfigError)["acc"]
        table = build_table(paths, truth, with_rank=True, reference=reference)
        for row in table["rows"]:
            row["file"] = ctx.rel(row["file"])
        table["trained_for_table"] = truth.extra
        save_json_atomic(folder / "table2.json", table)
        write_text_atomic(folder / "table2.md", to_markdown(table))
        return Table2Output(ctx.rel(folder / "table2.json"), ctx.rel(folder / "table2.md"))
