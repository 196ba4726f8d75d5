"""Score architectures with a trained supernet on the config's validation split.

`python tools/evaluate.py CONFIG --checkpoint CKPT [--arch S4:1203 ...] [--num-random N] [--seed S]`
"""
from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

from mixpath_bench.cli import run_cli  # noqa: E402
from mixpath_bench.engine import build_loader, build_supernet, load_config, top1  # noqa: E402
from mixpath_bench.engine.config import DictAction  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("config")
    p.add_argument("--checkpoint", required=True, help="supernet checkpoint (a work-dir .pth)")
    p.add_argument("--arch", action="append", default=[], help="architecture string; repeatable")
    p.add_argument("--num-random", type=int, default=0, help="also score N architectures sampled uniformly")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="cpu")
    p.add_argument("--cfg-options", nargs="+", action=DictAction, default={})
    args = p.parse_args()
    cfg = load_config(args.config, args.cfg_options)
    model = build_supernet(cfg, args.checkpoint, args.device)
    archs = [model.space.parse(a) for a in args.arch]
    rng = np.random.default_rng(args.seed)
    archs += [model.space.sample(rng) for _ in range(args.num_random)]
    if not archs:
        p.error("give --arch and/or --num-random")
    loader = build_loader(cfg)
    print(f"{'architecture':<40} paths/layer  val top-1 (%)")
    for arch in archs:
        print(f"{arch.to_string():<40} {str(model.space.num_active(arch)):<12} {top1(model, loader, arch):6.2f}",
              flush=True)
    return 0


if __name__ == "__main__":
    run_cli(main)
