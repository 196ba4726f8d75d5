"""One writer per work dir: a second train.py / darts.py stops with one line; a dead holder's lock is taken over."""
import errno
import os
import signal
import socket
import subprocess
import sys
import time

import pytest
import torch

from mixpath_bench.engine import lock as lock_module
from mixpath_bench.engine.lock import WorkDirBusy, lock_work_dir

from ..conftest import ROOT
from .helpers import SUPERNET_CONFIG, TINY, assert_one_line_error, run_tool

HOLD = ("import sys, time; from mixpath_bench.engine.lock import lock_work_dir; "
        "lock = lock_work_dir(sys.argv[1], purpose='test'); print('held', flush=True); time.sleep(600)")


def wait_for(predicate, seconds=300):
    deadline = time.time() + seconds
    while time.time() < deadline and not predicate():
        time.sleep(0.05)
    return predicate()


def test_second_holder_is_refused_and_a_killed_holder_leaves_no_lock(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path)], cwd=ROOT, stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        expected = f"in use by pid {holder.pid} on {socket.gethostname()} since .* \\(test\\)"
        with pytest.raises(WorkDirBusy, match=expected):
            lock_work_dir(tmp_path)
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
    with lock_work_dir(tmp_path):  # the kernel dropped the dead holder's lock
        pass


def test_without_flock_a_dead_pid_is_taken_over_and_a_live_one_is_not(tmp_path, monkeypatch):
    def no_flock(fd, op):
        raise OSError(errno.ENOLCK, "no locks on this file system")

    monkeypatch.setattr(lock_module.fcntl, "flock", no_flock)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    record = '{"pid": %d, "host": "%s", "started": "then"}\n'
    (tmp_path / ".lock").write_text(record % (dead.pid, socket.gethostname()))
    lock_work_dir(tmp_path).release()  # stale: taken over
    (tmp_path / ".lock").write_text(record % (os.getppid(), socket.gethostname()))
    with pytest.raises(WorkDirBusy, match=f"pid {os.getppid()}"):
        lock_work_dir(tmp_path)


def test_concurrent_train_runs_into_one_work_dir(tmp_path):
    work = tmp_path / "w"
    first = subprocess.Popen([sys.executable, str(ROOT / "tools/train.py"), SUPERNET_CONFIG, "--work-dir", str(work),
                              "--epochs", "3", "--cfg-options", *TINY], cwd=ROOT, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
    lock_file = work / ".lock"
    try:
        assert wait_for(lambda: lock_file.exists() and f'"pid": {first.pid}' in lock_file.read_text())
        os.kill(first.pid, signal.SIGSTOP)  # paused while holding the lock: the second run surely overlaps
        second = run_tool("train.py", SUPERNET_CONFIG, "--work-dir", work, "--epochs", "3", "--cfg-options", *TINY)
        os.kill(first.pid, signal.SIGCONT)
        assert_one_line_error(second, f"is in use by pid {first.pid} on {socket.gethostname()}")
        assert first.wait(600) == 0, first.stderr.read()[-3000:]
    finally:
        if first.poll() is None:
            os.kill(first.pid, signal.SIGCONT)
            first.kill()
    names = {torch.load(work / f"epoch_{e}.pth", weights_only=True)["meta"]["experiment_name"] for e in (1, 2, 3)}
    assert len(names) == 1  # every checkpoint from the one run that held the lock
    assert not list(work.glob(".*.tmp"))  # atomic saves leave no temporary files


def test_darts_into_a_locked_work_dir_is_refused(tmp_path):
    with lock_work_dir(tmp_path, purpose="train"):
        proc = run_tool("darts.py", ROOT / "configs/darts/s4_mnist5k.py", "--work-dir", tmp_path,
                        "--cfg-options", "searchers.darts.epochs=1")
    assert_one_line_error(proc, f"is in use by pid {os.getpid()}")
    assert not (tmp_path / "darts.json").exists()
