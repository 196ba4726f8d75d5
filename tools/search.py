"""Search a trained supernet: NSGA-II (Algorithm 1), random search at equal budget, evolution.

`python tools/search.py CONFIG CHECKPOINT [--work-dir D] [--resume] [--device auto] [--cfg-options k=v ...]`
writes D/pareto.json (architectures, objectives, provenance) and D/pareto.png.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mixpath_bench.cli import (add_checkpoint, add_config, add_device, add_work_dir, run_cli,  # noqa: E402
                               tool_parser)
from mixpath_bench.engine.checkpoint import trusting  # noqa: E402
from mixpath_bench.engine.device import resolve_device  # noqa: E402
from mixpath_bench.pipeline.search_job import run_search_job  # noqa: E402


def build_parser() -> argparse.ArgumentParser:
    p = tool_parser(__doc__)
    add_config(p, "search config (configs/search/*.py)")
    add_checkpoint(p, "trained supernet checkpoint (.pth)")
    add_work_dir(p, "work_dirs/search_<config name>")
    p.add_argument("--resume", action="store_true", help="continue the searches checkpointed in the work dir")
    add_device(p)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    work = args.work_dir or str(Path("work_dirs") / f"search_{Path(args.config).stem}")
    with trusting([args.checkpoint] if args.trust_checkpoint else []):
        run_search_job(args.config, args.checkpoint, work, args.resume, resolve_device(args.device),
                       args.cfg_options)
    return 0


if __name__ == "__main__":
    run_cli(main)
