"""Everything GPU-only in one command: `python tools/gpu_check.py [--out DIR] [--device cpu --quick]`.

Made for a bare GPU machine without network that received this repository with the two ignored
folders of `make gpu-kit`: the wheels (.whl/) and the reference implementation (.reference/MixPath).
When mmengine is missing it installs the wheels into /tmp/site, then runs each part in its own
process group under its own time limit, inside one overall budget (8 minutes by default):

  gpu_tests       pytest -m gpu tests/gpu: bf16 AMP training, --fast == plain, the evaluator on CUDA
                  vs CPU, RetinaNet with and without the mmcv.ops stand-in, one-process NCCL DDP
  benchmark_s1    tools/benchmark.py: S1 supernet training images/s (plain, fast fp32, fast bf16,
  benchmark_s4    the reference's SuperNetwork), peak memory, achieved TFLOP/s; then S4
  benchmark_eval  seconds per candidate evaluation (reference approach, ours plain, ours fast)
  quality         bf16 vs fp32 on the embedded S4 demo supernet (the `make demo` scale): three
                  trainings (fp32, bf16 = --fast --amp, fp32 with another seed as the noise floor),
                  the 34 unique cells scored by each, Kendall tau between the score lists

The parts are `mixpath_bench.pipeline.gpu_check` (one benchmark part per space with a reference
supernet, `mixpath_bench.bench.reference`); the quality measure is `mixpath_bench.bench.quality`.
It writes DIR/gpu_check.json (device, torch, git commit, each part's status and results) after
every part, DIR/gpu_check.log (progress with elapsed seconds) and DIR/logs/<part>.log.
`--device cpu --quick` is a dry run with tiny sizes (bf16 needs CUDA: the fast fp32 path stands in).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# numpy-only imports: this runs on a bare machine before the kit installs mmengine
from mixpath_bench.pipeline.gpu_check import GpuCheckSettings, part_names, run_gpu_check, run_quality  # noqa: E402


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default=os.environ.get("OUT") or "work_dirs/gpu_check",
                   help="where the JSON and logs go (default $OUT, else work_dirs/gpu_check)")
    p.add_argument("--device", default="auto", choices=["auto", "cuda", "cpu"])
    p.add_argument("--quick", action="store_true", help="tiny sizes: the CPU dry run")
    p.add_argument("--parts", nargs="+", choices=part_names(), default=list(part_names()))
    p.add_argument("--budget", type=float, help="overall seconds (default 480, quick 1800); each part also has "
                                                 "its own limit")
    p.add_argument("--kit", type=Path, default=ROOT / ".whl", help="the wheels of `make gpu-kit`")
    p.add_argument("--site", type=Path, default=Path("/tmp/site"), help="where the wheels are installed")
    p.add_argument("--reference", type=Path, default=ROOT / ".reference/MixPath",
                   help="checkout of github.com/xiaomi-automl/MixPath (without it: no reference rows)")
    p.add_argument("--commit", help="the commit under test, where the machine has no .git")
    p.add_argument("--work-dir", type=Path, default=Path("/tmp/gpu_check_work"),
                   help="checkpoints of the quality part (kept out of --out)")
    p.add_argument("--part", choices=["quality"], help=argparse.SUPPRESS)  # one part, in a child process
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.part == "quality":
        run_quality(ROOT, args.device, args.quick, Path(args.out), args.work_dir)
        return 0
    settings = GpuCheckSettings(root=ROOT, out=Path(args.out), device=args.device, quick=args.quick,
                                parts=tuple(args.parts), budget=args.budget or (1800.0 if args.quick else 480.0),
                                kit=args.kit, site=args.site, reference=args.reference, commit=args.commit,
                                work_dir=args.work_dir)
    return run_gpu_check(settings, " ".join([Path(sys.executable).name, *sys.argv]))


if __name__ == "__main__":
    sys.exit(main())
