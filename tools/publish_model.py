"""Strip a training checkpoint to weights, write `{name}-{sha256[:8]}.safetensors`, print its manifest entry.

`python tools/publish_model.py CHECKPOINT NAME [--out-dir model_zoo/weights] [--url-base https://...]`
"""
from __future__ import annotations

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mixpath_bench.cli import run_cli  # noqa: E402
from mixpath_bench.engine.checkpoint import load_checkpoint_file, model_state  # noqa: E402
from mixpath_bench.zoo import publish  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("checkpoint")
    p.add_argument("name")
    p.add_argument("--out-dir", default="model_zoo/weights")
    p.add_argument("--url-base", default="", help="where the file will be hosted (for the manifest's url)")
    p.add_argument("--trust-checkpoint", action="store_true",
                   help="unpickle the checkpoint in full (this can run code): only for files you trust")
    args = p.parse_args()
    state = model_state(load_checkpoint_file(args.checkpoint, trust=args.trust_checkpoint or None))
    entry = publish(state, args.name, args.out_dir, args.url_base)
    print(json.dumps(entry, indent=1))
    return 0


if __name__ == "__main__":
    run_cli(main)
