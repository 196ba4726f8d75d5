"""DARTS baseline search: `python tools/darts.py CONFIG [--seed S] [--work-dir D] [--resume] [--device cuda]`.

Writes D/darts.json (derived architecture, architecture weights per epoch, search time, provenance),
D/alphas.png and a per-epoch checkpoint that --resume continues from.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mixpath_bench.bench.darts_job import run_darts_job  # noqa: E402
from mixpath_bench.cli import run_cli  # noqa: E402
from mixpath_bench.engine.config import DictAction  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("config")
    p.add_argument("--seed", type=int)
    p.add_argument("--work-dir", help="default work_dirs/darts_<config name>_seed<S>")
    p.add_argument("--resume", action="store_true")
    p.add_argument("--device", default="cpu")
    p.add_argument("--cfg-options", nargs="+", action=DictAction, default={})
    args = p.parse_args()
    seed_tag = f"_seed{args.seed}" if args.seed is not None else ""
    work = args.work_dir or str(Path("work_dirs") / f"darts_{Path(args.config).stem}{seed_tag}")
    run_darts_job(args.config, work, args.seed, args.resume, args.device, args.cfg_options)
    return 0


if __name__ == "__main__":
    run_cli(main)
