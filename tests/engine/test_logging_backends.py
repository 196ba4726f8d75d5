"""The TensorBoard / W&B recipe of the docs: ``--cfg-options visualizer.vis_backends.0.type=...``, and every
logging backend checked before anything runs."""
import importlib.util
import subprocess
import sys

import pytest
from mmengine.config import Config

from mixpath_bench.engine.runner import VIS_BACKEND_NEEDS, check_vis_backends
from mixpath_bench.errors import MissingDependencyError

from ..conftest import ROOT

TENSORBOARD = "visualizer.vis_backends.0.type=TensorboardVisBackend"
TINY = ["train_dataloader.dataset.name=digits", "val_dataloader.dataset.name=digits",
        "train_dataloader.dataset.size=8", "val_dataloader.dataset.size=8", "model.network.stem_channels=8",
        "default_hooks.logger.interval=1"]


def have(kind):
    return any(importlib.util.find_spec(m) is not None for m in VIS_BACKEND_NEEDS[kind][0])


def test_the_tensorboard_recipe_trains_or_names_the_missing_package(tmp_path):
    cmd = [sys.executable, str(ROOT / "tools/train.py"), "mixpath_bench::supernet/s4_nb101_mnist5k.py",
           "--work-dir", str(tmp_path / "w"), "--epochs", "1", "--cfg-options", *TINY, TENSORBOARD]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, timeout=600)
    if have("TensorboardVisBackend"):
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert list((tmp_path / "w").rglob("events.out.tfevents.*")), "no TensorBoard event file"
    else:
        assert proc.returncode == 2
        assert proc.stderr.strip() == ("error: visualizer.vis_backends: TensorboardVisBackend needs the "
                                       "'tensorboard' package: pip install tensorboard (or drop the backend)")
        assert not (tmp_path / "w").exists()  # refused before anything ran


@pytest.mark.parametrize("kind", sorted(VIS_BACKEND_NEEDS))
def test_every_logging_backend_is_checked_before_training(kind, monkeypatch):
    cfg = Config(dict(visualizer=dict(type="Visualizer", vis_backends=[dict(type="LocalVisBackend"),
                                                                       dict(type=kind)])))
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    with pytest.raises(MissingDependencyError, match=f"{kind} needs the '{VIS_BACKEND_NEEDS[kind][1]}' package"):
        check_vis_backends(cfg)
    check_vis_backends(Config(dict(visualizer=dict(type="Visualizer", vis_backends=[dict(type="LocalVisBackend")]))))


@pytest.mark.parametrize("backends", [["dict(type='TensorboardVisBackend')"], "TensorboardVisBackend",
                                      [dict(name="x")], [dict(type=3)]])
def test_a_malformed_backend_list_is_one_line(backends):
    from mixpath_bench.errors import ConfigError

    with pytest.raises(ConfigError, match="visualizer.vis_backends must be a list of dicts with a 'type'"):
        check_vis_backends(Config(dict(visualizer=dict(type="Visualizer", vis_backends=backends))))


def test_the_forms_mmengine_accepts_pass():
    from mmengine.visualization import LocalVisBackend

    for backends in (dict(type="LocalVisBackend"), [dict(type=LocalVisBackend)], []):
        check_vis_backends(Config(dict(visualizer=dict(type="Visualizer", vis_backends=backends))))
