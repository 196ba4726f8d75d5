"""Write the embedded COCO-format shapes dataset: `python tools/make_shapes.py [OUT] [--train N --val N]`."""
from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mixpath_bench.cli import run_cli, tool_parser  # noqa: E402
from mixpath_bench.data.shapes import write_shapes_dataset  # noqa: E402


def build_parser() -> argparse.ArgumentParser:
    p = tool_parser(__doc__)
    p.add_argument("out", nargs="?", default="data/shapes", help="dataset root to write (default data/shapes)")
    p.add_argument("--train", type=int, default=400)
    p.add_argument("--val", type=int, default=100)
    p.add_argument("--size", type=int, default=128)
    p.add_argument("--seed", type=int, default=0)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    root = write_shapes_dataset(args.out, {"train": args.train, "val": args.val}, args.size, seed=args.seed)
    print(f"wrote {args.train} train and {args.val} val images to {root}")
    return 0


if __name__ == "__main__":
    run_cli(main)
