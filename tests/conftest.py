import os

import pytest
import torch

# Ray clusters started by tests live on the loopback interface only (set before anything imports ray)
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")


def pytest_collection_modifyitems(config, items):
    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs a CUDA GPU")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)


import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def train_tiny_supernet(work_dir, *options):
    """Train the embedded S4 supernet (8 stem channels) on digits for 2 epochs; returns the checkpoint."""
    cmd = [sys.executable, str(ROOT / "tools/train.py"), str(ROOT / "configs/supernet/s4_nb101_mnist5k.py"),
           "--work-dir", str(work_dir), "--epochs", "2", "--cfg-options", "train_dataloader.dataset.name=digits",
           "val_dataloader.dataset.name=digits", "model.network.stem_channels=8", *options]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return Path(work_dir) / "epoch_2.pth"


@pytest.fixture(scope="session")
def tiny_supernet(tmp_path_factory):
    return train_tiny_supernet(tmp_path_factory.mktemp("tiny_sbn"))


@pytest.fixture(scope="session")
def tiny_supernet_bn(tmp_path_factory):
    return train_tiny_supernet(tmp_path_factory.mktemp("tiny_bn"), "model.network.shadow_bn=False")
