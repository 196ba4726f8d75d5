"""`pip install .` (not editable) gives a working toolkit outside the checkout.

The wheel is built from a copy of the working tree and installed with `--no-deps` into a fresh venv
that sees this venv's third-party packages through a `.pth` file (fast and offline).  From a scratch
directory, with the checkout nowhere on `sys.path`, the installed package builds `mixpath_a`, reads
the zoo manifest, loads a shipped config and takes one training step of a small supernet.
"""
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ROOT_ONLY = {"work_dirs", "data", "build", "dist"}  # and every hidden folder (.git, .venv, ...)
ANYWHERE = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", ".mim")


def not_sources(folder: str, names: list[str]) -> set[str]:
    """What a copy of the working tree leaves out: ignored root folders and build leftovers."""
    at_root = {n for n in names if n in ROOT_ONLY or n.startswith(".")} if Path(folder) == ROOT else set()
    return set(ANYWHERE(folder, names)) | at_root
SHIPPED = ["configs/supernet/s1_mnist5k.py", "configs/_base_/supernet_recipe.py", "model_zoo/zoo.json",
           "model_zoo/archs/mixpath_a.json", "tools/train.py"]

# run by the fresh venv's interpreter, from a scratch directory
CHECK = r'''
import copy, json, sys
import torch
from mmengine.optim import OptimWrapper
from mmengine.runner import Runner
import mixpath_bench
import mixpath_bench.data  # noqa: F401 - registers datasets and collate
from mixpath_bench.engine.config import load_config
from mixpath_bench.engine.model import MixPathClassifier
from mixpath_bench.models.named import create_model, list_archs
from mixpath_bench.package_data import data_path
from mixpath_bench.zoo import load_manifest

net = create_model("mixpath_a")
config = data_path("configs", "supernet", "s1_mnist5k.py")
cfg = load_config(config)
torch.manual_seed(0)
model = MixPathClassifier(dict(cfg.model.network), dict(cfg.model.data_preprocessor), seed=0)
loader = copy.deepcopy(cfg.train_dataloader)
loader["batch_size"] = 8
batch = next(iter(Runner.build_dataloader(loader, seed=0)))
before = [p.detach().clone() for p in model.parameters()]
loss = model.train_step(batch, OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1)))["loss"]
print(json.dumps({
    "package": mixpath_bench.__file__, "sys_path": sys.path, "archs": list_archs(),
    "mixpath_a_params": sum(p.numel() for p in net.parameters()), "zoo": sorted(load_manifest()),
    "config": str(config), "loss": loss.item(),
    "changed": sum(not torch.equal(a, b) for a, b in zip(before, model.parameters()))}))
'''


def run(cmd, cwd, timeout=300):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "PIP_REQUIRE_VIRTUALENV")}
    out = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, f"{' '.join(map(str, cmd))[:300]}\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}"
    return out.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built (not editable) from a copy of the working tree, so the checkout gets no build/."""
    base = tmp_path_factory.mktemp("wheel")
    shutil.copytree(ROOT, base / "src", ignore=not_sources)
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q",
         "-w", base / "dist", base / "src"], cwd=base)
    (built,) = (base / "dist").glob("mixpath_bench-*.whl")
    return built


def test_wheel_ships_the_runtime_files(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [f for f in SHIPPED if f"mixpath_bench/.mim/{f}" not in names]
    assert not missing, missing
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "mixpath = mixpath_bench.launcher:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_installed_wheel_works_outside_the_checkout(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = Path(run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], tmp_path).strip())
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "third_party_of_the_test_venv.pth").write_text("\n".join(sorted(ours)) + "\n")
    run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "-q", wheel],
        cwd=tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    report = json.loads(run([python, "-c", CHECK], cwd=elsewhere).strip().splitlines()[-1])
    assert Path(report["package"]).is_relative_to(env_dir), report["package"]
    assert ROOT not in [Path(p).resolve() if p else elsewhere for p in report["sys_path"]]
    assert Path(report["config"]).is_relative_to(site / "mixpath_bench" / ".mim" / "configs")
    assert {"mixpath_a", "mixpath_b"} <= set(report["archs"]) and "mixpath_a" in report["zoo"]
    assert 4e6 < report["mixpath_a_params"] < 6e6
    assert report["loss"] > 0 and report["changed"] > 0
    usage = run([env_dir / "bin" / "mixpath", "download", "--help"], cwd=elsewhere)
    assert usage.startswith("usage:")


def test_sdist_carries_what_the_wheel_copies(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=not_sources)
    run([sys.executable, "setup.py", "-q", "sdist", "-d", tmp_path / "sdist"], cwd=src)
    (tarball,) = (tmp_path / "sdist").glob("*.tar.gz")
    names = {n.split("/", 1)[1] for n in tarfile.open(tarball).getnames() if "/" in n}
    assert set(SHIPPED) | {"setup.py", "MANIFEST.in"} <= names, sorted(set(SHIPPED) - names)
    assert not [n for n in names if ".mim" in n or "__pycache__" in n]
