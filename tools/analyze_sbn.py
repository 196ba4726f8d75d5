"""What Shadow BN does: `python tools/analyze_sbn.py WORK_DIR|CHECKPOINT [--compare BN_CHECKPOINT] [--out-dir D]`.

Figures after the paper's supplementary: SBN_k statistics vs SBN_1 with fitted ratios (Figs. 3/4),
t-SNE of first-layer multi-path features before/after SBN (Fig. 2), cosine similarity and 2-D
projections of path features (Fig. 6; --compare adds a vanilla-BN supernet).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mixpath_bench.bench.sbn_job import resolve_checkpoint, run_sbn_analysis  # noqa: E402
from mixpath_bench.cli import run_cli  # noqa: E402
from mixpath_bench.engine.checkpoint import trusting  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("checkpoint", help="a supernet checkpoint or its work dir")
    p.add_argument("--compare", help="a second checkpoint (e.g. the vanilla-BN supernet) for the cosine view")
    p.add_argument("--config", help="default: the config recorded in the checkpoint")
    p.add_argument("--layers", type=int, nargs="+", help="indices of the Shadow-BN layers to plot")
    p.add_argument("--samples", type=int, default=64)
    p.add_argument("--out-dir", help="default <checkpoint dir>/sbn_analysis")
    p.add_argument("--trust-checkpoint", action="store_true",
                   help="unpickle the checkpoint(s) in full (this can run code): only for files you trust")
    args = p.parse_args()
    base = Path(args.checkpoint)
    out = args.out_dir or str((base if base.is_dir() else base.parent) / "sbn_analysis")
    named = [c for c in (args.checkpoint, args.compare) if c] if args.trust_checkpoint else []
    with trusting([resolve_checkpoint(c) for c in named]):
        run_sbn_analysis(args.checkpoint, out, args.config, args.compare, args.layers, args.samples)
    return 0


if __name__ == "__main__":
    run_cli(main)
