"""Evaluate a trained model from its config: `python tools/test.py CONFIG CHECKPOINT [--work-dir D] [--metrics-out M.json]` (CUDA when available).

Works for every config kind `tools/train.py` trains (supernets, detection); metrics are printed
and written to JSON together with provenance (`--metrics-out`; MMDetection's `--out` writes
predictions, which this tool does not).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mixpath_bench.cli import (add_checkpoint, add_config, add_work_dir, register_for_config, run_cli,  # noqa: E402
                               tool_parser)
from mixpath_bench.engine import build_runner, prepare_config  # noqa: E402
from mixpath_bench.engine.config import check_data_files  # noqa: E402
from mixpath_bench.errors import CheckpointError, ConfigError  # noqa: E402
from mixpath_bench.jsonio import save_json_atomic  # noqa: E402
from mixpath_bench.provenance import provenance  # noqa: E402


def build_parser() -> argparse.ArgumentParser:
    p = tool_parser(__doc__)
    add_config(p)
    add_checkpoint(p, "trained checkpoint (.pth)")
    add_work_dir(p, "work_dirs/<config name>_test")
    p.add_argument("--metrics-out", help="metrics JSON file (default <work dir>/test_metrics.json)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not Path(args.checkpoint).is_file():
        raise CheckpointError(f"checkpoint {args.checkpoint} does not exist")
    work = args.work_dir or str(Path("work_dirs") / f"{Path(args.config).stem}_test")
    cfg = prepare_config(args.config, work, cfg_options=args.cfg_options, register=register_for_config)
    if cfg.get("test_dataloader") is None or cfg.get("test_evaluator") is None:
        raise ConfigError(f"{args.config} defines no test_dataloader / test_evaluator")
    cfg.load_from = str(Path(args.checkpoint).resolve())
    cfg.resume = False
    check_data_files(cfg, ("test_dataloader",))  # before the Runner's environment dump
    runner = build_runner(cfg, args.trust_checkpoint)
    metrics = runner.test()
    if not metrics:
        raise ConfigError(f"{args.config}: the test loop produced no metrics (is test_evaluator a metric this "
                          "config's model outputs?); nothing written")
    out = Path(args.metrics_out) if args.metrics_out else Path(work) / "test_metrics.json"
    save_json_atomic(out, {"config": args.config, "checkpoint": args.checkpoint,
                           "metrics": {k: float(v) for k, v in metrics.items()},
                           "provenance": provenance({"config": args.config, "options": args.cfg_options})})
    for k, v in metrics.items():
        print(f"{k}: {v:.4f}")
    print(f"metrics written to {out}")
    return 0


if __name__ == "__main__":
    run_cli(main)
