"""Build supplementary Table 2 from search results: `python tools/compare.py RESULT.json ... --truth SOURCE`.

RESULT files: pareto.json (tools/search.py, every searcher it ran, DARTS included), one per seed.
SOURCE: nasbench_only108.tfrecord | table.csv/.json | standalone (needs --config).
Writes table2.md and table2.json into --work-dir.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mixpath_bench.bench.compare import build_table, found_architectures, to_markdown  # noqa: E402
from mixpath_bench.engine.lock import lock_work_dir  # noqa: E402
from mixpath_bench.bench.standalone import StandaloneRecipe  # noqa: E402
from mixpath_bench.bench.truth import TruthRequest, open_truth, truth_source  # noqa: E402
from mixpath_bench.cli import add_cfg_options, add_device, add_work_dir, run_cli, tool_parser  # noqa: E402
from mixpath_bench.engine.config import load_config  # noqa: E402
from mixpath_bench.engine.device import resolve_device  # noqa: E402
from mixpath_bench.errors import ConfigError  # noqa: E402
from mixpath_bench.jsonio import load_json, save_json_atomic, write_text_atomic  # noqa: E402


def build_parser() -> argparse.ArgumentParser:
    p = tool_parser(__doc__)
    p.add_argument("results", nargs="+", help="pareto.json files")
    p.add_argument("--truth", required=True, help="a .tfrecord, a .csv/.json table, or 'standalone'")
    p.add_argument("--config", help="supernet config (data and network) for --truth standalone")
    add_cfg_options(p, "key=value overrides of --config")
    p.add_argument("--metric", default="val_acc", choices=["val_acc", "test_acc"])
    p.add_argument("--standalone-epochs", type=int, default=10)
    p.add_argument("--with-rank", action="store_true", help="S4: also the rank among the 34 architectures")
    p.add_argument("--optimum", type=float, help="known optimum to print (NAS-Bench-101 space: 94.29)")
    add_work_dir(p, "work_dirs/table2")
    add_device(p)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if truth_source(args.truth).trains and not args.config:
        raise ConfigError(f"--truth {args.truth} needs --config (the supernet config whose data to train on)")
    if args.cfg_options and not args.config:
        raise ConfigError("--cfg-options applies to --config; give --config too")
    cfg = load_config(args.config, args.cfg_options) if args.config else None
    truth = open_truth(args.truth, TruthRequest(cfg, args.metric, recipe=StandaloneRecipe(epochs=args.standalone_epochs),
                                                cache_dir=str(Path("work_dirs") / "standalone"),
                                                device=resolve_device(args.device)))
    found = [row for path in args.results for row in found_architectures(load_json(path, ConfigError), path)]
    table = build_table(found, truth, args.with_rank)
    markdown = to_markdown(table, args.optimum)
    work = Path(args.work_dir or "work_dirs/table2")
    with lock_work_dir(work, "tools/compare.py"):
        write_text_atomic(work / "table2.md", markdown)
        save_json_atomic(work / "table2.json", table)
    print(markdown)
    print(f"written to {work / 'table2.md'} and {work / 'table2.json'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    run_cli(main)
