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
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mixpath_bench.cli import (add_checkpoint, add_config, add_device, add_work_dir, run_cli,  # noqa: E402
                               tool_parser)
from mixpath_bench.engine.checkpoint import trusting  # noqa: E402
from mixpath_bench.engine.device import resolve_device  # noqa: E402
from mixpath_bench.pipeline.search_job import load_search_config, run_search_job  # noqa: E402


def build_parser(doc: str = __doc__, config_help: str = "search config (configs/search/*.py, configs/darts/*.py)",
                 work_dir: str = "work_dirs/search_<config name>[_seed<S>]") -> argparse.ArgumentParser:
    p = tool_parser(doc)
    add_config(p, config_help)
    add_checkpoint(p, "trained supernet checkpoint (.pth), for searchers that score candidates with it", nargs="?")
    p.add_argument("--seed", type=int, help="every searcher's seed (default: each searcher's configured seed)")
    add_work_dir(p, work_dir)
    p.add_argument("--resume", action="store_true", help="continue the searches checkpointed in the work dir")
    add_device(p)
    return p


def main(argv: list[str] | None = None, prefix: str = "search", parser: argparse.ArgumentParser | None = None) -> int:
    args = (parser or build_parser()).parse_args(argv)
    seed_tag = f"_seed{args.seed}" if args.seed is not None else ""
    work = args.work_dir or str(Path("work_dirs") / f"{prefix}_{Path(args.config).stem}{seed_tag}")
    cfg = load_search_config(args.config, args.cfg_options)
    with trusting([args.checkpoint] if args.trust_checkpoint and args.checkpoint else []):
        run_search_job(cfg, args.checkpoint, work, args.resume, resolve_device(args.device), seed=args.seed)
    return 0


if __name__ == "__main__":
    run_cli(main)
