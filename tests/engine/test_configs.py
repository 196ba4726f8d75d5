"""Every shipped config loads, builds its model, and the embedded ones train an epoch."""
import subprocess
import sys
from pathlib import Path

import pytest
from mmengine.registry import MODELS

from mixpath_bench.engine import load_config
from mixpath_bench.engine.runner import build_runner  # noqa: F401 - registers everything via imports

ROOT = Path(__file__).resolve().parents[2]
SUPERNET_CONFIGS = sorted((ROOT / "configs/supernet").glob("*.py"))


@pytest.mark.parametrize("path", SUPERNET_CONFIGS, ids=lambda p: p.stem)
def test_config_builds_model(path):
    import mixpath_bench.data  # noqa: F401
    import mixpath_bench.engine.model  # noqa: F401
    import mixpath_bench.models  # noqa: F401

    cfg = load_config(path)
    model = MODELS.build(cfg.model)
    assert model.space.name == cfg.model.network.type[:2]


@pytest.mark.parametrize("path", [p for p in SUPERNET_CONFIGS if "mnist5k" in p.stem], ids=lambda p: p.stem)
def test_embedded_config_trains_one_epoch(path, tmp_path):
    cmd = [sys.executable, str(ROOT / "tools/train.py"), str(path), "--work-dir", str(tmp_path), "--epochs", "1",
           "--cfg-options", "train_dataloader.dataset.name=digits", "val_dataloader.dataset.name=digits",
           "train_dataloader.dataset.size=8", "val_dataloader.dataset.size=8"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (tmp_path / "epoch_1.pth").is_file()


def test_torchrun_two_processes_on_cpu(tmp_path):
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", "2", "--master-port", "29533",
           str(ROOT / "tools/train.py"), str(ROOT / "configs/supernet/s4_nb101_mnist5k.py"), "--launcher",
           "pytorch", "--work-dir", str(tmp_path), "--epochs", "1", "--cfg-options",
           "train_dataloader.dataset.name=digits", "val_dataloader.dataset.name=digits",
           "train_dataloader.dataset.size=8", "val_dataloader.dataset.size=8"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=ROOT)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    assert "Distributed training: True" in out
    assert "Epoch(train) [1][7/7]" in out  # 1258 digits / (2 ranks x 96) = 7 iterations per rank
    assert (tmp_path / "epoch_1.pth").is_file()


@pytest.mark.parametrize("path", sorted((ROOT / "configs/imagenet").glob("*.py"))
                         + sorted((ROOT / "configs/cifar10_transfer").glob("*.py")), ids=lambda p: p.stem)
def test_standalone_configs_build(path):
    import torch

    import mixpath_bench.data  # noqa: F401
    import mixpath_bench.engine.model  # noqa: F401

    cfg = load_config(path)
    model = MODELS.build(cfg.model)
    batch = {"inputs": torch.randint(0, 255, (2, 3, 32, 32), dtype=torch.uint8), "data_samples": torch.tensor([1, 2])}
    data = model.data_preprocessor(batch, True)
    loss = model(data["inputs"], data["data_samples"], mode="loss")["loss"]
    assert torch.isfinite(loss)
