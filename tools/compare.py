"""Build supplementary Table 2 from search results: `python tools/compare.py RESULT.json ... --truth SOURCE`.

RESULT files: darts.json (tools/darts.py) and pareto.json (tools/search.py, every searcher it ran), one per seed.
SOURCE: nasbench_only108.tfrecord | table.csv/.json | standalone (needs --config).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mixpath_bench.bench.compare import build_table, to_markdown  # noqa: E402
from mixpath_bench.bench.rank_job import load_truth  # noqa: E402
from mixpath_bench.bench.standalone import StandaloneRecipe  # noqa: E402
from mixpath_bench.cli import run_cli  # noqa: E402
from mixpath_bench.engine.config import load_config  # noqa: E402
from mixpath_bench.errors import ConfigError  # noqa: E402
from mixpath_bench.jsonio import save_json_atomic, write_text_atomic  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("results", nargs="+")
    p.add_argument("--truth", required=True)
    p.add_argument("--config", help="supernet config (data and network) for --truth standalone")
    p.add_argument("--metric", default="val_acc", choices=["val_acc", "test_acc"])
    p.add_argument("--standalone-epochs", type=int, default=10)
    p.add_argument("--with-rank", action="store_true", help="S4: also the rank among the 34 architectures")
    p.add_argument("--optimum", type=float, help="known optimum to print (NAS-Bench-101 space: 94.29)")
    p.add_argument("--out", default="table2", help="writes OUT.md and OUT.json")
    args = p.parse_args()
    if args.truth == "standalone" and not args.config:
        raise ConfigError("--truth standalone needs --config (the supernet config whose data to train on)")
    cfg = load_config(args.config) if args.config else None
    truth = load_truth(args.truth, cfg, args.metric, StandaloneRecipe(epochs=args.standalone_epochs),
                       cache_dir=Path("work_dirs") / "standalone")
    table = build_table(args.results, truth, args.with_rank)
    markdown = to_markdown(table, args.optimum)
    write_text_atomic(Path(args.out + ".md"), markdown)
    save_json_atomic(args.out + ".json", table)
    print(markdown)
    return 0


if __name__ == "__main__":
    run_cli(main)
