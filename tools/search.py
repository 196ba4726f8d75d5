"""Search a trained supernet: NSGA-II (Algorithm 1), random search at equal budget, evolution.

`python tools/search.py CONFIG --checkpoint SUPERNET.pth [--work-dir D] [--resume] [--device cuda]`
writes D/pareto.json (architectures, objectives, provenance) and D/pareto.png.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mixpath_bench.bench.search_job import run_search_job  # noqa: E402
from mixpath_bench.cli import run_cli  # noqa: E402
from mixpath_bench.engine.checkpoint import trusting  # noqa: E402
from mixpath_bench.engine.config import DictAction  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("config", help="search config (configs/search/*.py)")
    p.add_argument("--checkpoint", required=True, help="trained supernet checkpoint")
    p.add_argument("--work-dir", help="default work_dirs/search_<config name>")
    p.add_argument("--resume", action="store_true", help="continue the searches checkpointed in the work dir")
    p.add_argument("--device", default="cpu")
    p.add_argument("--trust-checkpoint", action="store_true",
                   help="unpickle the checkpoint(s) in full (this can run code): only for files you trust")
    p.add_argument("--cfg-options", nargs="+", action=DictAction, default={})
    args = p.parse_args()
    work = args.work_dir or str(Path("work_dirs") / f"search_{Path(args.config).stem}")
    with trusting([args.checkpoint] if args.trust_checkpoint else []):
        run_search_job(args.config, args.checkpoint, work, args.resume, args.device, args.cfg_options)
    return 0


if __name__ == "__main__":
    run_cli(main)
