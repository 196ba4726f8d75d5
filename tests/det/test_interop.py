"""OpenMMLab interop: configs run under MMDetection's own tools/train.py and ours; one-line errors.

Each run is one iteration on 2 tiny generated images (64 x 64) in a COCO folder layout, in a fresh
process, so ``custom_imports=dict(imports=['mixpath_bench.det'])`` alone must register everything.
"""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mmdet")

from mixpath_bench.data.shapes import write_shapes_dataset  # noqa: E402

from ..conftest import ROOT  # noqa: E402

# MMDetection's own training script, as pip ships it (mmdet/.mim/tools/train.py)
MMDET_TRAIN = Path(__import__("mmdet").__file__).parent / ".mim" / "tools" / "train.py"
ONE_STEP = ["train_cfg.max_epochs=1", "train_dataloader.batch_size=2", "train_dataloader.num_workers=0",
            "train_dataloader.persistent_workers=False", "val_dataloader.num_workers=0",
            "val_dataloader.persistent_workers=False", "train_dataloader.dataset.pipeline.2.scale=(64,64)",
            "val_dataloader.dataset.pipeline.1.scale=(64,64)", "default_hooks.logger.interval=1",
            "model.test_cfg.score_thr=0.0"]

STOCK_CONFIG = """
_base_ = ['mmdet::_base_/models/retinanet_r50_fpn.py', 'mmdet::_base_/datasets/coco_detection.py',
          'mmdet::_base_/schedules/schedule_1x.py', 'mmdet::_base_/default_runtime.py']
custom_imports = dict(imports=['mixpath_bench.det'], allow_failed_imports=False)
model = dict(backbone=dict(_delete_=True, type='MixPathBackbone', arch='mixpath_a', init_cfg=None),
             neck=dict(in_channels=[96, 240, 360, 1200], out_channels=32),
             bbox_head=dict(in_channels=32, feat_channels=32, stacked_convs=1))
"""

# MMDetection's own RetinaNet config (its TTA base defines img_scales, a key nothing else reads) with our backbone
STOCK_1X_CONFIG = """
_base_ = 'mmdet::retinanet/retinanet_r50_fpn_1x_coco.py'
custom_imports = dict(imports=['mixpath_bench.det'], allow_failed_imports=False)
model = dict(backbone=dict(_delete_=True, type='MixPathBackbone', arch='mixpath_a', init_cfg=None),
             neck=dict(in_channels=[96, 240, 360, 1200], out_channels=32),
             bbox_head=dict(in_channels=32, feat_channels=32, stacked_convs=1))
"""


def write_tiny_coco(root: Path) -> Path:
    """data/coco/{annotations/instances_{train,val}2017.json, train2017/, val2017/} with 2 images each;
    COCO's 80 categories, the shapes' circles, squares and triangles labelled as the first three."""
    import mixpath_bench.det  # noqa: F401 - the mmcv.ops stand-in, before mmdet.datasets imports mmcv.ops
    from mmdet.datasets import CocoDataset

    shapes = write_shapes_dataset(root / "shapes", {"train": 2, "val": 2}, 64, seed=0)
    coco = root / "data" / "coco"
    (coco / "annotations").mkdir(parents=True)
    for split in ("train", "val"):
        shutil.move(str(Path(shapes) / split), str(coco / f"{split}2017"))
        ann = json.loads((Path(shapes) / "annotations" / f"instances_{split}.json").read_text())
        first = min(c["id"] for c in ann["categories"])
        for box in ann["annotations"]:
            box["category_id"] += 1 - first
        ann["categories"] = [{"id": i + 1, "name": name} for i, name in enumerate(CocoDataset.METAINFO["classes"])]
        (coco / "annotations" / f"instances_{split}2017.json").write_text(json.dumps(ann))
    return coco


def run(script: Path, config: Path, cwd: Path, *options: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=str(ROOT))  # 1 thread: tiny tensors, shared CPUs
    cmd = [sys.executable, str(script), str(config), "--work-dir", str(cwd / "work")]
    return subprocess.run(cmd + (["--cfg-options", *options] if options else []), capture_output=True, text=True,
                          timeout=600, cwd=cwd, env=env)


def assert_one_step(proc: subprocess.CompletedProcess, cwd: Path) -> None:
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    assert "Epoch(train) [1][1/1]" in out and "coco/bbox_mAP" in out, out[-3000:]  # one step, then COCO eval
    assert (cwd / "work" / "epoch_1.pth").is_file()


