"""Train a model from an MMEngine config: `python tools/train.py CONFIG [--work-dir D] [--resume] ...`.

Multi-GPU: `torchrun --nproc-per-node N tools/train.py CONFIG --launcher pytorch`.
"""
from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mixpath_bench.cli import register_for_config, run_cli  # noqa: E402
from mixpath_bench.engine import build_runner, prepare_config  # noqa: E402
from mixpath_bench.engine.config import DictAction  # noqa: E402


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("config", help="python config file")
    p.add_argument("--work-dir", help="where logs and checkpoints go (default work_dirs/<config name>)")
    p.add_argument("--resume", action="store_true", help="continue from the latest checkpoint in the work dir")
    p.add_argument("--amp", action="store_true", help="bf16 autocast (CUDA)")
    p.add_argument("--fast", action="store_true",
                   help="device-resident data, no per-step host sync, fused optimizer, channels-last (CUDA)")
    p.add_argument("--epochs", type=int, help="override max_epochs and the cosine schedule's horizon")
    p.add_argument("--cfg-options", nargs="+", action=DictAction, default={}, help="key=value overrides")
    p.add_argument("--trust-checkpoint", action="store_true",
                   help="unpickle the resumed / load_from checkpoint in full (can run code): only if you trust it")
    p.add_argument("--launcher", choices=["none", "pytorch", "slurm", "mpi"], default="none")
    p.add_argument("--local-rank", "--local_rank", type=int, default=0)
    args = p.parse_args(argv)
    os.environ.setdefault("LOCAL_RANK", str(args.local_rank))
    return args


def main() -> int:
    args = parse_args()
    cfg = prepare_config(args.config, args.work_dir, args.resume, args.amp, args.epochs, args.cfg_options,
                         args.launcher, args.fast)
    register_for_config(cfg)
    runner = build_runner(cfg, args.trust_checkpoint)
    runner.train()
    return 0


if __name__ == "__main__":
    run_cli(main)
