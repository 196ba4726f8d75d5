"""Ranking correlation of supernets against ground truth (Kendall tau-b, Spearman rho, bootstrap CIs).

`python tools/rank.py CONFIG --checkpoint SBN.pth [--checkpoint BN.pth] --truth SOURCE [--work-dir D]`
SOURCE: nasbench_only108.tfrecord | table.csv / table.json (arch,acc) | standalone
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mixpath_bench.bench.rank_job import run_rank_job  # noqa: E402
from mixpath_bench.bench.standalone import StandaloneRecipe  # noqa: E402
from mixpath_bench.cli import run_cli  # noqa: E402
from mixpath_bench.engine.checkpoint import trusting  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("config", help="supernet config (its data splits are used)")
    p.add_argument("--checkpoint", action="append", required=True, help="supernet checkpoint; repeat to compare")
    p.add_argument("--truth", required=True, help="a .tfrecord, a .csv/.json table, or 'standalone'")
    p.add_argument("--work-dir", help="default work_dirs/rank_<config name>")
    p.add_argument("--num-archs", type=int, default=50, help="architectures to rank outside S4 (S4: all 34)")
    p.add_argument("--calib-batches", type=int, default=8)
    p.add_argument("--metric", default="val_acc", choices=["val_acc", "test_acc"])
    p.add_argument("--device", default="cpu")
    p.add_argument("--standalone-epochs", type=int, default=10)
    p.add_argument("--standalone-lr", type=float, default=0.05)
    p.add_argument("--standalone-seeds", type=int, nargs="+", default=[0])
    p.add_argument("--trust-checkpoint", action="store_true",
                   help="unpickle the checkpoint(s) in full (this can run code): only for files you trust")
    args = p.parse_args()
    work = args.work_dir or str(Path("work_dirs") / f"rank_{Path(args.config).stem}")
    recipe = StandaloneRecipe(epochs=args.standalone_epochs, lr=args.standalone_lr)
    with trusting(args.checkpoint if args.trust_checkpoint else []):
        run_rank_job(args.config, args.checkpoint, args.truth, work, num_archs=args.num_archs,
                     calib_batches=args.calib_batches, device=args.device, metric=args.metric, recipe=recipe,
                     seeds=args.standalone_seeds)
    return 0


if __name__ == "__main__":
    run_cli(main)
