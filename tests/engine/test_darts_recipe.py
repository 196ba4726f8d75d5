"""DARTS' CIFAR-10 evaluation recipe (configs/s5/darts_v2_cifar10.py): the published cell's network,
auxiliary loss and drop-path schedule, trained for real by tools/train.py on a CIFAR-10 fixture."""
from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
import torch
from mmengine.registry import MODELS

from mixpath_bench.engine.config import load_config
from mixpath_bench.engine.hooks import DropPathScheduleHook
from mixpath_bench.errors import ConfigError
from mixpath_bench.models import DartsNetworkCIFAR, count_darts_parameters

from ..conftest import ROOT
from ..data.test_datasets import write_cifar

RECIPE = ROOT / "configs/s5/darts_v2_cifar10.py"


def test_recipe_values_are_dartss():
    cfg = load_config(RECIPE)
    assert cfg.train_cfg.max_epochs == 600 and cfg.train_dataloader.batch_size == 96
    opt = cfg.optim_wrapper.optimizer
    assert (opt.lr, opt.momentum, opt.weight_decay) == (0.025, 0.9, 3e-4)
    assert cfg.optim_wrapper.clip_grad.max_norm == 5.0 and cfg.param_scheduler.eta_min == 0.0
    assert cfg.model.data_preprocessor.cutout == 16 and cfg.model.aux_weight == 0.4
    assert [h for h in cfg.custom_hooks if h.type == "DropPathScheduleHook"][0].max_prob == 0.2
    import mixpath_bench.engine.model  # noqa: F401

    model = MODELS.build(cfg.model)
    assert isinstance(model.network, DartsNetworkCIFAR) and count_darts_parameters(model.network) == 3_349_342


def small_classifier(**kwargs):
    import mixpath_bench.engine.model  # noqa: F401

    network = dict(type="DartsNetworkCIFAR", init_channels=4, layers=3, auxiliary=True)
    return MODELS.build(dict(type="StandaloneClassifier", arch="darts_v2", num_classes=10,
                             network=network, **kwargs))


def test_auxiliary_loss_is_weighted_and_refused_without_a_head():
    torch.manual_seed(0)
    model = small_classifier(aux_weight=0.4).train()
    x, y = torch.randn(4, 3, 32, 32), torch.tensor([0, 1, 2, 3])
    torch.manual_seed(1)
    losses = model(x, y, mode="loss")
    torch.manual_seed(1)
    logits, aux = model.network.forward_aux(x)
    ce = torch.nn.functional.cross_entropy
    torch.testing.assert_close(losses["loss"], ce(logits, y))
    torch.testing.assert_close(losses["loss_aux"], 0.4 * ce(aux, y))
    assert set(small_classifier()(x, y, mode="loss")) == {"loss"}
    for bad, message in ((dict(aux_weight=-1), "aux_weight must be a number >= 0"),
                         (dict(aux_weight="0.4"), "aux_weight must be a number >= 0")):
        with pytest.raises(ConfigError, match=message):
            small_classifier(**bad)
    import mixpath_bench.engine.model  # noqa: F401
    with pytest.raises(ConfigError, match="needs a network with an auxiliary head"):
        MODELS.build(dict(type="StandaloneClassifier", arch="darts_v2", num_classes=10, aux_weight=0.4,
                          network=dict(type="DartsNetworkCIFAR", init_channels=4, layers=3, auxiliary=False)))


def test_drop_path_rises_linearly_and_a_network_without_it_is_refused():
    class Runner:
        def __init__(self, model, epoch):
            self.model, self.epoch, self.max_epochs = model, epoch, 600

    model = small_classifier()
    hook = DropPathScheduleHook(0.2)
    for epoch, expected in ((0, 0.0), (300, 0.1), (599, 0.2 * 599 / 600)):
        hook.before_train_epoch(Runner(model, epoch))
        assert model.network.drop_path_prob == pytest.approx(expected)
    with pytest.raises(ValueError, match="max_prob must be a number in"):
        DropPathScheduleHook(1.5)
    plain = torch.nn.Module()
    plain.network = torch.nn.Linear(2, 2)
    with pytest.raises(ValueError, match="has no drop_path_prob"):
        hook.before_train_epoch(Runner(plain, 0))


def test_recipe_trains_a_found_cell_with_tools_train(tmp_path):
    """A multi-path (m = 3) S5 cell, DARTS' network at a tiny size, 2 epochs on a CIFAR-10 fixture."""
    write_cifar(tmp_path / "cifar")
    cell = "S5:0345-147-04-14-14-03-03-26-01-11-23-11-01-23-23-11"
    cmd = [sys.executable, str(ROOT / "tools/train.py"), str(RECIPE), "--work-dir", str(tmp_path / "w"),
           "--epochs", "2", "--cfg-options", f"data_root={tmp_path / 'cifar'}", f"model.arch={cell}",
           "model.network.init_channels=4", "model.network.layers=3", "train_dataloader.batch_size=16",
           "train_dataloader.num_workers=0", "val_dataloader.num_workers=0", "test_dataloader.num_workers=0",
           "train_dataloader.persistent_workers=False", "val_dataloader.persistent_workers=False",
           "test_dataloader.persistent_workers=False", "train_dataloader.dataset.val_size=20",
           "val_dataloader.dataset.val_size=20", "train_cfg.val_interval=1"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=ROOT)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    assert (tmp_path / "w/epoch_2.pth").is_file()
    assert re.search(r"Epoch\(train\) +\[2\].*loss_aux", out), out[-3000:]
