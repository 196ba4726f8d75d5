"""tools/train.py end to end on the embedded digits (CPU, seconds)."""
import datetime
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from mixpath_bench.engine import load_checkpoint_file
from mixpath_bench.errors import CheckpointError

ROOT = Path(__file__).resolve().parents[2]
CONFIG = str(ROOT / "configs/supernet/s4_nb101_mnist5k.py")
TINY = ["train_dataloader.dataset.name=digits", "val_dataloader.dataset.name=digits",
        "train_dataloader.dataset.size=8", "val_dataloader.dataset.size=8", "model.network.stem_channels=8",
        "default_hooks.logger.interval=5"]
ITERS_PER_EPOCH = 14  # the embedded digits training split (1258 images) in batches of 96


def train(work_dir, *extra, options=(), check=True):
    cmd = [sys.executable, str(ROOT / "tools/train.py"), CONFIG, "--work-dir", str(work_dir), *extra,
           "--cfg-options", *TINY, *options]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=ROOT)
    if check:
        assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def weights(path):
    return load_checkpoint_file(path)["state_dict"]


def test_train_then_resume_after_kill_matches_uninterrupted(tmp_path):
    full = tmp_path / "full"
    proc = train(full, "--epochs", "3")
    assert "top1" in proc.stdout + proc.stderr
    assert (full / "epoch_3.pth").is_file()

    # the same run, killed with SIGKILL once epoch 1 is saved, then resumed
    killed = tmp_path / "killed"
    cmd = [sys.executable, str(ROOT / "tools/train.py"), CONFIG, "--work-dir", str(killed), "--epochs", "3",
           "--cfg-options", *TINY]
    child = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while time.time() < deadline and not (killed / "last_checkpoint").is_file():
        time.sleep(0.05)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert not (killed / "epoch_3.pth").exists()
    saved = int(re.fullmatch(r"epoch_(\d+)\.pth", Path((killed / "last_checkpoint").read_text().strip()).name)[1])
    before = (killed / f"epoch_{saved}.pth").read_bytes()
    resumed = train(killed, "--epochs", "3", "--resume")
    # continuation, not a restart: it says where it resumed, and it trains only the epochs after that
    full_log, resumed_log = proc.stdout + proc.stderr, resumed.stdout + resumed.stderr
    iters = ITERS_PER_EPOCH * saved
    assert f"resumed epoch: {saved}, iter: {iters}" in resumed_log, resumed_log[-3000:]
    trained = [int(e) for e in re.findall(r"Epoch\(train\) \[(\d+)\]", resumed_log)]
    assert trained and min(trained) == saved + 1 and set(trained) == set(range(saved + 1, 4))
    assert len(trained) < len(re.findall(r"Epoch\(train\) \[", full_log))
    assert (killed / f"epoch_{saved}.pth").read_bytes() == before  # epoch `saved` was not trained again
    a, b = weights(full / "epoch_3.pth"), weights(killed / "epoch_3.pth")
    assert a.keys() == b.keys()
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=0, atol=0, msg=key)


def test_checkpoints_are_plain_data_and_pickles_are_refused(tmp_path):
    run = tmp_path / "run"
    train(run, "--epochs", "1")
    torch.load(run / "epoch_1.pth", weights_only=True)  # no pickled objects: loads anywhere without trust
    stray = tmp_path / "stray.pth"
    stray.write_bytes((run / "epoch_1.pth").read_bytes())
    hub = load_checkpoint_file(stray)["message_hub"]["log_scalars"]
    assert len(hub["train/loss"].data[0]) > 0  # the training log comes back as MMEngine's HistoryBuffer
    torch.save({"w": torch.ones(2), "when": datetime.date(2020, 1, 1)}, tmp_path / "pickled.pth")
    with pytest.raises(CheckpointError, match="not unpickled"):
        load_checkpoint_file(tmp_path / "pickled.pth")
    torch.save({"w": torch.ones(2)}, tmp_path / "plain.pth")
    assert torch.equal(load_checkpoint_file(tmp_path / "plain.pth")["w"], torch.ones(2))
    (tmp_path / "bad.pth").write_bytes(b"not a checkpoint")
    with pytest.raises(CheckpointError, match="corrupt"):
        load_checkpoint_file(tmp_path / "bad.pth")


@pytest.mark.parametrize("extra,options,message", [
    ((), ("trian_cfg.max_epochs=1",), "'trian_cfg' (did you mean 'train_cfg'?) are not read by anything"),
    ((), ("model.eval_arch=S4:0000",), "layer 0 (0000) has 0 nodes on"),
    ((), ("model.network.type=S9Supernet",), "unknown type in config"),
    ((), ("train_dataloader.dataset.name=cifar",), "unknown embedded dataset 'cifar'"),
    (("--epochs", "0"), (), "--epochs must be >= 1"),
])
def test_user_mistakes_give_one_line(tmp_path, extra, options, message):
    proc = train(tmp_path / "w", *extra, options=options, check=False)
    assert proc.returncode == 2, proc.stderr[-2000:]
    lines = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and message in lines[0], proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr


def test_missing_config_and_dataset(tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / "tools/train.py"), str(tmp_path / "nope.py")],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2 and "config file" in proc.stderr and "does not exist" in proc.stderr
    proc = subprocess.run([sys.executable, str(ROOT / "tools/train.py"), str(ROOT / "configs/supernet/s1_cifar10.py"),
                           "--work-dir", str(tmp_path / "w"), "--cfg-options", f"data_root={tmp_path}/none",
                           "train_dataloader.num_workers=0", "train_dataloader.persistent_workers=False",
                           "val_dataloader.num_workers=0", "val_dataloader.persistent_workers=False"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "CIFAR-10 folder" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the CPU-only message")
def test_amp_without_gpu_is_a_clear_error(tmp_path):
    proc = train(tmp_path / "w", "--amp", check=False)
    assert proc.returncode == 2 and "--amp needs a CUDA GPU" in proc.stderr


@pytest.mark.gpu
def test_amp_trains_on_gpu(tmp_path):
    train(tmp_path / "w", "--amp", "--epochs", "1")
    assert (tmp_path / "w" / "epoch_1.pth").is_file()
