"""Score architectures with a trained supernet on the config's validation split, before and after BN calibration.

`python tools/evaluate.py CONFIG CHECKPOINT [--arch S4:1203 ...] [--num-random N] [--calib-batches 4] [--device auto]`
"""
from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

from mixpath_bench.bench.evaluator import build_evaluator  # noqa: E402
from mixpath_bench.engine.evaluate import refuse_overridden_options  # noqa: E402
from mixpath_bench.cli import add_checkpoint, add_config, add_device, run_cli, tool_parser  # noqa: E402
from mixpath_bench.engine import load_config, trusting  # noqa: E402
from mixpath_bench.engine.device import resolve_device  # noqa: E402


def build_parser() -> argparse.ArgumentParser:
    p = tool_parser(__doc__)
    add_config(p, "supernet config (its validation split is used)")
    add_checkpoint(p, "supernet checkpoint (a work-dir .pth)")
    p.add_argument("--arch", action="append", default=[], help="architecture string; repeatable")
    p.add_argument("--num-random", type=int, default=0, help="also score N architectures sampled uniformly")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--calib-batches", type=int, default=4, help="training batches for BN calibration (0: none)")
    add_device(p)
    return p


def main(argv: list[str] | None = None) -> int:
    p = build_parser()
    args = p.parse_args(argv)
    cfg = load_config(args.config, args.cfg_options)
    with trusting([args.checkpoint] if args.trust_checkpoint else []):
        refuse_overridden_options(args.cfg_options, args.checkpoint)
        evaluator = build_evaluator(cfg, args.checkpoint, calib_batches=args.calib_batches,
                                    device=resolve_device(args.device))
    space = evaluator.space
    archs = [space.parse(a) for a in args.arch]
    rng = np.random.default_rng(args.seed)
    archs += [space.sample(rng) for _ in range(args.num_random)]
    if not archs:
        p.error("give --arch and/or --num-random")
    print(f"{'architecture':<32} {'paths/layer':<14} {'top-1 (%)':>10} {'before calibration':>19} {'MAdds (M)':>10}")
    for arch in archs:
        s = evaluator.score(arch)
        if s.arch != arch.to_string():
            print(f"note: {arch.to_string()} is the same network as {s.arch}, its canonical encoding (scored as that)",
                  flush=True)
        raw = f"{s.acc_uncalibrated:.2f}" if s.acc_uncalibrated is not None else "-"
        print(f"{s.arch:<32} {str(space.num_active(arch)):<14} {s.acc:>10.2f} {raw:>19} {s.madds / 1e6:>10.2f}",
              flush=True)
    return 0


if __name__ == "__main__":
    run_cli(main)
