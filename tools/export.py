"""Turn a search result (or any architecture string) into an architecture file that configs can name.

`python tools/export.py --pareto work_dirs/search/pareto.json [--pick best|cheapest|INDEX] --name my_model [--out FILE.json]`
`python tools/export.py [SUPERNET.pth] --arch S4:1203 --name my_model [--with-weights]`
With --with-weights the stand-alone subnet inherits the supernet's weights: FILE.json (what
`create_model(FILE.json)` rebuilds) plus FILE.safetensors beside it, whose sha256 FILE.json records;
`mixpath_bench.zoo.load_subnet(FILE.json)` loads both.  The supernet is the CHECKPOINT given, else
the one the pareto.json names.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mixpath_bench.cli import add_checkpoint, run_cli, tool_parser  # noqa: E402
from mixpath_bench.engine.checkpoint import load_checkpoint_file, model_state  # noqa: E402
from mixpath_bench.engine.evaluate import checkpoint_model_config  # noqa: E402
from mixpath_bench.errors import ConfigError  # noqa: E402
from mixpath_bench.jsonio import load_json, write_text_atomic  # noqa: E402
from mixpath_bench.models.named import arch_dir, default_network  # noqa: E402
from mixpath_bench.spaces import parse_arch  # noqa: E402
from mixpath_bench.zoo import export_subnet, supernet_from_state  # noqa: E402


def build_parser() -> argparse.ArgumentParser:
    p = tool_parser(__doc__)
    add_checkpoint(p, "supernet checkpoint (default: the one the --pareto file names)", nargs="?")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--pareto", help="pareto.json written by tools/search.py")
    src.add_argument("--arch", help="an architecture string")
    p.add_argument("--searcher", default="nsga2", help="whose picks to take from --pareto (default nsga2)")
    p.add_argument("--pick", default="best",
                   help="which of that searcher's picks: best (highest supernet accuracy, the default), cheapest "
                        "(fewest multiply-adds) or an index into its picks")
    p.add_argument("--name", required=True)
    p.add_argument("--num-classes", type=int, help="default: 1000 for S2/S3, 10 for S1/S4")
    p.add_argument("--with-weights", action="store_true",
                   help="also write the subnet's inherited supernet weights (.safetensors beside --out)")
    p.add_argument("--out", help="the architecture file (.json) to write (default model_zoo/archs/<name>.json)")
    return p


def choose_pick(picks: list, how: str, where) -> int:
    """The index of the pick `how` names: 'best' (highest ``acc``), 'cheapest' (lowest ``madds``) or an index."""
    if not picks:
        raise ConfigError(f"{where} holds no picks for this searcher")
    if how in ("best", "cheapest") and len(picks) == 1:
        return 0
    if how in ("best", "cheapest"):
        field, sign = ("acc", -1) if how == "best" else ("madds", 1)
        if not all(isinstance(p.get(field), (int, float)) for p in picks):
            raise ConfigError(f"{where}: not every pick records {field!r}; choose --pick INDEX")
        return min(range(len(picks)), key=lambda i: (sign * picks[i][field], i))
    try:
        index = int(how)
    except ValueError:
        raise ConfigError(f"--pick must be best, cheapest or an index, got {how!r}") from None
    if not 0 <= index < len(picks):
        raise ConfigError(f"{where} has {len(picks)} picks; --pick must be in 0..{len(picks) - 1}, best or cheapest")
    return index


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    record = {"name": args.name}
    if args.pareto:
        result = load_json(args.pareto, ConfigError)
        searchers = result.get("searchers") if isinstance(result, dict) else None
        if not isinstance(searchers, dict) or args.searcher not in searchers:
            raise ConfigError(f"{args.pareto} holds no results of searcher {args.searcher!r}"
                              + (f"; it has {', '.join(searchers)}" if isinstance(searchers, dict) else
                                 " (not a pareto.json of this version: re-run tools/search.py)"))
        picks = searchers[args.searcher].get("picks") or []
        index = choose_pick(picks, args.pick, args.pareto)
        pick = picks[index]
        arch = parse_arch(pick["arch"], m=result.get("m"))
        print(f"export: pick {index} of {len(picks)} ({args.pick}): {pick['arch']}"
              + (f", supernet accuracy {pick['acc']:.2f}%" if isinstance(pick.get("acc"), (int, float)) else "")
              + (f", {pick['madds'] / 1e6:.2f} M multiply-adds" if isinstance(pick.get("madds"), (int, float)) else ""))
        record["source"] = {"pareto": str(args.pareto), "searcher": args.searcher, "pick": index,
                            "supernet_checkpoint":
                            result.get("checkpoint"), "supernet_metrics": {k: v for k, v in pick.items() if k != "arch"},
                            "git_commit": result.get("provenance", {}).get("git_commit")}
        m = result.get("m")
    else:
        arch = parse_arch(args.arch, widest=True)
        m = None
    network = default_network(arch.space)
    if m:
        network["m"] = m
    checkpoint = args.checkpoint or record.get("source", {}).get("supernet_checkpoint")
    if args.with_weights and not (checkpoint and Path(checkpoint).is_file()):
        raise ConfigError("--with-weights needs the supernet checkpoint: give it as the first argument"
                          + (f" ({checkpoint} does not exist)" if checkpoint else ""))
    if args.with_weights and args.num_classes:
        raise ConfigError("--with-weights keeps the supernet's classifier; leave out --num-classes")
    ckpt = None
    if checkpoint and (args.checkpoint or Path(checkpoint).is_file()):  # the skeleton the supernet was trained with
        ckpt = load_checkpoint_file(checkpoint, trust=args.trust_checkpoint or None)
        recorded = checkpoint_model_config(ckpt, checkpoint)  # JSON data, never the stored Python config
        if recorded and "network" in recorded:
            network = dict(recorded["network"])
        record.setdefault("source", {})["supernet_checkpoint"] = str(checkpoint)
    if args.num_classes:
        network["num_classes"] = args.num_classes
    record["network"] = network
    out = Path(args.out) if args.out else arch_dir() / f"{args.name}.json"
    if args.with_weights:
        record = export_subnet(supernet_from_state(network, model_state(ckpt), str(checkpoint)), arch, record, out)
        print(f"{args.name}: {arch} -> {out} and {out.with_suffix('.safetensors')}")
        return 0
    record["arch"] = arch.to_string()
    out.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(out, json.dumps(record, indent=1) + "\n")
    print(f"{args.name}: {arch} -> {out}")
    return 0


if __name__ == "__main__":
    run_cli(main)
