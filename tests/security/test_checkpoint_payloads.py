"""Hostile checkpoints: a config payload in meta, a pickle payload behind a forged trust marker, URLs.

Each payload would write a marker file if it ran; every test first shows that it really would
(so a passing test is not vacuous), then that no tool runs it and each gives one line or carries on.
"""
import json
import shutil
from pathlib import Path

import pytest
import torch
from mmengine.config import Config

from mixpath_bench.engine import build_supernet, load_checkpoint_file, load_config
from mixpath_bench.engine.checkpoint import install_mmengine_loader
from mixpath_bench.engine.record import DIGEST_KEY, KEY, digest
from mixpath_bench.errors import CheckpointError

from .helpers import (SUPERNET_CONFIG, TINY, Payload, assert_one_line_error, cfg_payload, http_server,
                      run_tool)


def cfg_payload_checkpoint(tiny_supernet, path, marker, keep_record):
    """Our own tiny checkpoint (weights_only-loadable) with Python payloads in meta.cfg and meta.config."""
    ckpt = torch.load(tiny_supernet, weights_only=True)
    ckpt["meta"]["cfg"] = ckpt["meta"]["config"] = cfg_payload(marker)
    if not keep_record:  # an older checkpoint: no JSON record, so tools fall back on the user's config
        ckpt["meta"].pop(KEY)
        ckpt["meta"].pop(DIGEST_KEY)
    torch.save(ckpt, path)
    torch.load(path, weights_only=True)  # passes the weights-only check: only the config is hostile
    return path


def test_the_config_payload_is_live(tmp_path):
    marker = tmp_path / "ran"
    Config.fromstring(cfg_payload(marker), ".py")
    assert marker.read_text() == "ran"  # executing meta.cfg would run it


@pytest.mark.parametrize("keep_record", [True, False], ids=["with_json_record", "older_checkpoint"])
def test_config_payload_never_runs(tiny_supernet, tmp_path, keep_record):
    marker = tmp_path / "ran"
    ckpt = cfg_payload_checkpoint(tiny_supernet, tmp_path / "payload.pth", marker, keep_record)

    proc = run_tool("evaluate.py", SUPERNET_CONFIG, ckpt, "--arch", "S4:1200", "--calib-batches",
                    "1", "--cfg-options", *TINY)
    assert proc.returncode == 0, proc.stderr[-3000:]  # scored with the weights; the config text ignored

    pareto = {"space": "S4", "m": 4, "checkpoint": str(ckpt), "searchers": {"nsga2": {"picks": [{"arch": "S4:1200"}]}}}
    (tmp_path / "pareto.json").write_text(json.dumps(pareto))
    proc = run_tool("export.py", "--pareto", tmp_path / "pareto.json", "--name", "x", "--out", tmp_path / "x.json")
    assert proc.returncode == 0, proc.stderr[-3000:]
    network = json.loads((tmp_path / "x.json").read_text())["network"]
    assert network.get("stem_channels") == (8 if keep_record else None)  # recorded data, else the defaults

    proc = run_tool("analyze_sbn.py", ckpt, "--work-dir", tmp_path / "sbn", "--samples", "8")
    if keep_record:
        assert proc.returncode == 0, proc.stderr[-3000:]
    else:
        assert_one_line_error(proc, "pass --config")

    # resume: MMEngine itself would execute meta.config; the loader drops it
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(ckpt, work / Path(ckpt).name)  # --resume reads the checkpoint inside its own work dir
    (work / "last_checkpoint").write_text(str(work / Path(ckpt).name))
    proc = run_tool("train.py", SUPERNET_CONFIG, "--work-dir", work, "--resume", "--epochs", "3", "--cfg-options", *TINY)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (work / "epoch_3.pth").is_file()
    assert not marker.exists()


def forged_record(tiny_supernet, path, edit):
    ckpt = torch.load(tiny_supernet, weights_only=True)
    record = json.loads(ckpt["meta"][KEY])
    edit(record)
    text = json.dumps(record)
    ckpt["meta"][KEY], ckpt["meta"][DIGEST_KEY] = text, digest(text)
    torch.save(ckpt, path)
    return path


