"""Measured coverage of the ranking intervals: `python tools/interval_coverage.py [--noise 1.0 2.0 4.0]
[--trials 1000] [--n-boot 200] [--out FILE]`; with `--seed-noise X`, the coverage of the interval for a
claim about two methods (supernet seeds and networks resampled) when every supernet seed adds noise X.

Draws lists of 34 networks (K = 5) from a synthetic population with a known population value of
every ranking metric (`mixpath_bench.bench.coverage`), computes each metric's 95% interval and the
paired difference's as the ranking stage reports them, and writes how often each holds the
population value, per noise level of the scorer (more noise: lower Kendall tau).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mixpath_bench.bench.coverage import interval_coverage, method_coverage  # noqa: E402
from mixpath_bench.cli import run_cli, tool_parser  # noqa: E402
from mixpath_bench.errors import ConfigError  # noqa: E402
from mixpath_bench.jsonio import save_json_atomic  # noqa: E402
from mixpath_bench.provenance import provenance  # noqa: E402


def build_parser():
    p = tool_parser(__doc__)
    p.add_argument("--noise", type=float, nargs="+", default=[1.0, 2.0, 4.0],
                   help="standard deviation of the scorer's noise, in percentage points (default 1 2 4)")
    p.add_argument("--trials", type=int, default=1000, help="lists drawn per noise level (default 1000)")
    p.add_argument("--n-boot", type=int, default=200, help="bootstrap resamples per interval (default 200)")
    p.add_argument("--seed", type=int, default=0, help="seed of the population and the draws (default 0)")
    p.add_argument("--seed-noise", type=float, default=None,
                   help="measure the method interval instead: per-network noise each supernet seed adds (pp)")
    p.add_argument("--seeds", type=int, default=2, help="supernet seeds per method with --seed-noise (default 2)")
    p.add_argument("--out", default="work_dirs/interval_coverage.json", help="JSON file to write")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.trials < 10 or args.n_boot < 10 or any(not 0 < x < 100 for x in args.noise):
        raise ConfigError("--trials and --n-boot must be >= 10 and every --noise between 0 and 100")
    if args.seed_noise is not None:
        if not 0 < args.seed_noise < 100 or args.seeds < 2:
            raise ConfigError("--seed-noise must be between 0 and 100 and --seeds >= 2")
        runs = [method_coverage(noise=x, seed_noise=args.seed_noise, seeds=args.seeds, trials=args.trials,
                                n_boot=args.n_boot, seed=args.seed, log=print) for x in args.noise]
        for run in runs:
            print(f"noise {run['noise']}: Kendall tau {run['population_value_a']:.3f} on average, seed std "
                  f"{run['seed_std']:.3f}; method interval coverage {run['coverage']:.3f}, network-only "
                  f"{run['network_only_coverage']:.3f}")
        out = Path(args.out)
        save_json_atomic(out, {"runs": runs, "provenance": provenance(vars(args), "cpu")})
        print(f"wrote {out}")
        return 0
    runs = [interval_coverage(noise=x, trials=args.trials, n_boot=args.n_boot, seed=args.seed, log=print)
            for x in args.noise]
    for run in runs:
        print(f"noise {run['noise']}: Kendall tau {run['population_value']['kendall_tau']:.3f} on average; coverage "
              + ", ".join(f"{m} {c['value']:.3f} / diff {c['difference']:.3f}" for m, c in run["coverage"].items()))
    out = Path(args.out)
    save_json_atomic(out, {"runs": runs, "provenance": provenance(vars(args), "cpu")})
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    run_cli(main)
