"""Checkpoint policy and build records in-process: plain-data round trips, exact records and
digests, depth limits, non-finite weights, URL detection, the training time (written against
mutants that survived the rest of the suite, docs/mutation.md)."""
import hashlib
import json

import numpy as np
import pytest
import torch

from mixpath_bench.engine import checkpoint as ck
from mixpath_bench.engine import record as rec
from mixpath_bench.errors import CheckpointError


def test_plain_checkpoint_round_trip_with_weights_only(tmp_path):
    from mmengine.logging import HistoryBuffer

    buffer = HistoryBuffer([1.0, 2.5], [1, 2], max_length=7)
    ckpt = {"state_dict": {"w": torch.ones(2)},
            "meta": {"arr": np.arange(3, dtype=np.int32), "names": np.array(["a", "b"]), "n": np.float64(0.5),
                     "pair": (np.int64(3), [np.float32(1.5)]), "config": "print('never run')"},
            "message_hub": {"log_scalars": {"loss": buffer}, "runtime_info": {"train_seconds": 12}},
            "param_schedulers": [{"last": np.int64(4)}]}
    ck.plain_checkpoint(ckpt)
    assert ckpt["meta"]["n"] == 0.5 and type(ckpt["meta"]["n"]) is float
    assert ckpt["meta"]["names"] == ["a", "b"] and ckpt["meta"]["pair"] == (3, [1.5])
    assert isinstance(ckpt["meta"]["arr"], torch.Tensor) and ckpt["param_schedulers"] == [{"last": 4}]
    tagged = ckpt["message_hub"]["log_scalars"]["loss"]
    assert tagged[ck.HISTORY_TAG] is True and tagged["max_length"] == 7
    torch.save(ckpt, tmp_path / "c.pth")
    back = ck.load_checkpoint_file(tmp_path / "c.pth")  # weights_only: plain data only
    assert "config" not in back["meta"] and back["meta"]["arr"].tolist() == [0, 1, 2]
    restored = back["message_hub"]["log_scalars"]["loss"]
    assert isinstance(restored, HistoryBuffer) and restored.max_length == 7
    log, count = restored.data
    assert log.tolist() == [1.0, 2.5] and count.tolist() == [1, 2]
    assert ck.train_seconds(back) == 12.0 and type(ck.train_seconds(back)) is float


def test_train_seconds_absent_or_malformed():
    assert ck.train_seconds({}) is None and ck.train_seconds([]) is None
    assert ck.train_seconds({"message_hub": {"runtime_info": {}}}) is None
    assert ck.train_seconds({"message_hub": "x"}) is None
    assert ck.train_seconds({"message_hub": {"runtime_info": {"train_seconds": 0}}}) == 0.0


def test_is_remote_and_model_state():
    assert ck.is_remote("http://x/y.pth") and ck.is_remote("s3://bucket/k")
    assert not ck.is_remote("zoo://mixpath_a") and not ck.is_remote("/tmp/x.pth") and not ck.is_remote(None)
    weights = {"w": torch.ones(1)}
    assert ck.model_state({"state_dict": weights, "meta": {}}) is weights
    assert ck.model_state(weights) is weights


def test_refuse_non_finite_counts_the_bad_values():
    ck.refuse_non_finite({}, "c.pth")
    ck.refuse_non_finite({"w": torch.full((3,), 1e30), "step": torch.tensor(3)}, "c.pth")  # huge but finite
    bad = torch.tensor([1.0, float("nan"), float("inf"), 2.0])
    with pytest.raises(CheckpointError, match=r"^checkpoint c\.pth: weight b holds 2 NaN or infinite value\(s\) "
                                              r"\(a diverged or damaged run\); use an earlier checkpoint$"):
        ck.refuse_non_finite({"a": torch.ones(2), "b": bad}, "c.pth")


class Cfg(dict):
    """A config-like object: `get` and attribute-free, with a `to_dict` section."""


class Section:
    def __init__(self, data):
        self.data = data

    def to_dict(self):
        return dict(self.data)


