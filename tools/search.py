"""Search: NSGA-II (Algorithm 1), random search at equal budget, evolution, local search - on a trained
supernet - and DARTS, which trains its own weights.

`python tools/search.py CONFIG [CHECKPOINT] [--seed S] [--work-dir D] [--resume] [--device auto] [--cfg-options k=v ...]`
writes D/pareto.json (every searcher's result, provenance) and its figures (D/pareto.png; DARTS: D/alphas.png).
CHECKPOINT is the trained supernet, needed when a searcher scores candidates with it (not for DARTS).
"""
from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mixpath_bench import search_cli  # noqa: E402
from mixpath_bench.cli import run_cli  # noqa: E402


def build_parser() -> argparse.ArgumentParser:
    return search_cli.build_parser(__doc__, "search config (configs/search/*.py, configs/darts/*.py)",
                                   "work_dirs/search_<config name>[_seed<S>]")


def main(argv: list[str] | None = None) -> int:
    return search_cli.main(argv, "search", build_parser())


if __name__ == "__main__":
    run_cli(main)
