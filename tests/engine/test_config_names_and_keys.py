"""Configs as an OpenMMLab user writes them: shipped configs by name (``mixpath_bench::``), keys that come
from a package's base files, nested typos as one line, and stock MMDetection configs through our checks."""
import glob
import os
import subprocess
import sys
from pathlib import Path

import pytest
from mmengine.config import Config

from mixpath_bench.cli import register_for_config
from mixpath_bench.engine.config import init_keys, load_config
from mixpath_bench.errors import ConfigError
from mixpath_bench.package_data import shipped_config, shipped_configs

from ..conftest import ROOT

SUPERNET = "mixpath_bench::supernet/s4_nb101_mnist5k.py"


# ---- shipped configs by name ------------------------------------------------------------------------------------

def test_a_shipped_name_is_the_shipped_file():
    assert shipped_config(SUPERNET).samefile(ROOT / "configs/supernet/s4_nb101_mnist5k.py")
    assert load_config(SUPERNET).model.network.type == "S4Supernet"


@pytest.mark.parametrize("name,message", [
    ("mixpath_bench::supernet/s4_nb101_mnist.py", "did you mean mixpath_bench::supernet/s4_nb101_mnist5k.py?"),
    ("mixpath_bench::../setup.py", "is named by its path inside configs/"),
    ("mixpath_bench::/etc/passwd", "is named by its path inside configs/"),
    ("mixpath_bench::", "is named by its path inside configs/"),
    ("mixpath_bnch::supernet/s1_cifar10.py", "could not be found"),
])
def test_a_wrong_shipped_name_is_one_line(name, message):
    with pytest.raises(ConfigError) as err:
        load_config(name)
    assert message in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("given,hint", [
    ("configs/supernet/s4_nb101_mnist5k.py", "the shipped config of that name is mixpath_bench::supernet/s4_nb101_mnist5k.py"),
    ("supernet/s1_cifar10.py", "the shipped config of that name is mixpath_bench::supernet/s1_cifar10.py"),
    ("my_config.py", "shipped configs are named like mixpath_bench::"),
])
def test_a_missing_relative_path_hints_at_the_shipped_name(tmp_path, monkeypatch, given, hint):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as err:
        load_config(given)
    assert f"config file {given} does not exist" in str(err.value) and hint in str(err.value)


def test_every_shipped_config_name_is_the_repositorys_file():
    """The names the package lists are the repository's configs/ (not a stale copy) and every one of them."""
    names = shipped_configs()
    assert len(names) >= 30 and "supernet/s4_nb101_mnist5k.py" in names and "_base_/supernet_recipe.py" in names
    assert set(names) == {str(p.relative_to(ROOT / "configs")) for p in (ROOT / "configs").rglob("*.py")}
    for name in names:
        assert shipped_config(f"mixpath_bench::{name}").samefile(ROOT / "configs" / name)


BASE_USER = """
from mmengine.config import Config
import mixpath_bench  # noqa: F401 - makes mixpath_bench:: names resolvable, as custom_imports cannot (bases come first)
cfg = Config.fromfile({path!r})
print(cfg.model.network.type, cfg.train_cfg.max_epochs, cfg.model.network.stem_channels)
"""


