"""Tests that catch planted bugs which once passed every test: the reference protocol calibrating on the training
split instead of the test split, and ``ground_truth.holdout`` ignored (the truth networks trained on the held-out
images too).  Each follows the path the experiment takes, not a helper beside it."""
from __future__ import annotations

from mmengine.registry import DATASETS, MODELS

from mixpath_bench.bench import standalone as standalone_module
from mixpath_bench.bench.evaluator import EvaluatorSettings, _build_evaluator
from mixpath_bench.bench.truth import open_truth, train_one
from mixpath_bench.data import embedded_images
from mixpath_bench.engine.config import load_config
from mixpath_bench.pipeline.stages.truth import TruthSettings
from mixpath_bench.spaces import parse_arch

from ..conftest import ROOT

DIGITS = {"train_dataloader.dataset.name": "digits", "val_dataloader.dataset.name": "digits",
          "train_dataloader.dataset.size": 8, "val_dataloader.dataset.size": 8, "model.network.stem_channels": 4}


def digits_config():
    return load_config(ROOT / "configs/supernet/s4_nb101_mnist5k.py", dict(DIGITS))


def rows(batches) -> set[bytes]:
    return {row.numpy().tobytes() for b in batches for row in b}


def test_reference_protocol_calibrates_on_the_test_split_and_ours_on_the_training_split(monkeypatch):
    import mixpath_bench.engine.model  # noqa: F401 - registers the classifier

    cfg = digits_config()
    monkeypatch.setattr("mixpath_bench.engine.evaluate.build_supernet",
                        lambda cfg, checkpoint, device: MODELS.build(cfg.model))
    pre = MODELS.build(cfg.model).data_preprocessor
    split_rows = {}
    for split in ("train", "val", "test"):
        ds = DATASETS.build(dict(cfg.val_dataloader.dataset, split=split))
        split_rows[split] = rows([pre({"inputs": ds.images, "data_samples": ds.labels}, False)["inputs"]])
    reference = _build_evaluator(cfg, "unused.pth", "cpu", EvaluatorSettings(split="test", calib_batches=1))
    assert reference.momentum_calibration
    calib = rows(reference.calib)
    assert calib == split_rows["test"]  # every test image, no training image
    assert rows(x for x, _ in reference.val) == split_rows["test"]
    ours = _build_evaluator(cfg, "unused.pth", "cpu", EvaluatorSettings(split="val", calib_batches=2, calib_batch_size=64))
    assert not ours.momentum_calibration
    assert rows(ours.calib) <= split_rows["train"] and not rows(ours.calib) & split_rows["test"]
    assert rows(x for x, _ in ours.val) == split_rows["val"]


def test_holdout_images_never_reach_stand_alone_training_on_the_job_path(monkeypatch, tmp_path):
    """The experiment's path: settings -> request -> truth source -> job request -> worker (`train_one`)."""
    seen = {}

    def fake_train(net, train, evals, preprocessor, recipe, seed, device="cpu"):
        seen["train"], seen["evals"] = train, evals
        return {"val_acc": 50.0, "test_acc": 50.0, "holdout_acc": 50.0, "seconds": 0.0}

    monkeypatch.setattr(standalone_module, "train_standalone", fake_train)
    cfg = digits_config()
    settings = TruthSettings(seeds=(0,), holdout=0.2, recipe=dict(epochs=1))
    truth = open_truth("standalone", settings.request(cfg, tmp_path / "cache", "cpu", lambda _: None))
    (run,) = truth.pending([parse_arch("S4:1200")])
    assert run.fn is train_one
    run.fn(*run.args)  # what a worker runs
    train, held = seen["train"], seen["evals"]["holdout"]
    full = len(embedded_images("digits", "train", size=8))
    assert len(train) + len(held) == full and len(held) == round(0.2 * full)
    assert not rows([train.images]) & rows([held.images])  # not one held-out image trained on