def test_build_record_text_and_digest():
    model = {"type": "S4Supernet", "width": 8}
    cfg = Cfg(model=Section(model), val_dataloader={"dataset": {"type": "MNIST5k", "split": "val"}})
    out = rec.build_record(cfg)
    text = '{"model": {"type": "S4Supernet", "width": 8}, "val_dataset": {"split": "val", "type": "MNIST5k"}}'
    assert out == {rec.KEY: text, rec.DIGEST_KEY: hashlib.sha256(text.encode()).hexdigest()}
    only_model = rec.build_record(Cfg(model=model, val_dataloader=None))
    assert json.loads(only_model[rec.KEY]) == {"model": model}
    assert rec.build_record(Cfg(model={"type": "X", "lr": float("nan")})) == {}  # not plain JSON data
    assert rec.build_record(Cfg(model={"type": "X", "fn": print})) == {}


def _ckpt(record):
    text = json.dumps(record)
    return {"meta": {rec.KEY: text, rec.DIGEST_KEY: rec.digest(text)}}


def test_read_record_depth_limit():
    def nested(depth):
        value = 1
        for _ in range(depth):
            value = [value]
        return value

    # the model section is depth 0, so its values may nest MAX_DEPTH levels
    assert rec.read_record(_ckpt({"model": {"x": nested(rec.MAX_DEPTH - 1)}}))
    with pytest.raises(CheckpointError, match=rf"^c: model\.x: nested deeper than {rec.MAX_DEPTH} levels$"):
        rec.read_record(_ckpt({"model": {"x": nested(rec.MAX_DEPTH)}}), where="c")


def test_read_record_accepts_this_package_and_refuses_the_rest():
    good = {"model": {"type": "MixPathClassifier", "network": {"type": "S4Supernet", "m": 4}},
            "val_dataset": {"type": "EmbeddedImages", "name": "mnist5k"}}
    assert rec.read_record(_ckpt(good)) == good
    assert rec.read_record({"meta": {}}) is None and rec.read_record({}) is None and rec.read_record([]) is None
    cases = [
        ({"model": {"type": "ResNet"}}, r"^c: model: type 'ResNet' is not one of this package's registered types$"),
        ({"model": {"type": "MixPathClassifier", "network": {"type": "os.system"}}},
         r"^c: model\.network: type 'os\.system' is not one of this package's registered types$"),
        ({"model": {"type": "MixPathClassifier", "init_cfg": {}}},
         r"^c: model: key 'init_cfg' is not accepted in a checkpoint's model record$"),
        ({"model": {"type": "MixPathClassifier"}, "val_dataset": {"type": "CocoDataset"}},
         r"^c: val_dataset: type 'CocoDataset' is not one of this package's registered types$"),
        ({"model": [1]}, r"^c: its model record must hold 'model' \(and 'val_dataset'\) sections$"),
        ({"model": {}, "extra": {}}, r"^c: its model record must hold 'model' \(and 'val_dataset'\) sections$"),
    ]
    for record, message in cases:
        with pytest.raises(CheckpointError, match=message):
            rec.read_record(_ckpt(record), where="c")
    text = json.dumps(good)
    with pytest.raises(CheckpointError, match=r"^c: its model record does not match its recorded digest"):
        rec.read_record({"meta": {rec.KEY: text, rec.DIGEST_KEY: rec.digest(text + " ")}}, where="c")
    with pytest.raises(CheckpointError, match=r"^c: its model record is not valid JSON$"):
        rec.read_record({"meta": {rec.KEY: "{", rec.DIGEST_KEY: rec.digest("{")}}, where="c")
    long = " " * rec.MAX_CHARS + text
    with pytest.raises(CheckpointError, match=rf"^c: its model record is not a JSON text of at most {rec.MAX_CHARS} "
                                              r"characters$"):
        rec.read_record({"meta": {rec.KEY: long, rec.DIGEST_KEY: rec.digest(long)}}, where="c")
    assert rec.read_record(_ckpt({"model": {"type": "MixPathClassifier", "x": [None, True, 1.5, "s"]}}))