def test_a_shipped_config_as_a_base_in_plain_mmengine(tmp_path):
    """A user's own config inheriting a shipped one, read by MMEngine's Config in a fresh interpreter outside the
    checkout (nothing of ours imported but the package itself)."""
    user = tmp_path / "mine.py"
    user.write_text(f"_base_ = '{SUPERNET}'\ntrain_cfg = dict(max_epochs=3)\nmodel = dict(network=dict(stem_channels=8))\n")
    proc = subprocess.run([sys.executable, "-c", BASE_USER.format(path=str(user))], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == ["S4Supernet", "3", "8"]


def test_the_cli_trains_a_user_config_based_on_a_shipped_name(tmp_path):
    """`mixpath train` on a user config whose _base_ is a shipped name (the name itself on the command line:
    test_a_build_error_is_one_line_without_the_config_dump and the probes)."""
    user = tmp_path / "mine.py"
    user.write_text(f"_base_ = '{SUPERNET}'\nmodel = dict(network=dict(stem_channels=8))\n")
    tiny = ["train_dataloader.dataset.name=digits", "val_dataloader.dataset.name=digits",
            "train_dataloader.dataset.size=8", "val_dataloader.dataset.size=8",
            "train_dataloader.num_batch_per_epoch=2"]
    cmd = [sys.executable, "-m", "mixpath_bench", "train", str(user), "--work-dir", str(tmp_path / "w"),
           "--epochs", "1", "--cfg-options", *tiny]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (tmp_path / "w" / "epoch_1.pth").is_file()


# ---- keys from bases -----------------------------------------------------------------------------------------

def test_a_packages_base_key_is_a_note_naming_the_base(tmp_path, capsys):
    """Keys an installed package's base brings in are that package's business: MMDetection's SSD base sets
    cudnn_benchmark, which nothing reads (a note naming the base); its RetinaNet TTA base sets img_scales,
    which that base itself reads (a variable: nothing to say)."""
    pytest.importorskip("mmdet")
    retina = tmp_path / "retina.py"
    retina.write_text("_base_ = 'mmdet::retinanet/retinanet_r50_fpn_1x_coco.py'\n"
                      "custom_imports = dict(imports=['mixpath_bench.det'], allow_failed_imports=False)\n")
    assert "img_scales" in load_config(retina)
    assert "note:" not in capsys.readouterr().err
    ssd = tmp_path / "ssd.py"
    ssd.write_text("_base_ = 'mmdet::ssd/ssd300_coco.py'\n")
    assert load_config(ssd).cudnn_benchmark is True
    err = capsys.readouterr().err
    assert err.strip() == ("note: config key 'cudnn_benchmark' comes from ../_base_/models/ssd300.py (via "
                           "mmdet::ssd/ssd300_coco.py) and nothing here reads it; ignored")


def test_a_local_base_key_stays_an_error_naming_the_base(tmp_path):
    (tmp_path / "base.py").write_text(f"_base_ = '{SUPERNET}'\noptim_wraper = dict()\n")
    (tmp_path / "child.py").write_text("_base_ = './base.py'\n")
    with pytest.raises(ConfigError, match=r"'optim_wraper' \(set in ./base.py\) \(did you mean 'optim_wrapper'\?\)"):
        load_config(tmp_path / "child.py")


def test_an_unread_key_of_ones_own_is_an_error_and_a_variable_is_not(tmp_path):
    (tmp_path / "typo.py").write_text(f"_base_ = '{SUPERNET}'\nparam_schedular = []\n")
    with pytest.raises(ConfigError, match="'param_schedular' .*did you mean 'param_scheduler'"):
        load_config(tmp_path / "typo.py")
    (tmp_path / "var.py").write_text(f"_base_ = '{SUPERNET}'\nepochs = 3\ntrain_cfg = dict(max_epochs=epochs)\n")
    assert load_config(tmp_path / "var.py").train_cfg.max_epochs == 3
    (tmp_path / "cli.py").write_text(f"_base_ = '{SUPERNET}'\n")
    with pytest.raises(ConfigError, match="'max_epoch'"):  # a command-line key is the user's own
        load_config(tmp_path / "cli.py", {"max_epoch": 1})


MMDET_FOLDERS = ("retinanet", "faster_rcnn", "yolox", "rtmdet", "detr", "dino", "vfnet", "qdtrack", "ssd", "fcos",
                 "v3det")
#: stock configs that cannot load here, and why: an optional package, and a key FPN does not take (MMDetection's
#: own build fails on it too, so the check is not merely permissive)
MMDET_REFUSED = {"rtmdet/rtmdet_l_convnext_b_4xb32-100e_coco.py": "mmpretrain.models",
                 "v3det/fcos_swinb_fpn_8x4_sample1e-3_mstrain_v3det_2x.py":
                     "config key model.neck.force_grad_on_level is not a setting of FPN"}


def test_stock_mmdet_configs_pass_our_checks(capsys):
    """Every config of these MMDetection folders loads with our key checks (variables such as max_epochs,
    legacy keys in mmdet's own files, kwargs a class keeps, heads with several bases): our checks must not
    refuse what MMDetection runs."""
    mmdet = pytest.importorskip("mmdet")
    root = Path(mmdet.__file__).parent / ".mim" / "configs"
    files = sorted(p for folder in MMDET_FOLDERS for p in (root / folder).glob("*.py"))
    assert len(files) > 100
    refused = {}
    for path in files:
        try:
            load_config(path, register=register_for_config)  # as tools/train.py does
        except ConfigError as exc:
            refused[str(path.relative_to(root))] = str(exc)
    assert set(refused) == set(MMDET_REFUSED), refused
    for name, why in MMDET_REFUSED.items():
        assert why in refused[name]


# ---- nested typos ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("option,message", [
    ("optim_wrapper.optimizer.lrr", "config key optim_wrapper.optimizer.lrr is not a setting of SGD "
                                    "(did you mean optim_wrapper.optimizer.lr?)"),
    ("model.backbone.out_indice", "config key model.backbone.out_indice is not a setting of MixPathBackbone "
                                  "(did you mean model.backbone.out_indices?)"),
    ("model.bbox_head.num_clases", "config key model.bbox_head.num_clases is not a setting of RetinaHead "
                                   "(did you mean model.bbox_head.num_classes?)"),
])
def test_named_nested_typos_in_a_detection_config(option, message):
    pytest.importorskip("mmdet")
    with pytest.raises(ConfigError) as err:
        load_config(ROOT / "configs/retinanet_mixpath_a_shapes.py", {option: 1}, register=register_for_config)
    assert str(err.value) == message


