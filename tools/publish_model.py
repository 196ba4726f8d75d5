"""Strip a training checkpoint to weights, write `{name}-{sha256[:8]}.safetensors`, print its manifest entry.

`python tools/publish_model.py CHECKPOINT NAME [--work-dir model_zoo/weights] [--url-base https://...]`
"""
from __future__ import annotations

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mixpath_bench.cli import add_checkpoint, add_work_dir, run_cli, tool_parser  # noqa: E402
from mixpath_bench.engine.checkpoint import load_checkpoint_file, model_state  # noqa: E402
from mixpath_bench.zoo import publish  # noqa: E402


def build_parser() -> argparse.ArgumentParser:
    p = tool_parser(__doc__)
    add_checkpoint(p, "training checkpoint (.pth)")
    p.add_argument("name", help="model name (the manifest entry and the file name's start)")
    add_work_dir(p, "model_zoo/weights")
    p.add_argument("--url-base", default="", help="where the file will be hosted (for the manifest's url)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    state = model_state(load_checkpoint_file(args.checkpoint, trust=args.trust_checkpoint or None))
    entry = publish(state, args.name, args.work_dir or "model_zoo/weights", args.url_base)
    print(json.dumps(entry, indent=1))
    return 0


if __name__ == "__main__":
    run_cli(main)
