"""Download and verify zoo weights: `python tools/download.py NAME [NAME ...] | --all [--offline]`."""
from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mixpath_bench.cli import run_cli, tool_parser  # noqa: E402
from mixpath_bench.zoo import ZooError, fetch_weights, load_manifest  # noqa: E402


def build_parser() -> argparse.ArgumentParser:
    p = tool_parser(__doc__)
    p.add_argument("names", nargs="*", help="zoo entries (model_zoo/zoo.json)")
    p.add_argument("--all", action="store_true", help="every entry with published weights")
    p.add_argument("--offline", action="store_true", help="use the local cache only")
    return p


def main(argv: list[str] | None = None) -> int:
    p = build_parser()
    args = p.parse_args(argv)
    entries = load_manifest()
    names = [n for n, e in entries.items() if e.get("url")] if args.all else args.names
    if not names:
        p.error("name a model, or use --all" + ("" if not args.all else " (no entry has published weights yet)"))
    failed = 0
    for name in names:
        try:
            path = fetch_weights(name, args.offline, progress=lambda s: print(s, end="\r", flush=True))
            print(f"{name}: {path}")
        except ZooError as exc:
            if not args.all:
                raise
            print(f"{name}: {exc}", file=sys.stderr)
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    run_cli(main)