def _typed_sections(cfg):
    """(dotted name, dict) of every typed dict our check covers: the model and its typed children, the optimizer."""
    out = []
    model = cfg.get("model")
    if isinstance(model, dict) and "type" in model:
        out.append(("model", model))
        out += [(f"model.{k}", v) for k, v in model.items()
                if isinstance(v, dict) and "type" in v and not k.endswith("_cfg")]
    optimizer = (cfg.get("optim_wrapper") or {}).get("optimizer")
    if isinstance(optimizer, dict) and "type" in optimizer:
        out.append(("optim_wrapper.optimizer", optimizer))
    return out


RUNNER_CONFIGS = sorted(str(p.relative_to(ROOT)) for p in ROOT.glob("configs/**/*.py")
                        if p.parts[-2] in ("supernet", "imagenet", "cifar10_transfer", "configs"))


@pytest.mark.parametrize("config", RUNNER_CONFIGS)
def test_a_misspelt_key_in_any_typed_section_is_one_line(config):
    """Every shipped Runner config: each key of each typed section, misspelt, stops with one line naming it."""
    if "retinanet" in config:
        pytest.importorskip("mmdet")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(ROOT)
        cfg = load_config(ROOT / config, register=register_for_config)
        checked = 0
        for name, section in _typed_sections(cfg):
            for key in [k for k in section if k not in ("type",) and not k.startswith("_")]:
                typo = f"{name}.{key}x"
                with pytest.raises(ConfigError) as err:
                    load_config(ROOT / config, {typo: section[key]}, register=register_for_config)
                assert str(err.value).startswith(f"config key {typo} is not a setting of "), str(err.value)
                checked += 1
        assert checked >= 3


def test_init_keys_follows_kwargs_only_where_they_are_passed_on():
    class Base:
        def __init__(self, depth=1):
            pass

    class Passes(Base):
        def __init__(self, width=2, **kwargs):
            super().__init__(**kwargs)

    class Keeps(Base):
        def __init__(self, width=2, **kwargs):
            super().__init__()

    class Other:
        def __init__(self, strides=1):
            pass

    class Two(Passes, Other):
        def __init__(self, **kwargs):
            super(Passes, self).__init__(**kwargs)  # skips Passes, as MMDetection's VFNetHead does

    assert init_keys(Passes) == {"width", "depth"}
    assert init_keys(Keeps) is None
    assert {"width", "depth", "strides"} <= init_keys(Two)


