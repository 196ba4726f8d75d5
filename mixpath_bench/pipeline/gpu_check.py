"""The GPU check behind `tools/gpu_check.py`: each part a command in its own process group under its
own time limit, inside one overall budget; one JSON rewritten after every part.

Parts: ``gpu_tests`` (pytest -m gpu tests/gpu), ``benchmark_<case>`` for each space the benchmark
times (`mixpath_bench.bench.reference.benchmark_cases`: a space of the table with a reference
supernet), ``benchmark_eval`` (seconds per candidate evaluation) and ``quality`` (bf16 vs fp32 on
the `make demo` S4 supernet, `run_quality`).  Importing this module needs neither torch nor
mmengine: on a bare machine it first installs the wheels of `make gpu-kit` (`install_kit`).
"""
from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path

from ..bench.reference import EVALUATION_SPACE, REFERENCE_SUPERNETS, benchmark_cases, case_key
from ..jsonio import save_json_atomic
from ..progress import tee_log

QUALITY_CONFIG = "configs/supernet/s4_nb101_mnist5k_12px.py"
# quick: scikit-learn's digits at 8x8 and one epoch instead of MNIST-5k at 12x12 and 30 epochs
QUICK_DATA = {"train_dataloader.dataset.name": "digits", "val_dataloader.dataset.name": "digits",
              "train_dataloader.dataset.size": 8, "val_dataloader.dataset.size": 8}


def part_names() -> tuple[str, ...]:
    """The parts in the order they run: one benchmark part per benchmark case."""
    cases = tuple(f"benchmark_{case_key(space)}" for space in benchmark_cases())
    return ("gpu_tests", *cases, "benchmark_eval", "quality")


@dataclass(frozen=True)
class GpuCheckSettings:
    """What `run_gpu_check` runs, where from and where to."""

    root: Path  #: the repository (the parts run its tools/ and tests/)
    out: Path  #: the JSON, the logs
    device: str = "auto"  #: auto, cuda or cpu
    quick: bool = False  #: tiny sizes: the CPU dry run
    parts: tuple[str, ...] = ()  #: empty: every part
    budget: float = 480.0  #: overall seconds
    kit: Path = Path(".whl")  #: the wheels of `make gpu-kit`
    site: Path = Path("/tmp/site")  #: where the wheels are installed
    reference: Path = Path(".reference/MixPath")  #: a checkout of github.com/xiaomi-automl/MixPath
    commit: str | None = None  #: the commit under test, where the copy has no .git
    work_dir: Path = Path("/tmp/gpu_check_work")  #: the quality part's checkpoints


class ElapsedLog:
    """Prints lines prefixed with the seconds since the start; each also goes to a log file (`tee_log`)."""

    def __init__(self, log_file: Path) -> None:
        self.start = time.perf_counter()
        self._log = tee_log(lambda line: print(line, flush=True), log_file)

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def __call__(self, message: str) -> None:
        self._log(f"[{self.elapsed():6.1f}s] {message}")


def install_kit(kit: Path, site: Path, log) -> dict:
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


def part_commands(settings: GpuCheckSettings) -> dict[str, tuple[list[str], float, str | None]]:
    """name -> (command, time limit in seconds, the JSON file it writes)."""
    py, quick, out = sys.executable, settings.quick, settings.out
    cases = benchmark_cases()
    full_checkout = all((settings.reference / REFERENCE_SUPERNETS[space].file).is_file() for space in cases)
    bench = [py, "tools/benchmark.py", "--device", settings.device,
             *(["--reference", str(settings.reference)] if full_checkout else [])]
    if quick:
        train = ["--batch", "4", "--steps", "1", "--warmup", "1", "--madds-samples", "1"]
        evaluation = [f"--{case_key(EVALUATION_SPACE)}-config", REFERENCE_SUPERNETS[EVALUATION_SPACE].small_config,
                      "--candidates", "2", "--calib-batches", "1"]
    else:
        train = ["--steps", "100", "--warmup", "30"]
        evaluation = ["--candidates", "10"]
    quality = [py, "tools/gpu_check.py", "--part", "quality", "--device", settings.device, "--out", str(out),
               "--work-dir", str(settings.work_dir)] + (["--quick"] if quick else [])
    commands = {"gpu_tests": ([py, "-m", "pytest", "tests/gpu", "-m", "gpu", "-q", "-rs", "-o", "timeout=100",
                               f"--junitxml={out / 'gpu_tests.xml'}"], 120, None)}
    for key in map(case_key, cases):
        commands[f"benchmark_{key}"] = (bench + ["--only", key, *train, "--out", str(out / f"benchmark_{key}.json")],
                                        75, f"benchmark_{key}.json")
    commands["benchmark_eval"] = ([py, "tools/benchmark.py", "--device", settings.device, "--only", "eval",
                                   *evaluation, "--out", str(out / "benchmark_eval.json")], 75, "benchmark_eval.json")
    commands["quality"] = (quality, 120, "quality.json")
    return commands


