"""The local executor: jobs in order, progress with ETA, one line for a failing job, the config section."""
import os
import sys

import pytest

from mixpath_bench.errors import ConfigError, MissingDependencyError
from mixpath_bench.pipeline.executor import Job, JobFailed, LocalExecutor, RayExecutor, build_executor, threads_per_job


def square_in_worker(x: int) -> tuple[int, int, str]:
    """x^2, this process's pid and its OMP_NUM_THREADS (what run_job set)."""
    return x * x, os.getpid(), os.environ.get("OMP_NUM_THREADS", "")


@pytest.mark.parametrize("workers", [1, 2])
def test_results_in_job_order_with_progress(workers):
    lines = []
    ex = LocalExecutor(workers, "cpu")
    jobs = [Job(f"square {x}", square_in_worker, (x,), ex.threads) for x in range(5)]
    out = ex.run(jobs, "demo", lines.append)
    assert [r[0] for r in out] == [0, 1, 4, 9, 16]
    assert len(lines) == 5 and lines[-1].startswith("demo: 5/5 ") and "left" in lines[0]
    pids = {r[1] for r in out}
    if workers == 1:  # in the driver, threads as they are
        assert pids == {os.getpid()}
    else:  # worker processes with their share of the cores
        assert os.getpid() not in pids and {r[2] for r in out} == {str(threads_per_job(2))}


@pytest.mark.parametrize("workers", [1, 2])
def test_a_failing_job_is_one_line_naming_job_arguments_and_log(workers, tmp_path):
    ex = LocalExecutor(workers, "cpu")
    jobs = [Job("fine", square_in_worker, (3,)),
            Job("size of a missing file", os.path.getsize, (str(tmp_path / "nope.bin"),), log=str(tmp_path / "job.log"))]
    with pytest.raises(JobFailed) as info:
        ex.run(jobs, "demo", lambda _: None)
    msg = str(info.value)
    assert "\n" not in msg and msg.startswith("job 'size of a missing file' failed: ")
    assert "nope.bin" in msg and f"log {tmp_path / 'job.log'}" in msg


def test_threads_follow_workers():
    assert threads_per_job(1) == (os.cpu_count() or 1)
    assert threads_per_job(10**6) == 1
    assert RayExecutor(workers=2).threads == LocalExecutor(2).threads  # same share wherever a job runs


def test_executor_section_is_checked():
    assert isinstance(build_executor(None, 2, "cpu"), LocalExecutor)
    assert isinstance(build_executor({"type": "ray", "address": "auto"}), RayExecutor)
    with pytest.raises(ConfigError, match="^executor.type must be one of local, ray, got 'slurm'$"):
        build_executor({"type": "slurm"})
    with pytest.raises(ConfigError, match=r"^executor: unknown key\(s\) adress for type 'ray'; allowed: address, max_retries$"):
        build_executor({"type": "ray", "adress": "auto"})
    with pytest.raises(ConfigError, match="max_retries must be an integer >= 0"):
        build_executor({"type": "ray", "max_retries": -1})
    with pytest.raises(ConfigError, match="address must be a string"):
        build_executor({"type": "ray", "address": 5})


def test_ray_missing_is_one_line(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray fails
    with pytest.raises(MissingDependencyError, match=r"pip install 'mixpath-bench\[ray\]'"):
        RayExecutor().run([Job("x", square_in_worker, (1,))], "demo")


def test_experiment_cli_executor_flags(tmp_path):
    import subprocess

    from ..conftest import ROOT

    proc = subprocess.run([sys.executable, str(ROOT / "tools/experiment.py"), str(ROOT / "configs/experiment/demo.py"),
                           "--address", "auto", "--work-dir", str(tmp_path)], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2 and "--address goes with --executor ray" in proc.stderr
    proc = subprocess.run([sys.executable, str(ROOT / "tools/experiment.py"), str(ROOT / "configs/experiment/demo.py"),
                           "--cfg-options", "executor.type=slurm", "--work-dir", str(tmp_path)],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2 and "executor.type must be one of local, ray" in proc.stderr
    assert not (tmp_path / "truth").exists()


def test_a_new_backend_is_its_class_and_one_entry(monkeypatch):
    """A toy backend registered at run time is built from an experiment's executor section, its options
    checked, with no other edit (the experiment tool's --executor choices read the same table)."""
    from mixpath_bench.errors import ConfigError
    from mixpath_bench.pipeline import executor as ex

    class Serial:
        name, threads = "serial", 1

        def __init__(self, note):
            self.note = note

        def run(self, jobs, what, log):
            return [ex.run_job(j) for j in jobs]

    monkeypatch.setitem(ex.EXECUTORS, "serial", (("note",), lambda options, workers, device: Serial(**options)))
    built = ex.build_executor({"type": "serial", "note": "x"})
    assert isinstance(built, Serial) and built.note == "x"
    assert built.run([ex.Job("sum", sum, ([1, 2],))], "t", print) == [3]
    with pytest.raises(ConfigError, match="unknown key\\(s\\) address for type 'serial'"):
        ex.build_executor({"type": "serial", "address": "auto"})
