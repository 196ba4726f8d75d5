"""Train a model from an MMEngine config: `python tools/train.py CONFIG [--work-dir D] [--resume] ...`.

Multi-GPU: `torchrun --nproc-per-node N tools/train.py CONFIG --launcher pytorch`.
"""
from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mixpath_bench.cli import (add_config, add_trust_checkpoint, add_work_dir, register_for_config,  # noqa: E402
                               run_cli, tool_parser)
from mixpath_bench.engine import build_runner, prepare_config  # noqa: E402
from mixpath_bench.engine.config import check_data_files  # noqa: E402
from mixpath_bench.zoo.check import check_zoo_weights  # noqa: E402


def build_parser() -> argparse.ArgumentParser:
    p = tool_parser(__doc__)
    add_config(p)
    add_work_dir(p, "work_dirs/<config name>: logs and checkpoints")
    p.add_argument("--resume", action="store_true", help="continue from the latest checkpoint in the work dir")
    p.add_argument("--amp", action="store_true", help="bf16 autocast (CUDA)")
    p.add_argument("--fast", action="store_true",
                   help="device-resident data, no per-step host sync, fused optimizer and channels-last (the "
                        "last two on CUDA only; on CPU it says what it turned on)")
    p.add_argument("--epochs", type=int, help="override max_epochs and the cosine schedule's horizon")
    add_trust_checkpoint(p)
    p.add_argument("--launcher", choices=["none", "pytorch", "slurm", "mpi"], default="none")
    p.add_argument("--local-rank", "--local_rank", type=int, default=0)
    return p


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    args = build_parser().parse_args(argv)
    os.environ.setdefault("LOCAL_RANK", str(args.local_rank))
    return args


def main() -> int:
    args = parse_args()
    cfg = prepare_config(args.config, args.work_dir, args.resume, args.amp, args.epochs, args.cfg_options,
                         args.launcher, args.fast, register=register_for_config)
    check_data_files(cfg, ("train_dataloader", "val_dataloader"))  # before the Runner's environment dump
    check_zoo_weights(cfg)
    runner = build_runner(cfg, args.trust_checkpoint)
    runner.train()
    return 0


if __name__ == "__main__":
    run_cli(main)
