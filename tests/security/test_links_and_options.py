"""Writes into a work dir never follow a planted link, option text never becomes code, and a run that
the lock refuses changes nothing.  Each test first shows the hazard is real on the planted input."""
import errno
import json
import os
import subprocess
import sys

import pytest

from mixpath_bench import jsonio
from mixpath_bench.engine.lock import WorkDirBusy, lock_work_dir
from mixpath_bench.jsonio import WriteError, append_line, save_json_atomic, write_text_atomic
from mixpath_bench.progress import tee_log

from ..conftest import ROOT


@pytest.fixture
def outside(tmp_path):
    """A file outside the work dir that a planted link points at."""
    target = tmp_path / "outside.txt"
    target.write_text("precious\n")
    work = tmp_path / "work"
    work.mkdir()
    return work, target


def test_a_link_at_the_target_is_replaced_not_followed(outside):
    work, target = outside
    os.symlink(target, work / "rank.json")
    with open(work / "rank.json", "a") as fh:  # the hazard: a plain write goes through the link
        fh.write("")
    save_json_atomic(work / "rank.json", {"tau": 0.5})
    assert target.read_text() == "precious\n"
    assert not (work / "rank.json").is_symlink() and json.loads((work / "rank.json").read_text()) == {"tau": 0.5}


@pytest.mark.parametrize("name", ["rank.json.tmp", ".rank.x.tmp.json"])
def test_links_planted_at_temporary_names_are_never_written(outside, name):
    work, target = outside
    os.symlink(target, work / name)  # rank.json.tmp was the fixed temporary name of an earlier version
    save_json_atomic(work / "rank.json", [1, 2])
    write_text_atomic(work / "report.md", "text")
    assert target.read_text() == "precious\n" and (work / name).is_symlink()


def test_a_linked_lock_or_log_is_refused_in_one_line(outside):
    work, target = outside
    os.symlink(target, work / ".lock")
    with pytest.raises(WriteError, match="symbolic link") as info:
        lock_work_dir(work)
    assert "\n" not in str(info.value) and target.read_text() == "precious\n"
    os.unlink(work / ".lock")
    os.symlink(target, work / "experiment.log")
    log = tee_log(lambda _: None, work / "experiment.log")
    with pytest.raises(WriteError, match="symbolic link"):
        log("a line")
    assert target.read_text() == "precious\n"
    with pytest.raises(WriteError):
        append_line(work / "experiment.log", "x")


def test_a_writer_that_writes_in_place_is_caught(tmp_path, monkeypatch):
    out = tmp_path / "metrics.json"
    save_json_atomic(out, {"old": True})
    # the rename is the moment the new content appears: if it never happens, the old content must stay
    monkeypatch.setattr(jsonio.os, "replace", lambda *a: (_ for _ in ()).throw(OSError(errno.EIO, "I/O error")))
    with pytest.raises(WriteError, match="metrics.json"):
        save_json_atomic(out, {"new": True})
    assert json.loads(out.read_text()) == {"old": True} and [p.name for p in tmp_path.iterdir()] == ["metrics.json"]


@pytest.mark.parametrize("code, words", [(errno.ENOSPC, "disk is full"), (errno.EROFS, "read-only"),
                                         (errno.EACCES, "permission denied")])
def test_an_os_error_is_one_line_naming_the_path_and_leaves_nothing(tmp_path, monkeypatch, code, words):
    out = tmp_path / "pareto.json"
    save_json_atomic(out, {"old": 1})

    def fail(_fd):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(jsonio.os, "fsync", fail)
    with pytest.raises(WriteError) as info:
        save_json_atomic(out, {"new": 1})
    message = str(info.value)
    assert words in message and str(out) in message and "\n" not in message
    assert json.loads(out.read_text()) == {"old": 1} and [p.name for p in tmp_path.iterdir()] == ["pareto.json"]


def test_written_files_are_ordinary_files_not_private(tmp_path):
    mask = os.umask(0o022)
    try:
        save_json_atomic(tmp_path / "a.json", {})
    finally:
        os.umask(mask)
    assert (tmp_path / "a.json").stat().st_mode & 0o777 == 0o644