def test_a_build_error_is_one_line_without_the_config_dump(tmp_path):
    cmd = [sys.executable, str(ROOT / "tools/train.py"), SUPERNET, "--work-dir", str(tmp_path / "w"),
           "--cfg-options", "model.network.type=S9Supernet"]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert proc.returncode == 2
    out = proc.stdout + proc.stderr
    assert "Config:" not in out and "System environment" not in out, out[-3000:]
    assert out.strip().splitlines()[-1].startswith("error: unknown type in config: unknown network 'S9Supernet'")


# ---- a checkout imported as it is ------------------------------------------------------------------------------

def test_tools_run_from_a_checkout_without_an_editable_install(tmp_path):
    """A copy of the tracked files (no mixpath_bench/.mim: a regular install elsewhere, or none) imports its own
    package first, as tools/*.py do; the package's data are then the checkout's own folders."""
    files = subprocess.run(["git", "ls-files"], capture_output=True, text=True, cwd=ROOT, check=True).stdout.split()
    if not files:
        pytest.skip("not a git checkout")
    copy = tmp_path / "checkout"
    for name in files:
        src, dst = ROOT / name, copy / name
        if src.is_file():
            dst.parent.mkdir(parents=True, exist_ok=True)
            dst.write_bytes(src.read_bytes())
    assert not (copy / "mixpath_bench" / ".mim").exists()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    probe = subprocess.run([sys.executable, "-c", "import mixpath_bench.package_data as p; print(p.DATA_ROOT); "
                            "print(p.shipped_config('supernet/s1_cifar10.py'))"],
                           capture_output=True, text=True, cwd=copy, env=env, timeout=60)
    assert probe.returncode == 0, probe.stderr[-2000:]
    assert probe.stdout.split() == [str(copy), str(copy / "configs/supernet/s1_cifar10.py")]
    listed = subprocess.run([sys.executable, "-m", "mixpath_bench", "--help"], capture_output=True, text=True, cwd=copy,
                            env=env, timeout=60)
    assert listed.returncode == 0 and "train" in listed.stdout, listed.stderr[-2000:]
    evaluate = subprocess.run([sys.executable, "tools/evaluate.py", "mixpath_bench::supernet/s1_cifar10.py",
                               "missing.pth", "--arch", "mixpath_a"], capture_output=True, text=True, cwd=copy,
                              env=env, timeout=120)
    assert evaluate.returncode == 2 and "package's data folder" not in evaluate.stderr, evaluate.stderr[-2000:]


def test_no_tracked_file_holds_a_development_machines_path():
    files = subprocess.run(["git", "ls-files"], capture_output=True, text=True, cwd=ROOT, check=True).stdout.split()
    if not files:
        pytest.skip("not a git checkout")
    pattern = ("/work/", "/home/", "/Users/", "/root/", "C:\\Users", "/opt/pypi")
    found = []
    for name in files:
        path = ROOT / name
        if path.suffix in (".png", ".pdf", ".safetensors") or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        found += [f"{name}: {p}" for p in pattern if p in text and name != "tests/engine/test_config_names_and_keys.py"]
    assert not found, found


@pytest.mark.parametrize("alias", sorted(p.name for p in (ROOT / "configs/retinanet").glob("*.py")))
def test_mmdet_style_names_are_the_same_configs(alias):
    """configs/retinanet/retinanet_<backbone>_fpn_1x_coco.py (MMDetection's naming) is the short-named config."""
    pytest.importorskip("mmdet")
    text = (ROOT / "configs/retinanet" / alias).read_text()
    target = text.split("_base_ = '../", 1)[1].split("'", 1)[0]
    assert alias.startswith("retinanet_") and "_fpn_1x_" in alias
    assert Config.fromfile(ROOT / "configs/retinanet" / alias).to_dict() == \
        Config.fromfile(ROOT / "configs" / target).to_dict()
    assert load_config(f"mixpath_bench::retinanet/{alias}").model.type == "RetinaNet"


