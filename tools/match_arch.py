"""Reconstruct a published model by size: the architecture of a space closest to given multiply-adds and params.

`python tools/match_arch.py --space S2 --madds 349e6 --params 5.0e6 --name mixpath_a [--out FILE]`
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mixpath_bench.bench.complexity import arch_complexity, layer_cost_table  # noqa: E402
from mixpath_bench.bench.match import match_architecture  # noqa: E402
from mixpath_bench.cli import run_cli, tool_parser  # noqa: E402
from mixpath_bench.jsonio import write_text_atomic  # noqa: E402
from mixpath_bench.models import build_network  # noqa: E402
from mixpath_bench.models.named import arch_dir, default_network  # noqa: E402
from mixpath_bench.spaces import space_entry, space_names  # noqa: E402


def build_parser() -> argparse.ArgumentParser:
    p = tool_parser(__doc__)
    # the matcher adds up per-layer costs: spaces whose layers are chosen one by one (not S4's cell of
    # candidate nodes, nor S5's cells of edges)
    p.add_argument("--space", required=True, choices=space_names(
        lambda e: not e.nasbench and getattr(e.kind(e.default_m), "span", 1) == 1))
    p.add_argument("--m", type=int, help="max paths per layer (default: the paper's m of the space)")
    p.add_argument("--madds", type=float, required=True, help="target multiply-adds")
    p.add_argument("--params", type=float, required=True, help="target parameters")
    p.add_argument("--name", required=True)
    p.add_argument("--input-size", type=int, nargs=3, help="C H W (default 3 224 224; S1: 3 32 32)")
    p.add_argument("--tol", type=float, default=0.005, help="relative tolerance on both targets")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--restarts", type=int, default=200)
    p.add_argument("--description", default="")
    p.add_argument("--out", help="the architecture file to write (default model_zoo/archs/<name>.json)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    network = default_network(args.space)
    if args.m:
        network["m"] = args.m
    size = tuple(args.input_size or space_entry(args.space).input_size)
    supernet = build_network(network)
    table = layer_cost_table(supernet, size)
    arch, info = match_architecture(supernet.space, table, args.madds, args.params, args.tol, args.restarts,
                                    args.seed)
    madds, params = arch_complexity(supernet, arch, size)  # verified on the whole stand-alone network
    assert (madds, params) == (info["madds"], info["params"]), "per-layer costs must add up exactly"
    record = {
        "name": args.name, "arch": arch.to_string(), "network": network, "input_size": list(size),
        "madds": madds, "params": params, "multi_path_layers": info["multi_path_layers"],
        "target": {"madds": args.madds, "params": args.params, "tolerance": args.tol,
                   "within_tolerance": info["within_tolerance"]},
        "procedure": (f"python tools/match_arch.py --space {args.space} --madds {args.madds:g} --params "
                      f"{args.params:g} --name {args.name} --seed {args.seed} --restarts {args.restarts} "
                      f"--tol {args.tol:g}" + (f" --m {args.m}" if args.m else "")),
        "description": args.description,
    }
    out = Path(args.out) if args.out else arch_dir() / f"{args.name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(out, json.dumps(record, indent=1) + "\n")
    print(f"{args.name}: {arch}  {madds / 1e6:.1f}M multiply-adds, {params / 1e6:.3f}M params, "
          f"{info['multi_path_layers']} multi-path layers -> {out}")
    return 0


if __name__ == "__main__":
    run_cli(main)
