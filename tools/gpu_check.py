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

It writes DIR/gpu_check.json (device, torch, git commit, each part's status and results) after
every part, DIR/gpu_check.log (progress with elapsed seconds) and DIR/logs/<part>.log.
`--device cpu --quick` is a dry run with tiny sizes (bf16 needs CUDA: the fast fp32 path stands in).
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUALITY_CONFIG = "configs/supernet/s4_nb101_mnist5k_12px.py"
# quick: scikit-learn's digits at 8x8 and one epoch instead of MNIST-5k at 12x12 and 30 epochs
QUICK_DATA = {"train_dataloader.dataset.name": "digits", "val_dataloader.dataset.name": "digits",
              "train_dataloader.dataset.size": 8, "val_dataloader.dataset.size": 8}
PART_NAMES = ("gpu_tests", "benchmark_s1", "benchmark_s4", "benchmark_eval", "quality")


class Progress:
    """Prints and logs lines prefixed with the seconds since the start."""

    def __init__(self, log_file: Path) -> None:
        self.start = time.perf_counter()
        self.file = log_file

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def __call__(self, message: str) -> None:
        line = f"[{self.elapsed():6.1f}s] {message}"
        print(line, flush=True)
        with self.file.open("a") as f:
            f.write(line + "\n")


def install_kit(kit: Path, site: Path, log: Progress) -> dict:
    """pip install the kit's wheels into `site` (no index, no dependencies) unless mmengine imports."""
    wheels = sorted(kit.glob("*.whl"))
    if importlib.util.find_spec("mmengine") is not None:
        return {"status": "skipped", "why": "mmengine is importable already", "wheels": len(wheels)}
    if not wheels:
        return {"status": "failed", "why": f"mmengine is missing and {kit} holds no wheels: run `make gpu-kit` "
                                           "where pip works and send .whl with the repository"}
    log(f"install: {len(wheels)} wheels from {kit} into {site}")
    cmd = [sys.executable, "-m", "pip", "install", "-q", "--no-index", "--no-deps", "--no-compile",
           "--no-cache-dir", "--upgrade", "--target", str(site), *map(str, wheels)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    if proc.returncode != 0:
        return {"status": "failed", "why": proc.stderr[-2000:], "wheels": len(wheels)}
    sys.path.insert(0, str(site))
    return {"status": "ok", "wheels": len(wheels), "site": str(site)}


def part_commands(args: argparse.Namespace, out: Path) -> dict[str, tuple[list[str], float, str | None]]:
    """name -> (command, time limit in seconds, the JSON file it writes)."""
    py, quick = sys.executable, args.quick
    reference = ["--reference", str(args.reference)] if (args.reference / "S1" / "model_search.py").is_file() else []
    bench = [py, "tools/benchmark.py", "--device", args.device, *reference]
    if quick:
        train = ["--batch", "4", "--steps", "1", "--warmup", "1", "--madds-samples", "1"]
        evaluation = ["--s1-config", "configs/supernet/s1_mnist5k.py", "--candidates", "2", "--calib-batches", "1"]
    else:
        train = ["--steps", "100", "--warmup", "30"]
        evaluation = ["--candidates", "10"]
    quality = [py, "tools/gpu_check.py", "--part", "quality", "--device", args.device, "--out", str(out),
               "--work-dir", str(args.work_dir)] + (["--quick"] if quick else [])
    return {
        "gpu_tests": ([py, "-m", "pytest", "tests/gpu", "-m", "gpu", "-q", "-rs", "-o", "timeout=100",
                       f"--junitxml={out / 'gpu_tests.xml'}"], 120, None),
        "benchmark_s1": (bench + ["--only", "s1", *train, "--out", str(out / "benchmark_s1.json")], 75,
                         "benchmark_s1.json"),
        "benchmark_s4": (bench + ["--only", "s4", *train, "--out", str(out / "benchmark_s4.json")], 75,
                         "benchmark_s4.json"),
        "benchmark_eval": ([py, "tools/benchmark.py", "--device", args.device, "--only", "eval", *evaluation,
                            "--out", str(out / "benchmark_eval.json")], 75, "benchmark_eval.json"),
        "quality": (quality, 120, "quality.json"),
    }


def run_part(name: str, cmd: list[str], limit: float, env: dict, log_file: Path) -> dict:
    """Run `cmd` in its own process group; kill the whole group at `limit` seconds."""
    start = time.perf_counter()
    with log_file.open("w") as f:
        f.write("$ " + " ".join(cmd) + "\n")
        f.flush()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=f, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            code = proc.wait(timeout=limit)
            status = "ok" if code == 0 else "failed"
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            code, status = None, "timeout"
    return {"status": status, "returncode": code, "seconds": round(time.perf_counter() - start, 1),
            "limit_s": round(limit, 1), "log": f"logs/{log_file.name}"}


def pytest_summary(xml_file: Path) -> dict:
    """Counts and each test's outcome from pytest's JUnit XML."""
    if not xml_file.is_file():
        return {}
    suite = ElementTree.parse(xml_file).getroot()
    suite = suite.find("testsuite") if suite.tag == "testsuites" else suite
    tests = {}
    for case in suite.iter("testcase"):
        outcome, detail = "passed", None
        for tag in ("failure", "error", "skipped"):
            node = case.find(tag)
            if node is not None:
                outcome, detail = tag, (node.get("message") or "")[:300]
        tests[f"{case.get('classname')}::{case.get('name')}"] = {"outcome": outcome, "seconds": float(case.get("time", 0)),
                                                                  **({"detail": detail} if detail else {})}
    return {"tests": int(suite.get("tests", 0)), "failures": int(suite.get("failures", 0)),
            "errors": int(suite.get("errors", 0)), "skipped": int(suite.get("skipped", 0)), "cases": tests}


def benchmark_summary(data: dict) -> dict:
    """images/s, ratios to the reference, peak memory and TFLOP/s of a tools/benchmark.py JSON."""
    summary = {}
    for space, entry in (data.get("training") or {}).items():
        ref = (entry.get("reference fp32") or {}).get("images_per_s")
        rows = {}
        for name, r in entry.items():
            if isinstance(r, dict) and "images_per_s" in r:
                rows[name] = {"images_per_s": round(r["images_per_s"], 1), "peak_mem_mib": r["peak_mem_mib"],
                              "achieved_tflops": r.get("achieved_tflops"),
                              "x_reference": round(r["images_per_s"] / ref, 3) if ref else None}
        summary[space] = {"madds_per_image": entry.get("madds_per_image"), "data": data.get("data", {}).get(space),
                          "rows": rows}
    evaluation = data.get("evaluation")
    if evaluation:
        ref = evaluation["reference_approach"]["seconds_per_candidate"]
        summary["evaluation"] = {
            name: {"seconds_per_candidate": evaluation[name]["seconds_per_candidate"],
                   "peak_mem_mib": evaluation[name]["peak_mem_mib"],
                   "x_reference_approach": round(ref / evaluation[name]["seconds_per_candidate"], 3)}
            for name in ("reference_approach", "ours_plain", "ours_fast")}
        summary["evaluation"]["images"] = {"calibration": evaluation["calibration_images"],
                                           "validation": evaluation["validation_images"],
                                           "timed_candidates": evaluation["candidates"] - 1}
    return summary


def header(args: argparse.Namespace) -> dict:
    import torch

    from mixpath_bench.provenance import device_name, git_commit

    device = "cuda" if args.device in ("auto", "cuda") and torch.cuda.is_available() else "cpu"
    ref_commit = args.reference / "COMMIT"
    return {"command": " ".join([Path(sys.executable).name, *sys.argv]), "mode": "quick" if args.quick else "full",
            "device": device_name(device), "device_type": device, "torch": torch.__version__, "cuda": torch.version.cuda,
            "git_commit": args.commit or git_commit(),
            "reference_commit": ref_commit.read_text().strip() if ref_commit.is_file() else None,
            "budget_s": args.budget}


def run_all(args: argparse.Namespace) -> int:
    out = Path(args.out)
    (out / "logs").mkdir(parents=True, exist_ok=True)
    log = Progress(out / "gpu_check.log")
    report = {**header(args), "parts": {}}
    log(f"gpu_check: {report['device']} torch {report['torch']} commit {report['git_commit']} -> {out}")
    report["kit"] = install_kit(args.kit, args.site, log)
    log(f"kit: {report['kit']['status']}")
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    paths = ([str(args.site)] if report["kit"]["status"] == "ok" else []) + [str(ROOT)]
    env["PYTHONPATH"] = os.pathsep.join(paths + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    commands = part_commands(args, out)
    for name in args.parts:
        cmd, limit, result_file = commands[name]
        left = args.budget - log.elapsed() - 5
        if left < 15:
            report["parts"][name] = {"status": "skipped", "why": "the overall budget is spent"}
            log(f"{name}: skipped, the overall budget is spent")
            continue
        limit *= 4 if args.quick else 1  # a dry run on a (shared) CPU: speeds vary
        log(f"{name}: start (limit {min(limit, left):.0f} s)")
        result = run_part(name, cmd, min(limit, left), env, out / "logs" / f"{name}.log")
        if name == "gpu_tests":
            result.update(pytest_summary(out / "gpu_tests.xml"))
        elif result_file and (out / result_file).is_file():
            data = json.loads((out / result_file).read_text())
            result["results"] = benchmark_summary(data) if name.startswith("benchmark") else data["summary"]
            result["file"] = result_file
        report["parts"][name] = result
        report["elapsed_s"] = round(log.elapsed(), 1)
        write_json(out / "gpu_check.json", report)
        log(f"{name}: {result['status']} in {result['seconds']} s" + part_note(result))
    from mixpath_bench.provenance import provenance

    report["provenance"] = provenance({"parts": list(args.parts), "quick": args.quick}, report["device_type"])
    report["elapsed_s"] = round(log.elapsed(), 1)
    write_json(out / "gpu_check.json", report)
    log(f"gpu_check: wrote {out / 'gpu_check.json'}")
    return 0 if all(p["status"] == "ok" for p in report["parts"].values()) else 1


def part_note(result: dict) -> str:
    if "tests" in result:
        passed = result["tests"] - result["failures"] - result["errors"] - result["skipped"]
        return f" ({passed} passed, {result['failures'] + result['errors']} failed, {result['skipped']} skipped)"
    return ""


def write_json(path: Path, data: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, default=str) + "\n")
    tmp.replace(path)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default=os.environ.get("OUT") or "work_dirs/gpu_check",
                   help="where the JSON and logs go (default $OUT, else work_dirs/gpu_check)")
    p.add_argument("--device", default="auto", choices=["auto", "cuda", "cpu"])
    p.add_argument("--quick", action="store_true", help="tiny sizes: the CPU dry run")
    p.add_argument("--parts", nargs="+", choices=PART_NAMES, default=list(PART_NAMES))
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
    args = p.parse_args()
    args.budget = args.budget or (1800.0 if args.quick else 480.0)
    if args.part == "quality":
        run_quality(args.device, args.quick, Path(args.out), args.work_dir)
        return 0
    return run_all(args)


def quality_variants(cuda: bool) -> dict[str, dict]:
    """fp32 as `make demo` trains and scores; bf16 = the fast path with autocast; fp32, seed 1."""
    bf16 = ({"flags": ["--fast", "--amp"], "evaluator": {"amp": True, "channels_last": True}} if cuda else
            {"flags": ["--fast"], "evaluator": {}, "note": "CPU dry run: the fast fp32 path, bf16 needs CUDA"})
    return {"fp32": {"flags": [], "evaluator": {}},
            "bf16": bf16,
            "fp32_seed1": {"flags": [], "options": ["randomness.seed=1", "model.seed=1"], "evaluator": {}}}


def train_variants(variants: dict, options: list[str], epochs: list[str], out: Path, work: Path,
                   concurrent: bool) -> None:
    """The variants' trainings as tools/train.py processes, concurrent on a GPU (far from busy with
    one such small supernet), one after another on a CPU."""
    procs = {}
    for name, v in variants.items():
        cmd = [sys.executable, "tools/train.py", QUALITY_CONFIG, "--work-dir", str(work / name), *epochs,
               *v["flags"], "--cfg-options", *options, *v.get("options", [])]
        log_file = (out / "logs" / f"quality_{name}.log").open("w")
        log_file.write("$ " + " ".join(cmd) + "\n")
        log_file.flush()
        procs[name] = (subprocess.Popen(cmd, cwd=ROOT, stdout=log_file, stderr=subprocess.STDOUT), log_file)
        if not concurrent:
            procs[name][0].wait()
    failed = []
    for name, (proc, log_file) in procs.items():
        if proc.wait() != 0:
            failed.append(name)
        log_file.close()
    if failed:
        raise SystemExit(f"quality: training failed for {failed}; see {out / 'logs'}")


def finite(value: float) -> float | None:
    """None for NaN (a rank correlation with a constant list), so the JSON stays standard."""
    return None if value != value else value


def run_quality(device: str, quick: bool, out: Path, work: Path) -> dict:
    """Train the three variants, score the 34 unique S4 cells with each (quick: 6 of them, calibration
    on one batch), compare the score lists."""
    import shutil

    import numpy as np
    import torch

    from mixpath_bench.bench.evaluator import build_evaluator
    from mixpath_bench.bench.ranking import kendall_tau, spearman_rho
    from mixpath_bench.engine.config import load_config
    from mixpath_bench.provenance import provenance
    from mixpath_bench.spaces import s4_canonical, s4_unique_archs

    cuda = device in ("auto", "cuda") and torch.cuda.is_available()
    dev = "cuda" if cuda else "cpu"
    variants = quality_variants(cuda)
    data = QUICK_DATA if quick else {}
    options = [f"{k}={v}" for k, v in data.items()]
    shutil.rmtree(work, ignore_errors=True)
    (out / "logs").mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    train_variants(variants, options, ["--epochs", "1"] if quick else [], out, work, concurrent=cuda)
    train_seconds = time.perf_counter() - start
    cfg = load_config(ROOT / QUALITY_CONFIG, dict(data))
    archs = sorted({s4_canonical(group[0]) for group in s4_unique_archs(4).values()})
    if quick:
        archs = archs[::6]  # 6 of the 34
    scores, costs = {}, None
    for name, v in variants.items():
        checkpoint = (work / name / "last_checkpoint").read_text().strip()
        ev = build_evaluator(cfg, checkpoint, calib_batches=1 if quick else 8, device=dev, with_uncalibrated=False,
                             **v["evaluator"])
        if costs is not None:
            ev._costs = costs  # same network, same multiply-adds: counted once (fvcore)
        scores[name] = [ev.score(a).acc for a in archs]
        costs = ev._costs
    fp32 = scores["fp32"]
    summary = {
        "archs": len(archs),
        "mean_acc": {k: float(np.mean(v)) for k, v in scores.items()},
        "best_acc": {k: float(np.max(v)) for k, v in scores.items()},
        "kendall_tau_vs_fp32": {k: finite(kendall_tau(v, fp32)) for k, v in scores.items() if k != "fp32"},
        "spearman_vs_fp32": {k: finite(spearman_rho(v, fp32)) for k, v in scores.items() if k != "fp32"},
        "kendall_tau_bf16_vs_fp32_seed1": finite(kendall_tau(scores["bf16"], scores["fp32_seed1"])),
        "max_abs_diff_bf16_vs_fp32": float(np.max(np.abs(np.subtract(scores["bf16"], fp32)))),
        "train_seconds": round(train_seconds, 1), "trained_concurrently": cuda,
    }
    result = {"summary": summary, "variants": variants, "config": QUALITY_CONFIG, "cfg_options": options,
              "epochs": 1 if quick else int(cfg.train_cfg.max_epochs), "device": dev,
              "archs": [a.to_string() for a in archs], "scores": scores,
              "provenance": provenance({"quick": quick, "variants": variants}, dev)}
    write_json(out / "quality.json", result)
    print(json.dumps(summary, indent=1))
    return result


if __name__ == "__main__":
    sys.exit(main())
