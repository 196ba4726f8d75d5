"""The registry of ground-truth sources: a source is one entry; the stage, its key and its checks read it."""
import json
from types import SimpleNamespace

import numpy as np
import pytest

from mixpath_bench.bench import truth as truth_mod
from mixpath_bench.bench.truth import (TRUTH_SOURCES, TrainingRun, TruthRequest, TruthSource, TruthTable, open_truth,
                                       register_truth_source, truth_source)
from mixpath_bench.data.nasbench101 import NASBench101
from mixpath_bench.errors import ConfigError
from mixpath_bench.pipeline.executor import run_job
from mixpath_bench.pipeline.stages.table2 import TruthWithFallback
from mixpath_bench.pipeline.stages.truth import TruthOutput, TruthSettings, measure_truth
from mixpath_bench.spaces import Arch, s4_hash

from .nb101_fixture import write_tfrecord

ARCHS = [Arch("S4", ((2, 0, 0, 0),)), Arch("S4", ((1, 3, 0, 0),)), Arch("S4", ((3, 1, 2, 0),))]


def write_run(path: str, value: float) -> dict:
    """A toy 'training': writes its result where the source looks for it."""
    res = {"val_acc": value, "seconds": 0.5}
    with open(path, "w") as fh:
        json.dump(res, fh)
    return res


class CountedTruth:
    """A toy source that 'trains' each architecture once: value = 10 x (position in the list + 1)."""

    name = "counted"

    def __init__(self, folder, metric):
        self.folder, self.metric = folder, metric

    def _path(self, i):
        return self.folder / f"{i}.json"

    def accuracy(self, arch):
        return 50.0

    def pending(self, archs):
        return [TrainingRun(f"{a}", write_run, (str(self._path(i)), 10.0 * (i + 1)), str(self._path(i)))
                for i, a in enumerate(archs) if not self._path(i).is_file()]

    def measure(self, archs):
        values = [json.loads(self._path(i).read_text())["val_acc"] for i in range(len(archs))]
        return TruthTable(tuple(a.to_string() for a in archs), tuple((v,) for v in values), self.metric, (), "counted")


class SerialExecutor:
    threads = 1

    def __init__(self):
        self.jobs = []

    def run(self, jobs, what, log):
        self.jobs += jobs
        return [run_job(j) for j in jobs]


@pytest.fixture
def toy_source(tmp_path):
    entry = register_truth_source(TruthSource(
        "counted", lambda s: s.startswith("counted:"), lambda s, request, metric: CountedTruth(tmp_path, metric),
        trains=True, reads_file=False, describe="counted:NAME"))
    try:
        yield entry
    finally:
        TRUTH_SOURCES.pop("counted")


def test_a_new_source_is_one_entry(toy_source, tmp_path):
    """Registered at run time, the toy source is taken by the stage's settings, its runs go to the
    executor as jobs, and its table becomes truth.json - no edit of the stage."""
    settings = TruthSettings(source="counted:x", seeds=(0,), n_boot=20)
    assert settings.resolved_metric == "val_acc"
    executor, lines = SerialExecutor(), []
    out = measure_truth(None, ARCHS, settings, tmp_path / "cache", "cpu", executor, lines.append)
    assert [j.name for j in executor.jobs] == [a.to_string() for a in ARCHS]
    assert out["acc"] == [10.0, 20.0, 30.0] and out["source"] == "counted:x" and out["noise"]["archs"] == 3
    executor2 = SerialExecutor()
    assert measure_truth(None, ARCHS, settings, tmp_path / "cache", "cpu", executor2, lines.append) == out
    assert executor2.jobs == []  # nothing pending: nothing trained again
    with pytest.raises(ConfigError, match="is none of: 'standalone'.*counted:NAME"):
        truth_source("nothing.txt")


def test_nasbench101_is_read_once_per_run(tmp_path, monkeypatch):
    """truth on the test split and on the validation split (training images) from one load of the file."""
    path = write_tfrecord(tmp_path / "nb.tfrecord", [(s4_hash(a), [(0.9 - 0.1 * i, 0.8 - 0.1 * i)] * 3)
                                                     for i, a in enumerate(ARCHS)])
    loads = []
    real = NASBench101.from_tfrecord.__func__

    def counted(cls, *args, **kwargs):
        loads.append(args)
        return real(cls, *args, **{**kwargs, "cache_dir": tmp_path, "progress": False})

    monkeypatch.setattr(NASBench101, "from_tfrecord", classmethod(counted))
    out = measure_truth(None, ARCHS, TruthSettings(source=str(path), metric="test_acc", n_boot=20), tmp_path, "cpu",
                        None, lambda _: None)
    assert len(loads) == 1
    assert out["acc"] == pytest.approx([80.0, 70.0, 60.0])
    assert np.array(out["training_images"]["per_seed"]).ravel() == pytest.approx([90.0, 80.0, 70.0])
    table = TruthTable.from_json(out)
    assert table.to_json(out["source"], out["noise"]) == out  # the typed table round-trips truth.json