@pytest.mark.parametrize("edit,message", [
    (lambda r: r["model"].update(data_preprocessor={"type": "ImgDataPreprocessor"}), "not one of this package's"),
    (lambda r: r["model"]["network"].update(type="os.system"), "not one of this package's"),
    (lambda r: r["model"].update(init_cfg={"type": "Pretrained", "checkpoint": "http://x/y.pth"}), "'init_cfg'"),
    (lambda r: r.update(extra={"type": "S4Supernet"}), "must hold 'model'"),
    (lambda r: r["model"]["network"].update(bogus=1), "recorded model does not build"),
])
def test_forged_build_records_are_refused(tiny_supernet, tmp_path, edit, message):
    cfg = load_config(SUPERNET_CONFIG)
    ckpt = forged_record(tiny_supernet, tmp_path / "forged.pth", edit)
    with pytest.raises(CheckpointError, match=message):
        build_supernet(cfg, str(ckpt))


def test_edited_record_without_digest_is_refused(tiny_supernet, tmp_path):
    ckpt = torch.load(tiny_supernet, weights_only=True)
    ckpt["meta"][KEY] = ckpt["meta"][KEY].replace('"stem_channels": 8', '"stem_channels": 9')
    torch.save(ckpt, tmp_path / "edited.pth")
    cfg = load_config(SUPERNET_CONFIG)
    with pytest.raises(CheckpointError, match="digest"):
        build_supernet(cfg, str(tmp_path / "edited.pth"))


@pytest.fixture()
def forged_work_dir(tiny_supernet, tmp_path):
    """A shared work dir: the old trust marker, a last_checkpoint, and a checkpoint carrying a pickle payload."""
    marker = tmp_path / "ran"
    work = tmp_path / "shared"
    work.mkdir()
    (work / ".mixpath-work-dir").write_text("checkpoints in this folder were written by mixpath-bench training runs\n")
    ckpt = torch.load(tiny_supernet, weights_only=True)
    ckpt["meta"]["payload"] = Payload(marker)
    torch.save(ckpt, work / "epoch_2.pth")
    (work / "last_checkpoint").write_text(str(work / "epoch_2.pth"))
    return work, marker


def test_pickle_payload_behind_forged_marker_is_refused(forged_work_dir):
    work, marker = forged_work_dir
    with pytest.raises(CheckpointError, match="not unpickled"):
        load_checkpoint_file(work / "epoch_2.pth")
    for proc in (run_tool("analyze_sbn.py", work, "--work-dir", work / "sbn"),
                 run_tool("train.py", SUPERNET_CONFIG, "--work-dir", work, "--resume", "--epochs", "3",
                          "--cfg-options", *TINY),
                 run_tool("evaluate.py", SUPERNET_CONFIG, work / "epoch_2.pth", "--arch", "S4:1200",
                          "--cfg-options", *TINY)):
        assert_one_line_error(proc, "not unpickled")
    assert not marker.exists()
    assert not (work / "epoch_3.pth").exists()
    load_checkpoint_file(work / "epoch_2.pth", trust=True)  # --trust-checkpoint: the user's explicit choice
    assert marker.read_text() == "ran"  # the payload was live all along


def test_urls_never_reach_mmengine_loaders(tiny_supernet, tmp_path):
    marker = tmp_path / "ran"
    payload = tmp_path / "p.pth"
    torch.save({"state_dict": {}, "x": Payload(marker)}, payload)
    with http_server({"p.pth": payload.read_bytes()}) as (url, requests):
        proc = run_tool("train.py", SUPERNET_CONFIG, "--work-dir", tmp_path / "w", "--epochs", "1",
                        "--cfg-options", *TINY, f"load_from={url}/p.pth")
        assert_one_line_error(proc, "URLs are not loaded")
        from mmengine.runner.checkpoint import CheckpointLoader

        install_mmengine_loader()
        for name in (f"{url}/p.pth", "https://127.0.0.1:1/p.pth", "torchvision://resnet50",
                     "open-mmlab://resnet50_v1c", "s3://bucket/p.pth", "pavi://p.pth"):
            with pytest.raises(CheckpointError, match="URLs are not loaded"):
                CheckpointLoader.load_checkpoint(name)
        assert requests == []  # nothing was even fetched
    assert not marker.exists()