def _ran():
    return {"ran": True}


class Payload:
    """A pickled object: loading it in full calls a function of this module (here a harmless one)."""

    def __reduce__(self):
        return (_ran, ())


def test_load_checkpoint_file_policy(tmp_path):
    missing = tmp_path / "none.pth"
    with pytest.raises(CheckpointError, match=rf"^checkpoint {missing} does not exist$"):
        ck.load_checkpoint_file(missing)
    junk = tmp_path / "junk.pth"
    junk.write_bytes(b"not a checkpoint at all")
    with pytest.raises(CheckpointError, match=rf"^checkpoint {junk} is corrupt or not a PyTorch checkpoint"):
        ck.load_checkpoint_file(junk)
    listed = tmp_path / "list.pth"
    torch.save([1, 2], listed)
    with pytest.raises(CheckpointError, match=rf"^checkpoint {listed} is not a state dict or an MMEngine checkpoint$"):
        ck.load_checkpoint_file(listed)
    pickled = tmp_path / "pickled.pth"
    torch.save({"meta": {"x": Payload()}}, pickled)
    with pytest.raises(CheckpointError, match=rf"^checkpoint {pickled} holds pickled Python objects, which can run "
                                              r"code when loaded, so it is not unpickled; if you trust"):
        ck.load_checkpoint_file(pickled)
    assert ck.load_checkpoint_file(pickled, trust=True)["meta"]["x"] == {"ran": True}
    with ck.trusting([str(pickled)]):
        assert ck.load_checkpoint_file(pickled)["meta"]["x"] == {"ran": True}
    with pytest.raises(CheckpointError, match="holds pickled Python objects"):
        ck.load_checkpoint_file(pickled)  # trust ends with the block


def test_mmengine_loading_follows_the_policy(tmp_path):
    from mmengine.runner.checkpoint import CheckpointLoader

    pickled = tmp_path / "pickled.pth"
    torch.save({"meta": {"x": Payload()}}, pickled)
    try:
        ck.install_mmengine_loader()
        for url in ("http://example.com/w.pth", "https://example.com/w.pth", "open-mmlab://resnet50",
                    "s3://bucket/w.pth"):
            with pytest.raises(CheckpointError, match=rf"^checkpoint {url}: URLs are not loaded"):
                CheckpointLoader.load_checkpoint(url)
        with pytest.raises(CheckpointError, match="holds pickled Python objects"):
            CheckpointLoader.load_checkpoint(str(pickled))
        ck.install_mmengine_loader(trust=True)
        assert CheckpointLoader.load_checkpoint(str(pickled))["meta"]["x"] == {"ran": True}
    finally:
        ck.install_mmengine_loader()


def test_damaged_training_log_is_one_line(tmp_path):
    path = tmp_path / "c.pth"
    torch.save({"message_hub": {"log_scalars": {"loss": {ck.HISTORY_TAG: True, "log": torch.ones(2),
                                                         "count": torch.ones(3)}}}}, path)
    with pytest.raises(CheckpointError, match=r"^checkpoint's training log is damaged \(log and count lengths "
                                              r"differ\)$"):
        ck.load_checkpoint_file(path)
    torch.save({"message_hub": {"log_scalars": {"loss": {ck.HISTORY_TAG: True, "log": [1.0]}}}}, path)
    with pytest.raises(CheckpointError, match=r"^checkpoint's training log is damaged \('count'\)$"):
        ck.load_checkpoint_file(path)
    torch.save({"message_hub": {"x": {ck.HISTORY_TAG: True, "log": torch.tensor(1.5), "count": torch.tensor(2)}}},
               path)
    restored = ck.load_checkpoint_file(path)["message_hub"]["x"]
    assert restored.data[0].tolist() == [1.5] and restored.max_length == 1000000  # scalars, default length


