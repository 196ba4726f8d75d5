"""The experiment's jobs on Ray: a two-node cluster on this machine (two raylets with one CPU each,
on the loopback address), the same result files as local processes, a worker killed mid-job, and
a failing job's one line."""
import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest

ray = pytest.importorskip("ray")

from mixpath_bench.pipeline.diff import diff_runs  # noqa: E402
from mixpath_bench.pipeline.executor import Job, JobFailed, RayExecutor  # noqa: E402

from ..conftest import ROOT  # noqa: E402

SUPERNET = """_base_ = '{root}/configs/supernet/s4_nb101_mnist5k.py'
model = dict(network=dict(stem_channels=8), data_preprocessor=dict(mean=[120.0], std=[90.0], crop_padding=1))
train_dataloader = dict(batch_size=64, dataset=dict(name='digits', size=8))
val_dataloader = dict(dataset=dict(name='digits', size=8))
train_cfg = dict(max_epochs=1, val_interval=1)
param_scheduler = dict(T_max=1)
"""
EXPERIMENT = """supernet_config = '{d}/supernet.py'
device = 'cpu'
workers = 2
ground_truth = dict(seeds=[0, 1], max_archs=3, recipe=dict(epochs=1, batch_size=64))
supernets = dict(seeds=[0])
ranking = dict(calib_batches=1, calib_batch_size=128, n_boot=50, top_k=2, baselines=['params', 'madds'])
"""


@pytest.fixture(scope="module")
def cluster():
    from ray.cluster_utils import Cluster

    assert os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] == "0"  # tests/conftest.py: loopback addresses only
    c = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False})
    c.add_node(num_cpus=1)
    ray.init(address=c.address, include_dashboard=False)
    try:
        yield c
    finally:
        ray.shutdown()
        c.shutdown()


def configs(tmp_path: Path) -> Path:
    (tmp_path / "supernet.py").write_text(SUPERNET.format(root=ROOT))
    (tmp_path / "exp.py").write_text(EXPERIMENT.format(d=tmp_path))
    return tmp_path / "exp.py"


def test_the_experiment_on_two_ray_nodes_equals_local_processes(cluster, tmp_path):
    from mixpath_bench.pipeline.runner import Experiment

    exp = configs(tmp_path)
    local = Experiment(exp, tmp_path / "local", log=lambda _: None)
    local.run(until="ranking")
    lines = []
    on_ray = Experiment(exp, tmp_path / "ray", log=lines.append, executor={"type": "ray", "address": cluster.address})
    on_ray.run(until="ranking")
    nodes = on_ray.ctx.executor.nodes
    # 6 stand-alone runs, 2 supernets, 2 scorings: every job ran once, on both nodes
    assert len(nodes) == len({name for name, _ in nodes}) == 10 and len({node for _, node in nodes}) == 2, nodes
    assert cluster.address.startswith("127.0.0.1:")
    assert any(line.startswith("truth: 6 job(s) on ") for line in lines)
    files, diffs = diff_runs(tmp_path / "local", tmp_path / "ray")
    assert {"truth/truth.json", "ranking/rank.json", "ranking/metrics.json"} <= set(files)
    assert diffs == []


def find_worker(name: str) -> int | None:
    """pid of the Ray worker whose process title names the running task `name`."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if f"ray::{name}" in (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode():
                    return int(entry.name)
            except OSError:
                continue
    return None


def test_a_worker_killed_mid_job_is_retried_and_ends_identical(cluster, tmp_path):
    from mmengine.config import Config

    from mixpath_bench.bench.truth import train_one

    (tmp_path / "supernet.py").write_text(SUPERNET.format(root=ROOT))
    cfg = Config.fromfile(str(tmp_path / "supernet.py")).to_dict()
    recipe = {"epochs": 6, "batch_size": 32, "lr": 0.05, "momentum": 0.9, "weight_decay": 3e-4, "grad_clip": 5.0}
    request = {"supernet": cfg, "recipe": recipe, "seeds": [0], "metric": "val_acc", "holdout": 0.0,
               "cache_dir": str(tmp_path / "killed"), "device": "cpu"}
    args = (request, "S4:2210", 0)
    killed = []

    def killer():
        deadline = time.time() + 120
        while time.time() < deadline and not killed:
            pid = find_worker("victim")
            if pid:
                time.sleep(1.0)  # well inside the training
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            time.sleep(0.05)

    thread = threading.Thread(target=killer)
    thread.start()
    lines = []
    whole = Job("uninterrupted", train_one, (dict(request, cache_dir=str(tmp_path / "whole")), *args[1:]))  # same threads
    result, uninterrupted = RayExecutor(address=cluster.address, max_retries=2).run(
        [Job("victim", train_one, args), whole], "truth", lines.append)
    thread.join()
    assert killed, "the job ended before its worker could be killed"
    assert {k: v for k, v in result.items() if k != "seconds"} == \
        {k: v for k, v in uninterrupted.items() if k != "seconds"}
    cached = list((tmp_path / "killed").rglob("*-seed0.json"))
    assert len(cached) == 1 and json.loads(cached[0].read_text())["val_acc"] == uninterrupted["val_acc"]


def test_a_failing_ray_job_is_one_line(cluster, tmp_path):
    jobs = [Job("size of a missing file", os.path.getsize, (str(tmp_path / "nope.bin"),), log=str(tmp_path / "j.log"))]
    with pytest.raises(JobFailed) as info:
        RayExecutor(address=cluster.address).run(jobs, "demo", lambda _: None)
    msg = str(info.value)
    assert "\n" not in msg and msg.startswith("job 'size of a missing file' failed: ")
    assert "No such file or directory" in msg and "nope.bin" in msg and f"log {tmp_path / 'j.log'}" in msg


def test_executor_overhead_tool_on_a_tiny_truth_stage(cluster, tmp_path):
    import subprocess
    import sys

    exp = configs(tmp_path)
    proc = subprocess.run([sys.executable, str(ROOT / "tools/executor_overhead.py"), str(exp), "--until", "truth",
                           "--address", cluster.address, "--work-dir", str(tmp_path / "o")],
                          capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    out = json.loads((tmp_path / "o" / "overhead.json").read_text())
    assert out["differences"] == [] and out["result_files_compared"] == 2  # truth.json, truth_table.json
    assert out["ratio"] == pytest.approx(out["ray_seconds"] / out["local_seconds"])
    assert f"ratio {out['ratio']:.3f}" in proc.stdout