def run_part(name: str, cmd: list[str], limit: float, env: dict, log_file: Path, cwd: Path | None = None) -> dict:
    """Run `cmd` in its own process group; kill the whole group at `limit` seconds."""
    start = time.perf_counter()
    with log_file.open("w") as f:
        f.write("$ " + " ".join(cmd) + "\n")
        f.flush()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=f, stderr=subprocess.STDOUT, start_new_session=True)
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


def header(settings: GpuCheckSettings, command: str) -> dict:
    """The report's first fields: the command, the device, torch, CUDA, the commits, the budget."""
    import torch

    from ..provenance import device_name, git_commit

    device = "cuda" if settings.device in ("auto", "cuda") and torch.cuda.is_available() else "cpu"
    ref_commit = settings.reference / "COMMIT"
    return {"command": command, "mode": "quick" if settings.quick else "full",
            "device": device_name(device), "device_type": device, "torch": torch.__version__, "cuda": torch.version.cuda,
            "git_commit": settings.commit or git_commit(),
            "reference_commit": ref_commit.read_text().strip() if ref_commit.is_file() else None,
            "budget_s": settings.budget}


def run_gpu_check(settings: GpuCheckSettings, command: str) -> int:
    """Every part of `settings.parts` (default all) in turn; 0 when all of them passed."""
    out = settings.out
    (out / "logs").mkdir(parents=True, exist_ok=True)
    log = ElapsedLog(out / "gpu_check.log")
    report = {**header(settings, command), "parts": {}}
    log(f"gpu_check: {report['device']} torch {report['torch']} commit {report['git_commit']} -> {out}")
    report["kit"] = install_kit(settings.kit, settings.site, log)
    log(f"kit: {report['kit']['status']}")
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    paths = ([str(settings.site)] if report["kit"]["status"] == "ok" else []) + [str(settings.root)]
    env["PYTHONPATH"] = os.pathsep.join(paths + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    commands = part_commands(settings)
    parts = settings.parts or part_names()
    for name in parts:
        left = settings.budget - log.elapsed() - 5
        if left < 15:
            report["parts"][name] = {"status": "skipped", "why": "the overall budget is spent"}
            log(f"{name}: skipped, the overall budget is spent")
            continue
        report["parts"][name] = run_one(name, commands[name], min(commands[name][1] * (4 if settings.quick else 1),
                                                                  left), env, settings, log)
        report["elapsed_s"] = round(log.elapsed(), 1)
        save_json_atomic(out / "gpu_check.json", report)
    from ..provenance import provenance

    report["provenance"] = provenance({"parts": list(parts), "quick": settings.quick}, report["device_type"])
    report["elapsed_s"] = round(log.elapsed(), 1)
    save_json_atomic(out / "gpu_check.json", report)
    log(f"gpu_check: wrote {out / 'gpu_check.json'}")
    return 0 if all(p["status"] == "ok" for p in report["parts"].values()) else 1


def run_one(name: str, command: tuple[list[str], float, str | None], limit: float, env: dict,
            settings: GpuCheckSettings, log: ElapsedLog) -> dict:
    """One part (a dry run's limit is 4x longer: a shared CPU's speeds vary), and its summary."""
    cmd, _, result_file = command
    out = settings.out
    log(f"{name}: start (limit {limit:.0f} s)")
    result = run_part(name, cmd, limit, env, out / "logs" / f"{name}.log", cwd=settings.root)
    if name == "gpu_tests":
        result.update(pytest_summary(out / "gpu_tests.xml"))
    elif result_file and (out / result_file).is_file():
        data = json.loads((out / result_file).read_text())
        result["results"] = benchmark_summary(data) if name.startswith("benchmark") else data["summary"]
        result["file"] = result_file
    log(f"{name}: {result['status']} in {result['seconds']} s" + part_note(result))
    return result


def part_note(result: dict) -> str:
    if "tests" in result:
        passed = result["tests"] - result["failures"] - result["errors"] - result["skipped"]
        return f" ({passed} passed, {result['failures'] + result['errors']} failed, {result['skipped']} skipped)"
    return ""


def quality_variants(cuda: bool) -> dict[str, dict]:
    """fp32 as `make demo` trains and scores; bf16 = the fast path with autocast; fp32, seed 1."""
    bf16 = ({"flags": ["--fast", "--amp"], "evaluator": {"amp": True, "channels_last": True}} if cuda else
            {"flags": ["--fast"], "evaluator": {}, "note": "CPU dry run: the fast fp32 path, bf16 needs CUDA"})
    return {"fp32": {"flags": [], "evaluator": {}},
            "bf16": bf16,
            "fp32_seed1": {"flags": [], "options": ["randomness.seed=1", "model.seed=1"], "evaluator": {}}}


def train_variants(root: Path, variants: dict, options: list[str], epochs: list[str], out: Path, work: Path,
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
        procs[name] = (subprocess.Popen(cmd, cwd=root, stdout=log_file, stderr=subprocess.STDOUT), log_file)
        if not concurrent:
            procs[name][0].wait()
    failed = []
    for name, (proc, log_file) in procs.items():
        if proc.wait() != 0:
            failed.append(name)
        log_file.close()
    if failed:
        raise SystemExit(f"quality: training failed for {failed}; see {out / 'logs'}")


def run_quality(root: Path, device: str, quick: bool, out: Path, work: Path) -> dict:
    """Train the three variants, score the 34 unique cells of the demo's S4 supernet with each (quick:
    6 of them, calibration on one batch), compare the score lists (`bench.quality`); writes quality.json."""
    import shutil

    import torch

    from ..bench.quality import quality_summary, score_checkpoints
    from ..engine.config import load_config
    from ..provenance import provenance

    cuda = device in ("auto", "cuda") and torch.cuda.is_available()
    dev = "cuda" if cuda else "cpu"
    variants = quality_variants(cuda)
    data = QUICK_DATA if quick else {}
    options = [f"{k}={v}" for k, v in data.items()]
    shutil.rmtree(work, ignore_errors=True)
    (out / "logs").mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    train_variants(root, variants, options, ["--epochs", "1"] if quick else [], out, work, concurrent=cuda)
    train_seconds = time.perf_counter() - start
    cfg = load_config(root / QUALITY_CONFIG, dict(data))
    checkpoints = {name: (work / name / "last_checkpoint").read_text().strip() for name in variants}
    archs, scores = score_checkpoints(cfg, checkpoints, {k: v["evaluator"] for k, v in variants.items()},
                                      1 if quick else 8, dev, every=6 if quick else 1)  # quick: 6 of the 34
    summary = {**quality_summary(scores), "train_seconds": round(train_seconds, 1), "trained_concurrently": cuda}
    result = {"summary": summary, "variants": variants, "config": QUALITY_CONFIG, "cfg_options": options,
              "epochs": 1 if quick else int(cfg.train_cfg.max_epochs), "device": dev,
              "archs": [a.to_string() for a in archs], "scores": scores,
              "provenance": provenance({"quick": quick, "variants": variants}, dev)}
    save_json_atomic(out / "quality.json", result)
    print(json.dumps(summary, indent=1))
    return result
