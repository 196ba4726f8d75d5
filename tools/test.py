"""Evaluate a trained model from its config: `python tools/test.py CONFIG CHECKPOINT [--work-dir D] [--out M.json]` (CUDA when available).

Works for every config kind `tools/train.py` trains (supernets, detection); metrics are printed
and written to JSON together with provenance.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mixpath_bench.cli import register_for_config, run_cli  # noqa: E402
from mixpath_bench.engine import build_runner, prepare_config  # noqa: E402
from mixpath_bench.engine.config import DictAction  # noqa: E402
from mixpath_bench.errors import CheckpointError, ConfigError  # noqa: E402
from mixpath_bench.jsonio import save_json_atomic  # noqa: E402
from mixpath_bench.provenance import provenance  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("config")
    p.add_argument("checkpoint")
    p.add_argument("--work-dir", help="default work_dirs/<config name>_test")
    p.add_argument("--out", help="metrics JSON (default <work dir>/test_metrics.json)")
    p.add_argument("--trust-checkpoint", action="store_true",
                   help="unpickle the checkpoint(s) in full (this can run code): only for files you trust")
    p.add_argument("--cfg-options", nargs="+", action=DictAction, default={})
    args = p.parse_args()
    if not Path(args.checkpoint).is_file():
        raise CheckpointError(f"checkpoint {args.checkpoint} does not exist")
    work = args.work_dir or str(Path("work_dirs") / f"{Path(args.config).stem}_test")
    cfg = prepare_config(args.config, work, cfg_options=args.cfg_options)
    if cfg.get("test_dataloader") is None or cfg.get("test_evaluator") is None:
        raise ConfigError(f"{args.config} defines no test_dataloader / test_evaluator")
    cfg.load_from = str(Path(args.checkpoint).resolve())
    cfg.resume = False
    register_for_config(cfg)
    runner = build_runner(cfg, args.trust_checkpoint)
    metrics = runner.test()
    out = Path(args.out) if args.out else Path(work) / "test_metrics.json"
    save_json_atomic(out, {"config": args.config, "checkpoint": args.checkpoint,
                           "metrics": {k: float(v) for k, v in metrics.items()},
                           "provenance": provenance({"config": args.config, "options": args.cfg_options})})
    for k, v in metrics.items():
        print(f"{k}: {v:.4f}")
    print(f"metrics written to {out}")
    return 0


if __name__ == "__main__":
    run_cli(main)
