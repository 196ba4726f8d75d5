"""Ranking correlation of supernets against ground truth (Kendall tau-b, Spearman rho, bootstrap CIs).

`python tools/rank.py CONFIG SBN.pth [BN.pth ...] --truth SOURCE [--work-dir D] [--cfg-options k=v ...]`
SOURCE: nasbench_only108.tfrecord | table.csv / table.json (arch,acc) | standalone
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mixpath_bench.engine.evaluate import refuse_overridden_options  # noqa: E402
from mixpath_bench.engine.lock import lock_work_dir  # noqa: E402
from mixpath_bench.bench.standalone import StandaloneRecipe  # noqa: E402
from mixpath_bench.bench.truth import TruthRequest, open_truth  # noqa: E402
from mixpath_bench.cli import (add_checkpoint, add_config, add_device, add_work_dir, run_cli,  # noqa: E402
                               tool_parser)
from mixpath_bench.engine.checkpoint import trusting  # noqa: E402
from mixpath_bench.engine.config import load_config  # noqa: E402
from mixpath_bench.engine.device import resolve_device  # noqa: E402
from mixpath_bench.pipeline.rank_job import RankSettings, Scoring, run_rank_job  # noqa: E402


def build_parser() -> argparse.ArgumentParser:
    p = tool_parser(__doc__)
    add_config(p, "supernet config (its data splits are used)")
    add_checkpoint(p, "supernet checkpoint(s); several are ranked side by side (e.g. SBN and BN)", nargs="+")
    p.add_argument("--truth", required=True, help="a .tfrecord, a .csv/.json table, or 'standalone'")
    add_work_dir(p, "work_dirs/rank_<config name>")
    p.add_argument("--num-archs", type=int, default=50, help="architectures to rank outside S4 (S4: all 34)")
    p.add_argument("--calib-batches", type=int, default=8)
    p.add_argument("--metric", default="val_acc", choices=["val_acc", "test_acc"])
    add_device(p)
    p.add_argument("--standalone-epochs", type=int, default=10)
    p.add_argument("--standalone-lr", type=float, default=0.05)
    p.add_argument("--standalone-seeds", type=int, nargs="+", default=[0])
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    work = args.work_dir or str(Path("work_dirs") / f"rank_{Path(args.config).stem}")
    recipe = StandaloneRecipe(epochs=args.standalone_epochs, lr=args.standalone_lr)
    device = resolve_device(args.device)
    cfg = load_config(args.config, args.cfg_options)
    settings = RankSettings(Scoring(args.calib_batches, device=device), num_archs=args.num_archs,
                            sources={"config": args.config, "truth": args.truth, "metric": args.metric})
    with lock_work_dir(work, "tools/rank.py"):  # one writer, before the first byte
        truth = open_truth(args.truth, TruthRequest(cfg, args.metric, tuple(args.standalone_seeds), recipe,
                                                    cache_dir=str(Path(work) / "standalone"), device=device))
        with trusting(args.checkpoint if args.trust_checkpoint else []):
            refuse_overridden_options(args.cfg_options, args.checkpoint)
            run_rank_job(cfg, args.checkpoint, truth, work, settings)
    return 0


if __name__ == "__main__":
    run_cli(main)
