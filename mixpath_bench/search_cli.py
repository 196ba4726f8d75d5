"""The command line of the search job, shared by `tools/search.py` and its DARTS alias `tools/darts.py`.

`build_parser(doc, config_help, work_dir)` builds a tool's parser (its description: the first line of
the tool's docstring); `main(argv, prefix, parser)` parses, loads the search config and runs the
search job into ``--work-dir`` (default ``work_dirs/<prefix>_<config name>[_seed<S>]``).
"""
from __future__ import annotations

import argparse
from pathlib import Path

from .cli import add_checkpoint, add_config, add_device, add_work_dir, tool_parser


def build_parser(doc: str, config_help: str, work_dir: str) -> argparse.ArgumentParser:
    """CONFIG [CHECKPOINT] [--seed S] [--work-dir D] [--resume] [--device auto] [--cfg-options k=v ...]."""
    p = tool_parser(doc)
    add_config(p, config_help)
    add_checkpoint(p, "trained supernet checkpoint (.pth), for searchers that score candidates with it", nargs="?")
    p.add_argument("--seed", type=int, help="every searcher's seed (default: each searcher's configured seed)")
    add_work_dir(p, work_dir)
    p.add_argument("--resume", action="store_true", help="continue the searches checkpointed in the work dir")
    add_device(p)
    return p


def main(argv: list[str] | None, prefix: str, parser: argparse.ArgumentParser) -> int:
    """Run the search job of the command line `argv` (None: ``sys.argv``) parsed by `parser`."""
    from .engine.checkpoint import trusting
    from .engine.device import resolve_device
    from .pipeline.search_job import load_search_config, run_search_job

    args = parser.parse_args(argv)
    seed_tag = f"_seed{args.seed}" if args.seed is not None else ""
    work = args.work_dir or str(Path("work_dirs") / f"{prefix}_{Path(args.config).stem}{seed_tag}")
    cfg = load_search_config(args.config, args.cfg_options)
    with trusting([args.checkpoint] if args.trust_checkpoint and args.checkpoint else []):
        run_search_job(cfg, args.checkpoint, work, args.resume, resolve_device(args.device), seed=args.seed)
    return 0
