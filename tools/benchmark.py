"""Time supernet training and candidate evaluation: `python tools/benchmark.py [--reference CHECKOUT]`.

Training: S1 (m=4) and S4 (128 channels, m=4) supernets at batch 96 from their configs, the plain
path (the config as it is) against the fast path (`tools/train.py --fast`, bf16 on CUDA), and the
reference implementation's supernets under a loop with its training step's semantics when a
checkout of github.com/xiaomi-automl/MixPath is given.  Evaluation: seconds per candidate (BN
calibration + the whole validation split).  Prints a table; writes JSON with the device, versions
and git commit.  Synthetic CIFAR-shaped data unless --cifar-root is given (speed does not depend
on the pixels); the embedded configs (`--s1-config configs/supernet/s1_mnist5k.py`) time on their
own real data, which is what a CPU can run in minutes.
"""
from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mixpath_bench.bench.reference import REFERENCE_SUPERNETS, benchmark_cases, case_key  # noqa: E402
from mixpath_bench.bench.speed import BenchmarkSettings, run_benchmark  # noqa: E402
from mixpath_bench.cli import add_device, run_cli, tool_parser  # noqa: E402


def build_parser() -> argparse.ArgumentParser:
    """The options; the cases (``--only``, ``--<space>-config``) are the spaces with a reference supernet."""
    cases = benchmark_cases()
    p = tool_parser(__doc__)
    p.add_argument("--reference", help="a checkout of github.com/xiaomi-automl/MixPath (imported, not copied)")
    add_device(p)
    p.add_argument("--steps", type=int, help="timed training steps (default 150 on CUDA, 5 on CPU)")
    p.add_argument("--warmup", type=int, help="untimed steps first (default 40 on CUDA, 2 on CPU)")
    p.add_argument("--batch", type=int, default=96)
    p.add_argument("--candidates", type=int, help="evaluated candidates (default 20 on CUDA, 3 on CPU)")
    p.add_argument("--calib-batches", type=int, default=10,
                   help="BN calibration batches of 500 training images per evaluated candidate")
    p.add_argument("--madds-samples", type=int, default=16,
                   help="sampled training paths whose mean multiply-adds give the achieved FLOP/s")
    keys = [case_key(space) for space in cases] + ["eval"]
    p.add_argument("--only", nargs="+", choices=keys, default=keys)
    p.add_argument("--cifar-root", help="time on real CIFAR-10 (cifar-10-batches-py) instead of synthetic data")
    for space in cases:
        p.add_argument(f"--{case_key(space)}-config", default=REFERENCE_SUPERNETS[space].config,
                       help=f"{space} supernet config to time")
    p.add_argument("--out", default="work_dirs/benchmark.json", help="the JSON file to write")
    return p


def settings_from(args: argparse.Namespace) -> BenchmarkSettings:
    """The parsed options as the benchmark's settings."""
    configs = {case_key(space): getattr(args, f"{case_key(space)}_config") for space in benchmark_cases()}
    return BenchmarkSettings(device=args.device, reference=args.reference, steps=args.steps, warmup=args.warmup,
                             batch=args.batch, candidates=args.candidates, only=tuple(args.only),
                             cifar_root=args.cifar_root, out=args.out, configs=configs,
                             calib_batches=args.calib_batches, madds_samples=args.madds_samples)


def main(argv: list[str] | None = None) -> int:
    run_benchmark(settings_from(build_parser().parse_args(argv)))
    return 0


if __name__ == "__main__":
    run_cli(main)