@pytest.mark.parametrize("source", ["t.csv", "nb.tfrecord"])
def test_holdout_is_refused_where_it_does_nothing(source):
    with pytest.raises(ValueError, match="holdout=0.2 applies to stand-alone training only"):
        TruthSettings(source=source, holdout=0.2)
    with pytest.raises(ConfigError, match="applies to stand-alone training only"):
        open_truth(source, TruthRequest(holdout=0.2))
    TruthSettings(source="standalone", holdout=0.2)


def test_unknown_sources_and_metrics_are_one_line():
    with pytest.raises(ValueError, match="source: ground truth 'x.parquet' is none of"):
        TruthSettings(source="x.parquet")
    with pytest.raises(ConfigError, match="metric must be 'val_acc' or 'test_acc'"):
        open_truth("t.csv", TruthRequest(metric="top1"))
    with pytest.raises(ConfigError, match="needs the supernet config"):
        open_truth("standalone", TruthRequest())
    assert truth_source("T.CSV").name == "table" and truth_source("standalone").default_metric == "test_acc"


def test_table2_measures_a_found_network_outside_the_table_with_the_same_source(tmp_path):
    """Table 2 reopens the truth stage's own source (here a table holding more networks than were ranked)."""
    (tmp_path / "t.csv").write_text("arch,acc\nS4:2000,91.5\nS4:1300,80\nS4:3333,55\n")
    settings = TruthSettings(source=str(tmp_path / "t.csv"), n_boot=20)
    data = measure_truth(None, ARCHS[:2], settings, tmp_path, "cpu", None, lambda _: None)
    output = TruthOutput("truth.json", "truth_table.json", "truth.png", settings.source, "val_acc", [], {}, data)
    ctx = SimpleNamespace(supernet_cfg=None, cache_dir=tmp_path, device="cpu", log=lambda _: None)
    table2 = TruthWithFallback(ctx, output)
    assert table2.accuracy(ARCHS[0]) == 91.5 and table2.extra == {}
    assert table2.accuracy(Arch("S4", ((3, 3, 3, 3),))) == 55.0
    assert table2.extra == {"S4:3333": 55.0}


def test_stage_key_holds_the_content_of_file_sources_only(toy_source, tmp_path):
    """A table edited in place is a new ground truth (its content in the key); a source that is no file
    (stand-alone training, the toy) adds no content."""
    from mmengine.config import Config

    from mixpath_bench.pipeline.stage import Context
    from mixpath_bench.pipeline.stages.truth import TruthStage

    cfg = Config(dict(model=dict(network=dict(type="S4Supernet"), data_preprocessor=dict(type="X")),
                      train_dataloader=dict(dataset=dict(type="D")), val_dataloader=dict(dataset=dict(type="D"))))
    ctx = Context(tmp_path, "cpu", 1, "supernet.py", cfg, tuple(ARCHS))
    table = tmp_path / "t.csv"
    table.write_text("arch,acc\nS4:2000,91.5\n")

    def key(source):
        return TruthStage().key_inputs(ctx, TruthSettings(source=source))["source_content"]

    first = key(str(table))
    assert first is not None and key("counted:x") is None and key("standalone") is None
    table.write_text("arch,acc\nS4:2000,91.65\n")
    assert key(str(table)) != first


def test_table2_reopens_standalone_truth_on_the_truth_stages_data(tmp_path):
    """A found network outside the list is trained as the list's were: same recipe, seeds and held-out
    images (the same cache folder), so its number is comparable with theirs."""
    from mixpath_bench.engine.config import load_config

    from ..conftest import ROOT
    from .test_experiment import SUPERNET

    (tmp_path / "supernet.py").write_text(SUPERNET.format(root=ROOT))
    cfg = load_config(tmp_path / "supernet.py")
    recipe = {"epochs": 1, "batch_size": 64}
    settings = TruthSettings(source="standalone", seeds=(0,), holdout=0.2, recipe=recipe, n_boot=20)
    stage = open_truth("standalone", settings.request(cfg, tmp_path, "cpu"))
    output = TruthOutput("truth.json", "truth_table.json", "truth.png", "standalone", "test_acc", [0], recipe, {},
                         holdout=0.2)
    reopened = output.reopen(SimpleNamespace(supernet_cfg=cfg, cache_dir=tmp_path, device="cpu", log=print))
    assert reopened.folder == stage.folder and reopened.holdout == 0.2 and reopened.metric == "test_acc"
    assert len(reopened.train) == len(stage.train) < 0.85 * (len(stage.train) + len(stage.evals["holdout"]))
    without = open_truth("standalone", TruthSettings(source="standalone", seeds=(0,), recipe=recipe).request(
        cfg, tmp_path, "cpu"))
    assert without.folder != stage.folder  # dropping the holdout would train on other images