needs_mmdet_train = pytest.mark.skipif(not MMDET_TRAIN.is_file(), reason="mmdet ships no .mim/tools/train.py")


@needs_mmdet_train
def test_stock_mmdet_config_runs_under_mmdets_train_py(tmp_path):
    """A config inheriting mmdet:: bases, with our backbone swapped in and nothing but custom_imports."""
    write_tiny_coco(tmp_path)
    (tmp_path / "retinanet_mixpath_stock.py").write_text(STOCK_CONFIG)
    assert_one_step(run(MMDET_TRAIN, tmp_path / "retinanet_mixpath_stock.py", tmp_path, *ONE_STEP), tmp_path)


@needs_mmdet_train
def test_our_retinanet_config_runs_under_mmdets_train_py(tmp_path):
    """configs/retinanet_mixpath_a.py as written (data/coco/ under the working directory, the evaluator's
    ann_file included); only the unpublished zoo weights and the image size are overridden."""
    write_tiny_coco(tmp_path)
    proc = run(MMDET_TRAIN, ROOT / "configs/retinanet_mixpath_a.py", tmp_path, "model.backbone.init_cfg=None",
               *ONE_STEP)
    assert_one_step(proc, tmp_path)


def test_stock_mmdet_config_runs_under_our_train_py(tmp_path):
    """Our key check accepts OpenMMLab's conventional keys (custom_imports, dataset_type, train_pipeline,
    backend_args, ...) and `data_root` moves the datasets and the evaluator."""
    coco = write_tiny_coco(tmp_path / "elsewhere")
    (tmp_path / "retinanet_mixpath_stock.py").write_text(STOCK_CONFIG)
    proc = run(ROOT / "tools/train.py", tmp_path / "retinanet_mixpath_stock.py", tmp_path, f"data_root={coco}/",
               *ONE_STEP)
    assert_one_step(proc, tmp_path)


@pytest.mark.parametrize("options,message", [
    ((), "dataset not found: data/coco/annotations/instances_train2017.json is missing (and 3 more); expected "
         "under data_root=data/coco/: annotations/instances_train2017.json, train2017/, "
         "annotations/instances_val2017.json, val2017/; point at your copy with --cfg-options "
         "data_root=/path/to/coco/"),
    (("data_root={coco}/",), "model.backbone.init_cfg.checkpoint: no weights are published for zoo://mixpath_a "
                             "(the paper released no weights; train configs/imagenet/mixpath_a.py and publish "
                             "with tools/publish_model.py); or train from scratch with --cfg-options "
                             "model.backbone.init_cfg=None"),
    (("data_root={coco}/", "train_cfg.max_epoch=1"),
     "config key train_cfg.max_epoch is not a setting of EpochBasedTrainLoop (did you mean train_cfg.max_epochs?)"),
], ids=["missing-coco", "missing-zoo-weights", "nested-typo"])
def test_headline_config_mistakes_give_one_line(tmp_path, options, message):
    """Missing COCO and unpublished weights are found before MMEngine logs its environment."""
    coco = write_tiny_coco(tmp_path / "elsewhere")
    proc = run(ROOT / "tools/train.py", ROOT / "configs/retinanet_mixpath_a.py", tmp_path,
               *[o.format(coco=coco) for o in options])
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert proc.stderr.strip().splitlines()[-1] == f"error: {message}"
    assert "Traceback" not in proc.stderr and "Environment" not in proc.stdout + proc.stderr


def test_mmdets_retinanet_1x_config_with_our_backbone_trains_through_mixpath_train(tmp_path):
    """`mixpath train` on a config inheriting mmdet's retinanet_r50_fpn_1x_coco.py (which brings its TTA base)."""
    coco = write_tiny_coco(tmp_path / "elsewhere")
    (tmp_path / "retinanet_mixpath-a_fpn_1x_coco.py").write_text(STOCK_1X_CONFIG)
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-m", "mixpath_bench", "train", str(tmp_path / "retinanet_mixpath-a_fpn_1x_coco.py"),
           "--work-dir", str(tmp_path / "work"), "--cfg-options", f"data_root={coco}/", *ONE_STEP]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=tmp_path, env=env)
    assert_one_step(proc, tmp_path)
    assert "Traceback" not in proc.stderr
