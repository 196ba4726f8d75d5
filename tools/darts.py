"""DARTS baseline search, an alias of tools/search.py for DARTS configs:
`python tools/darts.py CONFIG [--seed S] [--work-dir D] [--resume] [--device auto]`.

DARTS is a registered searcher that trains its own weights; this runs the search job on CONFIG
(configs/darts/*.py) exactly as `python tools/search.py CONFIG` does, with the work dir
defaulting to work_dirs/darts_<config name>[_seed<S>].  Writes D/darts.json (derived architecture,
architecture weights per epoch, search time), D/pareto.json, D/alphas.png and a per-epoch
checkpoint that --resume continues from.
"""
from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mixpath_bench import search_cli  # noqa: E402
from mixpath_bench.cli import run_cli  # noqa: E402


def build_parser() -> argparse.ArgumentParser:
    return search_cli.build_parser(__doc__, "DARTS config (configs/darts/*.py)",
                                   "work_dirs/darts_<config name>[_seed<S>]")


def main(argv: list[str] | None = None) -> int:
    return search_cli.main(argv, "darts", build_parser())


if __name__ == "__main__":
    run_cli(main)
