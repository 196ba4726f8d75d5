"""Compare the numbers of two experiment work dirs: `python tools/diff_runs.py WORK_DIR_A WORK_DIR_B`.

Every result JSON both hold is compared value by value (timings, paths and provenance aside);
exits 0 when they are identical, 1 otherwise, printing the differences.
"""
from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mixpath_bench.cli import run_cli, tool_parser  # noqa: E402
from mixpath_bench.errors import ConfigError  # noqa: E402
from mixpath_bench.pipeline.diff import diff_runs  # noqa: E402


def build_parser() -> argparse.ArgumentParser:
    p = tool_parser(__doc__)
    p.add_argument("a", help="an experiment work dir")
    p.add_argument("b", help="another experiment work dir")
    p.add_argument("--show", type=int, default=20, help="differences to print (default 20)")
    return p


def main() -> int:
    args = build_parser().parse_args()
    for d in (args.a, args.b):
        if not os.path.isdir(d):
            raise ConfigError(f"work dir {d} does not exist")
    files, diffs = diff_runs(args.a, args.b)
    for line in diffs[: args.show]:
        print(line)
    print(f"{len(files)} result files compared, {len(diffs)} differences")
    return 1 if diffs else 0


if __name__ == "__main__":
    run_cli(main)
