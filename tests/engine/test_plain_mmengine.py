"""Shipped configs build and run under plain MMEngine (Runner.from_cfg, as `mim train` or a lab's own
launcher does), with nothing imported from this toolkit beforehand: each config names its modules
(``custom_imports``)."""
import subprocess
import sys

import pytest

from ..conftest import ROOT

CONFIGS = sorted(str(p.relative_to(ROOT)) for folder in ("supernet", "imagenet", "cifar10_transfer")
                 for p in (ROOT / "configs" / folder).glob("*.py"))

BUILD = """
import sys
from mmengine.config import Config
from mmengine.registry import DATASETS, HOOKS, METRICS, MODELS, OPTIM_WRAPPER_CONSTRUCTORS
from mmengine.utils import import_modules_from_strings
assert 'mixpath_bench' not in sys.modules
for path in sys.argv[1:]:
    cfg = Config.fromfile(path)  # imports the config's custom_imports, as Runner.from_cfg does too
    import_modules_from_strings(**cfg['custom_imports'])
    model = MODELS.build(cfg.model)
    assert DATASETS.get(cfg.train_dataloader.dataset.type) is not None
    # what the Runner builds next: the optimizer's constructor, the hooks, the metric
    constructor = cfg.optim_wrapper.get('constructor')
    assert constructor is None or OPTIM_WRAPPER_CONSTRUCTORS.get(constructor) is not None, constructor
    assert all(HOOKS.get(h['type']) is not None for h in cfg.get('custom_hooks', [])), cfg.custom_hooks
    assert METRICS.get(cfg.val_evaluator['type']) is not None, cfg.val_evaluator
    print('built', path, type(model).__name__)
"""

DET_CONFIGS = sorted(str(p.relative_to(ROOT)) for p in [*ROOT.glob("configs/retinanet_*.py"),
                                                         *ROOT.glob("configs/retinanet/*.py")])

BUILD_DET = """
import sys
from mmengine.config import Config
from mmengine.registry import MODELS, init_default_scope
from mmengine.utils import import_modules_from_strings
assert 'mixpath_bench' not in sys.modules
for path in sys.argv[1:]:
    cfg = Config.fromfile(path)
    import_modules_from_strings(**cfg['custom_imports'])
    init_default_scope(cfg.default_scope)  # as Runner.from_cfg does
    if cfg.model.backbone.get('pretrained'):
        cfg.model.backbone.pretrained = False  # timm's ImageNet weights: a download, not what is tested here
    model = MODELS.build(cfg.model)
    print('built', path, type(model).__name__, type(model.backbone).__name__)
"""

TRAIN = """
import sys
from mmengine.config import Config
from mmengine.runner import Runner
cfg = Config.fromfile(sys.argv[1])
cfg.work_dir = sys.argv[2]
cfg.train_dataloader.dataset.name = cfg.val_dataloader.dataset.name = 'digits'
cfg.model.network.stem_channels = 8
cfg.train_cfg.max_epochs = 1
Runner.from_cfg(cfg).train()
print('trained')
"""


def by_imports(configs: list[str]) -> list[list[str]]:
    """The configs grouped by their exact custom_imports: each group is built in its own fresh interpreter, so every
    config is built after its own imports and nothing else (a config without custom_imports fails there)."""
    from mmengine.config import Config

    groups: dict = {}
    for c in configs:
        cfg = Config.fromfile(str(ROOT / c), import_custom_modules=False)
        key = tuple(sorted((cfg.get("custom_imports") or {}).get("imports") or ()))
        groups.setdefault(key, []).append(str(ROOT / c))
    return list(groups.values())


def build_each_alone(script: str, configs: list[str]) -> str:
    out = ""
    for group in by_imports(configs):
        proc = subprocess.run([sys.executable, "-c", script, *group], capture_output=True, text=True, timeout=300,
                              cwd=ROOT)
        assert proc.returncode == 0, proc.stderr[-2000:]
        out += proc.stdout
    return out


def test_plain_mmengine_builds_every_shipped_model():
    out = build_each_alone(BUILD, CONFIGS)
    assert out.count("built") == len(CONFIGS) >= 13


def test_plain_mmengine_trains_the_embedded_supernet(tmp_path):
    proc = subprocess.run([sys.executable, "-c", TRAIN, str(ROOT / "configs/supernet/s4_nb101_mnist5k.py"),
                           str(tmp_path / "w")], capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert proc.returncode == 0 and "trained" in proc.stdout, proc.stderr[-2000:]
    assert (tmp_path / "w" / "epoch_1.pth").is_file()


def test_plain_mmengine_builds_every_shipped_detection_model():
    """The RetinaNet configs (short and MMDetection-style names) need nothing but their custom_imports."""
    pytest.importorskip("mmdet")
    out = build_each_alone(BUILD_DET, DET_CONFIGS)
    assert out.count("built") == len(DET_CONFIGS) >= 12 and out.count(" RetinaNet ") == len(DET_CONFIGS)
