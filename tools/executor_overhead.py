"""Ray's overhead over local processes on one stage of an experiment: `python tools/executor_overhead.py CONFIG
[--until truth] [--work-dir D] [--address ADDRESS]`.

Runs the experiment up to and including one stage twice from fresh work dirs, D/local (local processes)
and D/ray (Ray tasks; by default a new local Ray cluster, whose start-up is timed separately), on this
machine, checks that both wrote the same numbers (tools/diff_runs.py's comparison) and writes
D/overhead.json: the wall time of each, Ray's start-up, and the ratio ray / local.
"""
from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mixpath_bench.cli import add_config, add_work_dir, run_cli, tool_parser  # noqa: E402
from mixpath_bench.errors import ConfigError  # noqa: E402
from mixpath_bench.jsonio import save_json_atomic  # noqa: E402
from mixpath_bench.pipeline.diff import diff_runs  # noqa: E402
from mixpath_bench.pipeline.runner import Experiment  # noqa: E402
from mixpath_bench.pipeline.stage import STAGES  # noqa: E402
from mixpath_bench.provenance import provenance  # noqa: E402


def build_parser():
    p = tool_parser(__doc__)
    add_config(p, "experiment config (configs/experiment/*.py)")
    p.add_argument("--until", default="truth", choices=list(STAGES), help="the last stage to run (default: truth)")
    p.add_argument("--address", help="a running Ray cluster ('auto'); default: start a local one")
    add_work_dir(p, "work_dirs/executor_overhead")
    return p


def timed_run(config: str, work: Path, until: str, options: dict, executor: dict | None) -> float:
    if work.exists():
        shutil.rmtree(work)  # fresh: no stand-alone cache, no finished stage to reuse
    start = time.perf_counter()
    Experiment(config, work, options, executor=executor, log=lambda _: None).run(until=until)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        import ray
    except ImportError:
        raise ConfigError("this benchmark needs Ray: pip install 'mixpath-bench[ray]'") from None
    work = Path(args.work_dir or "work_dirs/executor_overhead")
    local = timed_run(args.config, work / "local", args.until, args.cfg_options, None)
    start = time.perf_counter()
    ray.init(address=args.address, include_dashboard=False, log_to_driver=False)
    startup = time.perf_counter() - start
    on_ray = timed_run(args.config, work / "ray", args.until, args.cfg_options,
                       {"type": "ray", **({"address": args.address} if args.address else {})})
    ray.shutdown()
    files, diffs = diff_runs(work / "local", work / "ray")
    out = {"config": args.config, "until": args.until, "local_seconds": local, "ray_seconds": on_ray,
           "ray_startup_seconds": startup, "ratio": on_ray / local, "ratio_with_startup": (on_ray + startup) / local,
           "result_files_compared": len(files), "differences": diffs, "ray_version": ray.__version__,
           "provenance": provenance({"config": args.config, "until": args.until, "address": args.address})}
    save_json_atomic(work / "overhead.json", out)
    print(f"local {local:.1f} s, ray {on_ray:.1f} s (+ {startup:.1f} s to start the cluster): ratio {out['ratio']:.3f} "
          f"({out['ratio_with_startup']:.3f} with the start); {len(files)} result files compared, "
          f"{len(diffs)} differences; wrote {work / 'overhead.json'}")
    return 0 if not diffs else 1


if __name__ == "__main__":
    run_cli(main)