def test_mmengine_scheme_registry_after_install(monkeypatch):
    from mmengine.runner.checkpoint import CheckpointLoader

    def theirs(filename, map_location=None):
        return {"theirs": filename}

    def zoo(filename, map_location=None):
        return {"zoo": filename}

    schemes = {"": theirs, "http://": theirs, "custom://": theirs, "zoo://": zoo}
    monkeypatch.setattr(CheckpointLoader, "_schemes", dict(schemes))
    ck.install_mmengine_loader()
    after = CheckpointLoader._schemes
    assert after["zoo://"] is zoo  # the model zoo's verified loader stays
    assert after["custom://"] is ck.refuse_remote and all(after[p] is ck.refuse_remote for p in ck.REMOTE_SCHEMES)
    assert after[""] is not theirs and set(after) == set(schemes) | set(ck.REMOTE_SCHEMES)


def test_map_location_reaches_torch_load(tmp_path):
    from mmengine.runner.checkpoint import CheckpointLoader

    path = tmp_path / "c.pth"
    torch.save({"w": torch.ones(1)}, path)
    seen = []

    def where(storage, location):
        seen.append(location)
        return storage

    ck.load_checkpoint_file(path, map_location=where)
    assert seen == ["cpu"]
    try:
        ck.install_mmengine_loader()
        CheckpointLoader.load_checkpoint(str(path), map_location=where)
    finally:
        ck.install_mmengine_loader()
    assert seen == ["cpu", "cpu"]


def test_more_record_details(tmp_path):
    ok = {"model": {"type": "MixPathClassifier", "parts": [{"type": "S4Supernet"}, {"type": "S4Supernet"}]}}
    assert rec.read_record(_ckpt(ok)) == ok  # types inside lists are checked against the same registry
    for bad, shown in (({"type": 5}, "5"), ({"type": "ImgDataPreprocessor"}, "'ImgDataPreprocessor'")):
        with pytest.raises(CheckpointError, match=rf"^checkpoint: model: type {shown} is not one of this package's "
                                                  r"registered types$"):
            rec.read_record(_ckpt({"model": bad}))  # where="checkpoint" by default; MMEngine's own types too
    text = json.dumps({"model": {"type": "MixPathClassifier"}})
    text += " " * (rec.MAX_CHARS - len(text))  # exactly the limit
    assert rec.read_record({"meta": {rec.KEY: text, rec.DIGEST_KEY: rec.digest(text)}})


def test_more_checkpoint_details(tmp_path):
    deep = tmp_path / ("a" * 200) / ("b" * 200)
    deep.mkdir(parents=True)
    junk = deep / "junk.pth"
    junk.write_bytes(b"")  # EOFError: the message quotes it and is cut
    with pytest.raises(CheckpointError) as info:
        ck.load_checkpoint_file(junk)
    assert len(str(info.value)) == 400  # cut
    pickled = tmp_path / "p.pth"
    torch.save({"x": Payload()}, pickled)
    with pytest.raises(CheckpointError, match=r"if you trust whoever made it pass --trust-checkpoint, or convert it "
                                              r"to plain weights with tools/publish_model\.py --trust-checkpoint$"):
        ck.load_checkpoint_file(pickled)
    with pytest.raises(CheckpointError, match=r"^checkpoint http://h/w\.pth: URLs are not loaded \(a downloaded "
                                              r"checkpoint would be unpickled, which can run code\); download and "
                                              r"check it, then name the local file, or use a model-zoo entry "
                                              r"\(zoo://NAME\)$"):
        ck.refuse_remote("http://h/w.pth")
    assert ck.train_seconds({"message_hub": {}}) is None
    path = tmp_path / "h.pth"
    torch.save({"message_hub": {"x": {ck.HISTORY_TAG: True, "log": [1.0, 2.0], "count": [1, 1]}}}, path)
    restored = ck.load_checkpoint_file(path)["message_hub"]["x"]
    assert restored.data[0].tolist() == [1.0, 2.0] and restored.data[1].tolist() == [1, 1]