def injected_key(marker) -> str:
    """A config key that MMEngine's python dump writes unescaped, so reading the dump back runs
    ``open(marker, 'w')`` (no dots: --cfg-options splits keys at dots)."""
    code = ",".join(str(b) for b in f"open({str(marker)!r}, 'w')".encode())
    return f"x': exec(str(bytes([{code}]), 'ascii')), 'y"


def test_option_text_never_becomes_code(tmp_path):
    from mmengine.config import Config

    marker = tmp_path / "PWNED"
    key = injected_key(marker)
    # the hazard: MMEngine's python dump of a config holding this key runs it when read back
    Config({"optim_wrapper": {"optimizer": {key: 1}}}).dump(str(tmp_path / "dumped.py"))
    Config.fromfile(str(tmp_path / "dumped.py"))
    assert marker.exists()
    marker.unlink()
    # the experiment writes the merged supernet config as data
    work = tmp_path / "work"
    proc = subprocess.run([sys.executable, str(ROOT / "tools/experiment.py"), str(ROOT / "configs/experiment/s1_cifar10.py"),
                           "--work-dir", str(work), "--until", "truth", "--cfg-options",
                           f"supernet_options.data_root={tmp_path / 'nowhere'}",
                           f"supernet_options.optim_wrapper.optimizer.{key}=1"], capture_output=True, text=True,
                          timeout=600, cwd=tmp_path)
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr[-2000:]
    assert not marker.exists()
    if (work / "supernet_config.json").exists():
        assert key in json.loads((work / "supernet_config.json").read_text())["optim_wrapper"]["optimizer"]
    assert not (work / "supernet_config.py").exists()


def test_a_run_refused_by_the_lock_changes_nothing(tmp_path):
    work = tmp_path / "work"
    with lock_work_dir(work, "a live run"):
        before = sorted(p.name for p in work.iterdir())
        proc = subprocess.run([sys.executable, str(ROOT / "tools/experiment.py"),
                               str(ROOT / "configs/experiment/demo.py"), "--work-dir", str(work), "--cfg-options",
                               "supernet_options.optim_wrapper.optimizer.lr=9.0"], capture_output=True, text=True,
                              timeout=600, cwd=ROOT)
        assert proc.returncode == 2 and "in use" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
        assert sorted(p.name for p in work.iterdir()) == before  # no merged config, no log written
    with pytest.raises(WorkDirBusy):
        with lock_work_dir(work, "live"):
            lock_work_dir(work, "second")


@pytest.mark.parametrize("tool, extra", [
    ("rank.py", ["configs/supernet/s4_nb101_mnist5k_12px.py", "{work}/missing.pth", "--truth", "standalone"]),
    ("analyze_sbn.py", ["{work}/missing.pth"]),
])
def test_every_writing_tool_takes_the_lock_before_the_first_byte(tmp_path, tool, extra):
    work = tmp_path / "work"
    with lock_work_dir(work, "a live run"):
        before = sorted(p.name for p in work.iterdir())
        args = [a.format(work=work) for a in extra]
        proc = subprocess.run([sys.executable, str(ROOT / "tools" / tool), *args, "--work-dir", str(work)],
                              capture_output=True, text=True, timeout=600, cwd=ROOT)
        assert proc.returncode == 2 and "in use" in proc.stderr, proc.stderr[-1500:]
        assert len(proc.stderr.strip().splitlines()) == 1
        assert sorted(p.name for p in work.iterdir()) == before


def test_a_link_anywhere_in_a_work_dir_stops_every_writer_before_it_writes(outside):
    work, target = outside
    (work / "sub").mkdir()
    (work / "sub" / "last_checkpoint").symlink_to(target)  # MMEngine writes this file with a plain open()
    with pytest.raises(WriteError, match="holds a symbolic link") as info:
        lock_work_dir(work)
    assert "\n" not in str(info.value)
    (work / "last_checkpoint").symlink_to(target)
    proc = subprocess.run([sys.executable, str(ROOT / "tools/train.py"), str(ROOT / "configs/supernet/s4_nb101_mnist5k.py"),
                           "--work-dir", str(work), "--epochs", "1", "--cfg-options", "train_dataloader.dataset.name=digits",
                           "val_dataloader.dataset.name=digits", "model.network.stem_channels=8"],
                          capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert proc.returncode == 2 and "symbolic link" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert target.read_text() == "precious\n" and not list(work.glob("*.pth"))
