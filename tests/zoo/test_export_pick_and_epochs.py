"""`export --pick` names its criterion (best by default) and says what it exported; `--epochs` stretches only
the schedules that ran to the old end (an iteration-based warmup keeps its length)."""
import json
import subprocess
import sys

import pytest
from mmengine.config import Config

from mixpath_bench.engine.runner import set_epochs

from ..conftest import ROOT


def pareto(tmp_path):
    picks = [{"arch": "S4:3000", "acc": 20.6, "madds": 1.0e6}, {"arch": "S4:3311", "acc": 27.2, "madds": 3.0e6},
             {"arch": "S4:1000", "acc": 11.0, "madds": 0.5e6}]
    path = tmp_path / "pareto.json"
    path.write_text(json.dumps({"m": 4, "searchers": {"nsga2": {"picks": picks}}}))
    return path


@pytest.mark.parametrize("pick, arch", [(None, "S4:3311"), ("best", "S4:3311"), ("cheapest", "S4:1000"),
                                        ("0", "S4:3000")])
def test_export_picks_by_a_named_criterion_and_says_which(tmp_path, pick, arch):
    out = tmp_path / "m.json"
    cmd = [sys.executable, str(ROOT / "tools/export.py"), "--pareto", str(pareto(tmp_path)), "--name", "m",
           "--out", str(out)] + (["--pick", pick] if pick else [])
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-1500:]
    assert json.loads(out.read_text())["arch"] == arch and arch in proc.stdout


def test_export_refuses_an_unknown_pick_in_one_line(tmp_path):
    cmd = [sys.executable, str(ROOT / "tools/export.py"), "--pareto", str(pareto(tmp_path)), "--name", "m",
           "--out", str(tmp_path / "m.json"), "--pick", "fastest"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 2 and "best, cheapest or an index" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_epochs_keeps_an_iteration_warmup_and_an_early_epoch_warmup():
    cfg = Config(dict(train_cfg=dict(max_epochs=12), param_scheduler=[
        dict(type="LinearLR", by_epoch=False, begin=0, end=500),  # 500 iterations of warmup
        dict(type="LinearLR", begin=0, end=2),  # 2 epochs of warmup
        dict(type="MultiStepLR", begin=0, end=12, milestones=[8, 11]),
        dict(type="CosineAnnealingLR", begin=2, T_max=10)]))
    set_epochs(cfg, 1)
    s = cfg.param_scheduler
    assert cfg.train_cfg.max_epochs == 1 and s[0]["end"] == 500 and s[1]["end"] == 2
    assert s[2]["end"] == 1 and s[3]["T_max"] == 1  # starts after the run ends: a valid horizon all the same


def test_resume_in_an_empty_work_dir_says_it_starts_afresh(tmp_path, capsys):
    from mixpath_bench.engine.runner import prepare_config

    cfg = prepare_config(ROOT / "configs/supernet/s4_nb101_mnist5k.py", str(tmp_path / "empty"), resume=True)
    assert cfg.resume is False and cfg.load_from is None
    assert "holds no checkpoint yet" in capsys.readouterr().out


def test_evaluate_announces_the_canonical_form_it_scores(tiny_supernet):
    cmd = [sys.executable, str(ROOT / "tools/evaluate.py"), str(ROOT / "configs/supernet/s4_nb101_mnist5k.py"),
           str(tiny_supernet), "--arch", "S4:1203", "--calib-batches", "1", "--cfg-options",
           "train_dataloader.dataset.name=digits", "val_dataloader.dataset.name=digits"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-1500:]
    assert "S4:1203 is the same network as S4:3210" in proc.stdout


def lr_curve(schedulers, iters_per_epoch: int, epochs: int) -> list[float]:
    """The learning rate at every iteration, the schedulers stepped as MMEngine's ParamSchedulerHook steps them."""
    import torch
    from mmengine.optim import OptimWrapper
    from mmengine.registry import PARAM_SCHEDULERS

    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.01)
    wrapper = OptimWrapper(optimizer)
    built = [PARAM_SCHEDULERS.build(dict(s), default_args=dict(optimizer=wrapper, epoch_length=iters_per_epoch))
             for s in schedulers]
    lrs = []
    for it in range(iters_per_epoch * epochs):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()  # no gradients: nothing moves; the schedulers then step in PyTorch's order
        for s in built:
            if not s.by_epoch:
                s.step()
        if (it + 1) % iters_per_epoch == 0:
            for s in built:
                if s.by_epoch:
                    s.step()
    return lrs


@pytest.mark.filterwarnings("ignore:Detected call of `scheduler.step\\(\\)` before:UserWarning")  # no training here
@pytest.mark.parametrize("iters_per_epoch", [100, 600])
def test_epochs_leaves_the_detection_warmups_lr_curve_unchanged(iters_per_epoch):
    """The RetinaNet recipe: 500 iterations of linear warmup, then x0.1 at epochs 8 and 11.  --epochs 1 trains the
    first epoch exactly as the 12-epoch run does (an old --epochs set the warmup's end to 1 iteration)."""
    cfg = Config.fromfile(str(ROOT / "configs/_base_/retinanet_coco.py"))
    full = lr_curve(cfg.param_scheduler, iters_per_epoch, 1)
    set_epochs(cfg, 1)
    assert lr_curve(cfg.param_scheduler, iters_per_epoch, 1) == full
    assert full[0] == pytest.approx(1e-5) and full[min(499, iters_per_epoch - 1)] > 0.009 * min(1, iters_per_epoch / 500)
