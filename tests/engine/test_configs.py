"""Every shipped config loads, builds its model, and the embedded ones train an epoch."""
import re
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
           "train_dataloader.dataset.size=8", "val_dataloader.dataset.size=8",
           "train_dataloader.num_batch_per_epoch=2"]  # a short epoch
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (tmp_path / "epoch_1.pth").is_file() and "Epoch(train) [1][2/2]" in proc.stdout + proc.stderr


@pytest.mark.parametrize("config, port", [("s4_nb101_mnist5k", 29533), ("s5_mnist5k", 29534)])
def test_torchrun_two_processes_on_cpu(tmp_path, config, port):
    """DDP on CPU (gloo); S5 leaves most of its parameters unused in every step (8 of 14 edges, 1-3 of 7
    operations each), which DDP must accept."""
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", "2", "--master-port", str(port),
           str(ROOT / "tools/train.py"), str(ROOT / f"configs/supernet/{config}.py"), "--launcher",
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


@pytest.mark.parametrize("option,message", [
    ("train_cfg.max_epoch", "train_cfg.max_epoch is not a setting of EpochBasedTrainLoop (did you mean "
                            "train_cfg.max_epochs?)"),
    ("val_cfg.fp61", "val_cfg.fp61 is not a setting of ValLoop (did you mean val_cfg.fp16?)"),
    ("model.network.mm", "model.network.mm is not a setting of S1Supernet (did you mean model.network.m?)"),
    ("model.data_preprocessor.flp", "(did you mean model.data_preprocessor.flip?)"),
    ("train_dataloader.batch_sise", "(did you mean train_dataloader.batch_size?)"),
    ("train_dataloader.dataset.val_sise", "(did you mean train_dataloader.dataset.val_size?)"),
    ("optim_wrapper.clip_gard", "(did you mean optim_wrapper.clip_grad?)"),
])
def test_nested_typo_names_the_key_and_the_closest_valid_one(option, message):
    from mixpath_bench.errors import ConfigError

    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(ROOT / "configs/supernet/s1_cifar10.py", {option: 1})


def test_openmmlab_conventional_keys_are_accepted_and_others_refused():
    from mmengine.config import Config

    from mixpath_bench.engine.config import EXTRA_KEYS, OPENMMLAB_KEYS, check_keys, runner_keys
    from mixpath_bench.errors import ConfigError

    allowed = runner_keys() | EXTRA_KEYS | OPENMMLAB_KEYS
    stock = dict(custom_imports=dict(imports=["mixpath_bench.det"]), dataset_type="CocoDataset",
                 data_root="data/coco/", backend_args=None, train_pipeline=[], test_pipeline=[], metainfo={},
                 auto_scale_lr=dict(enable=False, base_batch_size=16), vis_backends=[], _helper=3)
    check_keys(Config(stock), allowed)
    with pytest.raises(ConfigError, match=r"'train_pipline' \(did you mean 'train_pipeline'\?\).*start its name"):
        check_keys(Config(dict(stock, train_pipline=[])), allowed)


def test_data_root_moves_datasets_and_the_evaluator_ann_file_under_it(tmp_path):
    base = ("data_root = 'data/coco/'\n"
            "val_dataloader = dict(dataset=dict(type='X', data_root=data_root, ann_file='annotations/val.json'))\n"
            "test_dataloader = dict(dataset=dict(type='X', data_root=data_root, ann_file='annotations/val.json'))\n"
            "val_evaluator = dict(type='M', ann_file=data_root + 'annotations/val.json')\n"
            "test_evaluator = dict(type='M', ann_file='elsewhere/test.json')\n")
    (tmp_path / "c.py").write_text(base)
    cfg = load_config(tmp_path / "c.py")
    assert cfg.val_evaluator.ann_file == "data/coco/annotations/val.json"  # as written, as mmdet reads it
    cfg = load_config(tmp_path / "c.py", {"data_root": "/d/coco/", "test_dataloader.dataset.data_root": "/t/"})
    assert cfg.val_dataloader.dataset.data_root == "/d/coco/"
    assert cfg.test_dataloader.dataset.data_root == "/t/"  # the more specific option wins
    assert cfg.val_evaluator.ann_file == "/d/coco/annotations/val.json"
    assert cfg.test_evaluator.ann_file == "elsewhere/test.json"  # not under the old root: used as written


def test_missing_dataset_files_are_one_line_naming_the_layout(tmp_path):
    from mixpath_bench.engine.config import check_data_files
    from mixpath_bench.errors import DatasetError

    cfg = load_config(ROOT / "configs/retinanet_mixpath_a_shapes.py", {"data_root": f"{tmp_path}/shapes/"})
    with pytest.raises(DatasetError) as info:
        check_data_files(cfg, ("train_dataloader", "val_dataloader"))
    text = str(info.value)
    assert "\n" not in text and f"{tmp_path}/shapes/annotations/instances_train.json is missing (and 3 more)" in text
    assert text.endswith(f"under data_root={tmp_path}/shapes/: annotations/instances_train.json, train/, "
                         "annotations/instances_val.json, val/; point at your copy with --cfg-options "
                         "data_root=/path/to/shapes/")
    check_data_files(cfg, ())  # nothing asked, nothing checked


@pytest.mark.parametrize("options, message", [
    ({"train_cfg.max_epochs": "two"}, "train_cfg.max_epochs must be an integer, got 'two'"),
    ({"train_cfg.val_interval": 1.5}, "train_cfg.val_interval must be an integer, got 1.5"),
    ({"train_cfg.max_epochs": True}, "train_cfg.max_epochs must be an integer, got True"),
])
def test_wrong_value_types_in_loop_settings_are_one_line(options, message):
    from mixpath_bench.engine.config import load_config
    from mixpath_bench.errors import ConfigError

    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(ROOT / "configs/supernet/s4_nb101_mnist5k.py", options)
