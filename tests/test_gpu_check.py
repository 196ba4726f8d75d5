"""tools/gpu_check.py (`mixpath_bench.pipeline.gpu_check`): its parts' time limits, its summaries, its parts
from the table of spaces, and its CPU dry run."""
import importlib.util
import json
import os
import subprocess
import sys
import time

import numpy as np
import pytest
from scipy import stats

from .conftest import ROOT

from mixpath_bench.pipeline import gpu_check

spec = importlib.util.spec_from_file_location("gpu_check_tool", ROOT / "tools/gpu_check.py")
gpu_check_tool = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gpu_check_tool)


def test_a_part_past_its_limit_is_killed_with_its_children(tmp_path):
    pid_file = tmp_path / "grandchild"
    code = ("import subprocess, sys, time; "
            "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); "
            f"open({str(pid_file)!r}, 'w').write(str(p.pid)); time.sleep(60)")
    start = time.perf_counter()
    result = gpu_check.run_part("hang", [sys.executable, "-c", code], 3, dict(os.environ), tmp_path / "hang.log")
    assert result["status"] == "timeout" and result["returncode"] is None
    assert time.perf_counter() - start < 20
    grandchild = int(pid_file.read_text())
    time.sleep(0.2)
    try:  # gone, or a zombie waiting for its reaper
        state = (next(line for line in open(f"/proc/{grandchild}/status") if line.startswith("State:")))
        assert "Z" in state
    except (FileNotFoundError, StopIteration):
        pass
    ok = gpu_check.run_part("ok", [sys.executable, "-c", "print('hi')"], 30, dict(os.environ), tmp_path / "ok.log")
    assert ok["status"] == "ok" and "hi" in (tmp_path / "ok.log").read_text()


def test_benchmark_and_pytest_summaries(tmp_path):
    row = {"images_per_s": 300.0, "peak_mem_mib": 512.0, "achieved_tflops": 1.5, "seconds": 1.0, "steps": 3}
    data = {"training": {"S1": {"plain fp32": row, "reference fp32": dict(row, images_per_s=100.0),
                                "madds_per_image": 9e8}},
            "evaluation": {"candidates": 3, "calibration_images": 5000, "validation_images": 5000,
                           "reference_approach": {"seconds_per_candidate": 2.0, "peak_mem_mib": None},
                           "ours_plain": {"seconds_per_candidate": 1.0, "peak_mem_mib": None},
                           "ours_fast": {"seconds_per_candidate": 0.25, "peak_mem_mib": None}},
            "data": {"S1": "synthetic 32x32x3"}}
    summary = gpu_check.benchmark_summary(data)
    assert summary["S1"]["rows"]["plain fp32"]["x_reference"] == 3.0
    assert summary["evaluation"]["ours_fast"]["x_reference_approach"] == 8.0
    assert summary["evaluation"]["images"]["timed_candidates"] == 2
    (tmp_path / "r.xml").write_text(
        '<testsuites><testsuite tests="3" failures="1" errors="0" skipped="1">'
        '<testcase classname="tests.gpu.a" name="t1" time="1.5"/>'
        '<testcase classname="tests.gpu.a" name="t2" time="0.1"><failure message="boom"/></testcase>'
        '<testcase classname="tests.gpu.a" name="t3" time="0"><skipped message="needs a CUDA GPU"/></testcase>'
        '</testsuite></testsuites>')
    result = gpu_check.pytest_summary(tmp_path / "r.xml")
    assert (result["tests"], result["failures"], result["skipped"]) == (3, 1, 1)
    assert result["cases"]["tests.gpu.a::t2"] == {"outcome": "failure", "seconds": 0.1, "detail": "boom"}


@pytest.mark.slow
def test_cpu_dry_run_writes_one_json(tmp_path):
    """The dry run of the GPU tests and the bf16-vs-fp32 quality part (the benchmark parts run
    tools/benchmark.py, tested in tests/engine/test_fast_path.py; the whole dry run is recorded in
    docs/benchmarks/gpu_check_cpu_dry_run.json)."""
    out = tmp_path / "out"
    cmd = [sys.executable, str(ROOT / "tools/gpu_check.py"), "--device", "cpu", "--quick", "--out", str(out),
           "--work-dir", str(tmp_path / "work"), "--parts", "gpu_tests", "quality"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    report = json.loads((out / "gpu_check.json").read_text())
    assert report["mode"] == "quick" and report["device_type"] == "cpu" and report["torch"]
    assert report["git_commit"] and report["provenance"]["packages"]["torch"]
    tests = report["parts"]["gpu_tests"]
    assert tests["status"] == "ok" and tests["tests"] >= 8 and tests["skipped"] == tests["tests"]  # no CUDA here
    quality = report["parts"]["quality"]["results"]
    assert set(quality["mean_acc"]) == {"fp32", "bf16", "fp32_seed1"}
    scores = json.loads((out / "quality.json").read_text())["scores"]  # recomputed from the written scores
    for name in ("fp32", "bf16", "fp32_seed1"):
        assert quality["mean_acc"][name] == pytest.approx(float(np.mean(scores[name])))
    expected = stats.kendalltau(scores["bf16"], scores["fp32"]).statistic  # NaN: constant scores (one tiny epoch)
    tau = quality["kendall_tau_vs_fp32"]["bf16"]
    assert tau is None if np.isnan(expected) else tau == pytest.approx(expected)
    assert "[" in (out / "gpu_check.log").read_text() and (out / "logs" / "quality.log").is_file()
