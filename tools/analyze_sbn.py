"""What Shadow BN does: `python tools/analyze_sbn.py CHECKPOINT|WORK_DIR [--compare BN.pth] [--work-dir D]`.

Figures after the paper's supplementary: SBN_k statistics vs SBN_1 with fitted ratios (Figs. 3/4),
t-SNE of first-layer multi-path features before/after SBN (Fig. 2), cosine similarity and 2-D
projections of path features (Fig. 6; --compare adds a vanilla-BN supernet).  The config is the one
recorded in the checkpoint unless --config names one; --cfg-options applies to either.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mixpath_bench.engine.lock import lock_work_dir  # noqa: E402
from mixpath_bench.cli import add_cfg_options, add_checkpoint, add_work_dir, run_cli, tool_parser  # noqa: E402
from mixpath_bench.engine.checkpoint import trusting  # noqa: E402
from mixpath_bench.pipeline.sbn_job import resolve_checkpoint, run_sbn_analysis  # noqa: E402


def build_parser() -> argparse.ArgumentParser:
    p = tool_parser(__doc__)
    add_checkpoint(p, "a supernet checkpoint or its work dir (its latest checkpoint)")
    p.add_argument("--compare", help="a second checkpoint (e.g. the vanilla-BN supernet) for the cosine view")
    p.add_argument("--config", help="default: the config recorded in the checkpoint")
    add_cfg_options(p)
    p.add_argument("--layers", type=int, nargs="+", help="indices of the Shadow-BN layers to plot")
    p.add_argument("--samples", type=int, default=64)
    add_work_dir(p, "<checkpoint dir>/sbn_analysis")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    base = Path(args.checkpoint)
    work = args.work_dir or str((base if base.is_dir() else base.parent) / "sbn_analysis")
    named = [c for c in (args.checkpoint, args.compare) if c] if args.trust_checkpoint else []
    with lock_work_dir(work, "tools/analyze_sbn.py"), trusting([resolve_checkpoint(c) for c in named]):
        run_sbn_analysis(args.checkpoint, work, args.config, args.compare, args.layers, args.samples,
                         options=args.cfg_options)
    return 0


if __name__ == "__main__":
    run_cli(main)