def test_a_config_names_a_shipped_supernet_config_by_name(tmp_path):
    from mixpath_bench.package_data import config_reference

    found = config_reference(SUPERNET, tmp_path / "experiment.py", "supernet_config")
    assert found.samefile(ROOT / "configs/supernet/s4_nb101_mnist5k.py")
    with pytest.raises(ConfigError, match="no shipped config mixpath_bench::supernet/nope.py"):
        config_reference("mixpath_bench::supernet/nope.py", tmp_path / "experiment.py", "supernet_config")


def test_setting_a_variable_again_is_refused_because_it_changes_nothing(tmp_path):
    """MMEngine computes a base's values when it reads the base: a child (or --cfg-options) setting the base's
    variable again would change nothing, silently."""
    (tmp_path / "base.py").write_text(f"_base_ = '{SUPERNET}'\nepochs = 12\ntrain_cfg = dict(max_epochs=epochs)\n")
    (tmp_path / "child.py").write_text("_base_ = './base.py'\nepochs = 24\n")
    with pytest.raises(ConfigError, match="config key 'epochs' set in child.py changes nothing: it is a variable that "
                                          "./base.py reads"):
        load_config(tmp_path / "child.py")
    with pytest.raises(ConfigError, match="'epochs' set on the command line changes nothing"):
        load_config(tmp_path / "base.py", {"epochs": 24})
    (tmp_path / "reads.py").write_text("_base_ = './base.py'\nepochs = 24\ntrain_cfg = dict(max_epochs=epochs)\n")
    assert load_config(tmp_path / "reads.py").train_cfg.max_epochs == 24  # read where it is set: fine
    assert load_config(tmp_path / "base.py").train_cfg.max_epochs == 12


@pytest.mark.parametrize("name", ["mixpath_bench::" + "a" * 300 + ".py", "b" * 300 + ".py", "c\x00.py"])
def test_names_the_os_cannot_look_up_are_one_line(name):
    with pytest.raises(ConfigError) as err:
        load_config(name)
    assert "\n" not in str(err.value)


def test_hints_never_name_a_path_outside_the_shipped_configs(tmp_path, monkeypatch):
    from mixpath_bench.package_data import missing_config_hint

    monkeypatch.chdir(tmp_path)
    for given in ("../setup.py", "configs/../README.md", "_base_/../../mixpath_bench/__init__.py"):
        assert "shipped config of that name" not in missing_config_hint(given)


def test_a_link_out_of_the_shipped_configs_is_not_a_shipped_config(tmp_path, monkeypatch):
    import mixpath_bench.package_data as package_data

    for folder in ("configs", "model_zoo", "tools"):
        (tmp_path / "data" / folder).mkdir(parents=True)
    (tmp_path / "secret.py").write_text("x = 1\n")
    (tmp_path / "data" / "configs" / "leak.py").symlink_to(tmp_path / "secret.py")
    (tmp_path / "data" / "configs" / "real.py").write_text("y = 1\n")
    monkeypatch.setattr(package_data, "DATA_ROOT", tmp_path / "data")
    assert package_data.shipped_config("real.py").is_file()
    with pytest.raises(ConfigError, match="no shipped config mixpath_bench::leak.py"):
        package_data.shipped_config("leak.py")


def test_init_keys_counts_torch_bases_and_reads_code_not_comments():
    import torch

    class Mixin:
        def __init__(self, *args, tag=None, **kwargs):
            super().__init__(*args, **kwargs)

    class TaggedSGD(Mixin, torch.optim.SGD):
        pass

    assert {"tag", "lr", "momentum"} <= init_keys(TaggedSGD)

    class Base:
        def __init__(self, depth=1):
            pass

    class Keeps(Base):
        def __init__(self, a=1, **kwargs):
            # super().__init__(**kwargs)
            super().__init__()

    assert init_keys(Keeps) is None
