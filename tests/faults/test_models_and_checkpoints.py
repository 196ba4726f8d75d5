"""Bad model settings and bad checkpoints: each stops with one line instead of a traceback or a wrong score."""
import subprocess
import sys

import pytest
import torch
from mmengine.registry import MODELS

from mixpath_bench.engine import build_supernet, load_config
from mixpath_bench.engine.record import build_record
from mixpath_bench.engine.setup import register_all_modules
from mixpath_bench.errors import CheckpointError, ConfigError
from mixpath_bench.models.named import create_model

from ..conftest import ROOT
from .helpers import fingerprint, one_line_error

S4 = str(ROOT / "configs/supernet/s4_nb101_mnist5k.py")
S1 = str(ROOT / "configs/supernet/s1_mnist5k.py")
TINY = {"train_dataloader.dataset.name": "digits", "val_dataloader.dataset.name": "digits",
        "model.network.stem_channels": 8}


def tiny_checkpoint(path, config=S4, options=TINY, record=True, edit=None):
    """A checkpoint as our training writes it (weights + JSON build record), without training."""
    register_all_modules()
    cfg = load_config(config, dict(options))
    model = MODELS.build(cfg.model)
    state = model.state_dict()
    if edit:
        edit(state)
    torch.save({"state_dict": state, "meta": build_record(cfg) if record else {}}, path)
    return path


@pytest.mark.parametrize("value", ["no", "false", "0", 0, 1, None])
def test_a_non_bool_shadow_bn_is_refused(value):
    # --cfg-options model.network.shadow_bn=no arrives as the string 'no', which is true
    cfg = load_config(S4, {**TINY, "model.network.shadow_bn": value})
    register_all_modules()
    with pytest.raises(ConfigError) as exc:
        MODELS.build(cfg.model)
    one_line_error(exc, ConfigError, "model.network.shadow_bn must be True or False", repr(value))
    assert MODELS.build(load_config(S4, {**TINY, "model.network.shadow_bn": False}).model).network is not None


@pytest.mark.parametrize("key,value", [("m", "4"), ("num_classes", 2.5), ("in_chans", True)])
def test_a_non_integer_count_is_refused(key, value):
    cfg = load_config(S4, {**TINY, f"model.network.{key}": value})
    with pytest.raises(ConfigError) as exc:
        MODELS.build(cfg.model)
    one_line_error(exc, ConfigError, f"model.network.{key} must be a positive integer")


def test_shadow_bn_no_from_the_command_line_is_one_line(tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / "tools/train.py"), S4, "--work-dir", str(tmp_path / "w"),
                           "--cfg-options", "model.network.shadow_bn=no", "model.network.stem_channels=8"],
                          capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "shadow_bn" in errors[0], proc.stderr[-2000:]
    assert not list((tmp_path / "w").glob("*.pth"))


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_non_finite_weights_are_refused(tmp_path, bad):
    def poison(state):
        state["network.classifier.weight"][0, 0] = bad

    ckpt = tiny_checkpoint(tmp_path / "nan.pth", edit=poison)
    before = fingerprint(tmp_path)
    cfg = load_config(S4, TINY)
    with pytest.raises(CheckpointError) as exc:
        build_supernet(cfg, str(ckpt))
    one_line_error(exc, CheckpointError, "network.classifier.weight", "NaN or infinite")
    assert fingerprint(tmp_path) == before
    assert build_supernet(cfg, str(tiny_checkpoint(tmp_path / "ok.pth"))) is not None


def test_an_s1_checkpoint_with_the_s4_config_is_refused(tmp_path):
    s1_options = {"train_dataloader.dataset.name": "digits", "val_dataloader.dataset.name": "digits"}
    cfg = load_config(S4, TINY)
    with_record = tiny_checkpoint(tmp_path / "s1.pth", S1, s1_options)
    with pytest.raises(CheckpointError) as exc:
        build_supernet(cfg, str(with_record))
    one_line_error(exc, CheckpointError, "holds a S1Supernet but the config builds a S4Supernet")
    older = tiny_checkpoint(tmp_path / "s1_old.pth", S1, s1_options, record=False)  # no record: keys differ
    with pytest.raises(ConfigError) as exc:
        build_supernet(cfg, str(older))
    one_line_error(exc, ConfigError, "does not fit this config's model")


def test_a_shape_mismatched_checkpoint_names_the_weight(tmp_path):
    wide = tiny_checkpoint(tmp_path / "wide.pth", options={**TINY, "model.network.stem_channels": 16}, record=False)
    with pytest.raises(ConfigError) as exc:
        build_supernet(load_config(S4, TINY), str(wide))
    one_line_error(exc, ConfigError, "does not fit this config's model", "(16,", "(8,")


@pytest.mark.parametrize("content", [b"just some text\n", b"", b"PK\x03\x04 truncated zip", b"\x80\x02}q\x00."])
def test_a_file_that_is_no_checkpoint_is_refused(tmp_path, content):
    path = tmp_path / "notes.pth"
    path.write_bytes(content)
    with pytest.raises(CheckpointError) as exc:
        build_supernet(load_config(S4, TINY), str(path))
    one_line_error(exc, CheckpointError, str(path))
    assert path.read_bytes() == content


@pytest.mark.parametrize("text", [
    "{arch:", "", "[1, 2]", '"S4:1200"', '{"arch": 5}', '{"arch": "S9:12"}', '{"arch": "S4:9999"}',
    '{"arch": "S4:1200", "network": "x"}', '{"arch": "S4:1200", "network": {"num_classes": 10}}',
    '{"arch": "S4:1200", "network": {"type": "os.system"}}', '{"arch": "S4:1200", "network": [1]}',
    '{"arch": "S4:1200", "network": {"type": "S4Supernet", "bogus": 1}}',
    '{"arch": "S4:1200", "network": {"type": "S4Supernet", "shadow_bn": "no"}}',
    '{"arch": "S4:1200", "network": {"type": "S1Supernet"}}'])
def test_a_malformed_architecture_file_is_one_line(tmp_path, text):
    path = tmp_path / "arch.json"
    path.write_text(text)
    with pytest.raises(Exception) as exc:
        create_model(str(path))
    one_line_error(exc)
