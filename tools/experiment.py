"""Run an end-to-end MixPath experiment: `python tools/experiment.py CONFIG [--work-dir D] [--until STAGE]`.

Stages: truth, supernets, ranking, search, darts (DARTS through the search job), table2, analysis and
msweep (each runs when its config section is there); then D/report.md and D/results.json.  Finished stages whose inputs are unchanged are reused, and an interrupted stage
resumes where it stopped, so re-running the same command after a kill continues the experiment.
"""
from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mixpath_bench.pipeline.executor import EXECUTORS  # noqa: E402
from mixpath_bench.pipeline.runner import Experiment  # noqa: E402
from mixpath_bench.pipeline.stage import STAGES  # noqa: E402
from mixpath_bench.cli import run_cli  # noqa: E402
from mixpath_bench.engine.config import DictAction  # noqa: E402
from mixpath_bench.errors import ConfigError  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("config", help="experiment config (configs/experiment/*.py)")
    p.add_argument("--work-dir", help="default: the config's work_dir, else work_dirs/<config name>")
    p.add_argument("--until", choices=list(STAGES), help="stop after this stage (the report covers what ran)")
    p.add_argument("--force", nargs="+", choices=list(STAGES), default=[], help="re-run these stages even if unchanged")
    p.add_argument("--device", help="cpu, cuda, or auto (default: the config's device)")
    p.add_argument("--executor", choices=list(EXECUTORS),
                   help="where independent jobs run (default: the config's executor, else local processes)")
    p.add_argument("--address", help="with --executor ray: the cluster ('auto': a running one; default: a new local one)")
    p.add_argument("--cfg-options", nargs="+", action=DictAction, default={}, help="key=value overrides")
    args = p.parse_args()
    if args.address and args.executor != "ray":
        raise ConfigError("--address goes with --executor ray")
    executor = None
    if args.executor:
        executor = {"type": args.executor, **({"address": args.address} if args.address else {})}
    Experiment(args.config, args.work_dir, args.cfg_options, args.device, executor=executor).run(
        args.until, tuple(args.force))
    return 0


if __name__ == "__main__":
    run_cli(main)
