"""mixpath-bench packaging.

Besides the `mixpath_bench` package, the files it reads at run time - `configs/`, `model_zoo/`
(zoo manifest, named architectures) and `tools/` - ship inside it under `mixpath_bench/.mim/`, as
OpenMMLab packages do: a wheel (or an sdist's wheel) gets copies, an editable install
(`pip install -e .`) gets links back to the repository root, so edits there take effect at once.
`mixpath_bench.package_data.data_path()` is how the library finds them.
"""
import shutil
from pathlib import Path

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

try:  # `setup.py develop`, which newer setuptools may drop (pip's editable installs use build_py)
    from setuptools.command.develop import develop
except ImportError:
    develop = None

ROOT = Path(__file__).resolve().parent
SHIPPED = ("configs", "model_zoo", "tools")  # keep in step with mixpath_bench/package_data.py
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo")


def _clear(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)


def copy_shipped(package_dir: Path) -> None:
    """Copy the shipped folders into `package_dir/.mim/` (a wheel's build folder)."""
    for name in SHIPPED:
        target = package_dir / ".mim" / name
        _clear(target)
        shutil.copytree(ROOT / name, target, ignore=IGNORE)


def link_shipped() -> None:
    """Link `mixpath_bench/.mim/<folder>` to the repository root's folders (editable installs)."""
    mim = ROOT / "mixpath_bench" / ".mim"
    mim.mkdir(exist_ok=True)
    for name in SHIPPED:
        target = mim / name
        if target.is_symlink() and target.resolve() == (ROOT / name).resolve():
            continue
        _clear(target)
        try:
            target.symlink_to(Path("..", "..", name), target_is_directory=True)
        except OSError:  # no symlinks (Windows without developer mode): a copy, refreshed on reinstall
            shutil.copytree(ROOT / name, target, ignore=IGNORE)


class BuildPyWithData(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            link_shipped()
        else:
            copy_shipped(Path(self.build_lib) / "mixpath_bench")


if develop is not None:
    class DevelopWithData(develop):
        def run(self):
            link_shipped()
            super().run()


setup(
    name="mixpath-bench",
    version="0.1.0",
    description="MixPath multi-path one-shot NAS: Shadow-BN supernets, search, ranking and transfer",
    long_description=(ROOT / "README.md").read_text(encoding="utf-8") if (ROOT / "README.md").exists() else "",
    long_description_content_type="text/markdown",
    python_requires=">=3.10",
    packages=find_packages(include=["mixpath_bench", "mixpath_bench.*"]),
    cmdclass={"build_py": BuildPyWithData, **({"develop": DevelopWithData} if develop else {})},
    entry_points={"console_scripts": ["mixpath = mixpath_bench.launcher:main"]},
    install_requires=[
        "torch>=2.1",
        "torchvision>=0.16",
        "timm>=0.9",
        "mmengine>=0.10,<0.11",
        # MMEngine resolves `mmdet::` config bases through pkg_resources, which setuptools 81 removed
        "setuptools<81",
        "fvcore>=0.1.5",
        "pymoo>=0.6",
        "numpy>=1.24",
        "scipy>=1.10",
        "scikit-learn>=1.2",
        "matplotlib>=3.7",
        "pillow>=9",
        "safetensors>=0.4",
        "nasbench-pytorch>=1.3",
        "mlxtend>=0.23",
    ],
    extras_require={
        "det": ["mmdet==3.3.0", "mmcv-lite==2.1.0", "pycocotools>=2.0"],
        "dev": ["pytest>=7", "pytest-timeout>=2"],
        "ray": ["ray>=2.40"],
    },
)
