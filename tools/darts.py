"""DARTS baseline search: `python tools/darts.py CONFIG [--seed S] [--work-dir D] [--resume] [--device auto]`.

Writes D/darts.json (derived architecture, architecture weights per epoch, search time, provenance),
D/alphas.png and a per-epoch checkpoint that --resume continues from.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mixpath_bench.cli import add_config, add_device, add_work_dir, run_cli, tool_parser  # noqa: E402
from mixpath_bench.engine.device import resolve_device  # noqa: E402
from mixpath_bench.pipeline.darts_job import run_darts_job  # noqa: E402


def build_parser() -> argparse.ArgumentParser:
    p = tool_parser(__doc__)
    add_config(p, "DARTS config (configs/darts/*.py)")
    p.add_argument("--seed", type=int, help="default: the config's darts.seed")
    add_work_dir(p, "work_dirs/darts_<config name>_seed<S>")
    p.add_argument("--resume", action="store_true", help="continue from the work dir's last epoch")
    add_device(p)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    seed_tag = f"_seed{args.seed}" if args.seed is not None else ""
    work = args.work_dir or str(Path("work_dirs") / f"darts_{Path(args.config).stem}{seed_tag}")
    run_darts_job(args.config, work, args.seed, args.resume, resolve_device(args.device), args.cfg_options)
    return 0


if __name__ == "__main__":
    run_cli(main)
