"""Files the package reads at run time: ``configs/``, ``model_zoo/`` and ``tools/``.

They live at the repository root, where users edit and run them, and ship inside the package
under ``mixpath_bench/.mim/`` (the OpenMMLab convention): a wheel or sdist build copies them
there, an editable install (``pip install -e .``) links them there.  A checkout imported as it is
(``python tools/train.py`` beside a regular install, or no install) has no ``.mim/``: its own root
folders are the data.  Library code finds them through this module only.

Shipped configs have names: ``mixpath_bench::supernet/s4_nb101_mnist5k.py`` (OpenMMLab's
``package::path`` form) on every tool's command line, in a config's ``_base_`` and wherever a
config names another (``supernet_config``).  MMEngine resolves ``package::`` bases only for its own
table of OpenMMLab packages, so `enable_config_names` teaches it this one name (``import
mixpath_bench`` does it).
"""
from __future__ import annotations

import difflib
import os
from pathlib import Path

from .errors import ConfigError, UserError

PACKAGE_DIR = Path(__file__).resolve().parent
SHIPPED = ("configs", "model_zoo", "tools")
#: the ``package::`` prefix of shipped config names
CONFIG_PREFIX = "mixpath_bench::"


def _data_root() -> Path:
    mim = PACKAGE_DIR / ".mim"
    checkout = PACKAGE_DIR.parent
    if not mim.is_dir() and (checkout / "setup.py").is_file() and all((checkout / n).is_dir() for n in SHIPPED):
        return checkout  # a checkout on sys.path without an editable install
    return mim


DATA_ROOT = _data_root()


def data_path(*parts: str) -> Path:
    """Path of a shipped file or folder, e.g. ``data_path("model_zoo", "zoo.json")``."""
    if parts and parts[0] not in SHIPPED:
        raise ValueError(f"{parts[0]!r} is not shipped with the package; shipped: {', '.join(SHIPPED)}")
    if not (DATA_ROOT / parts[0] if parts else DATA_ROOT).exists():
        raise UserError(f"the package's data folder {DATA_ROOT} is missing or incomplete; reinstall the package "
                        "(in a checkout: pip install -e .)")
    return (DATA_ROOT.joinpath(*parts)).resolve()


def arch_dir() -> Path:
    """Folder of the named architecture files: ``model_zoo/archs`` as shipped (``$MIXPATH_ARCH_DIR`` overrides)."""
    env = os.environ.get("MIXPATH_ARCH_DIR")
    return Path(env) if env else data_path("model_zoo", "archs")


def list_archs() -> list[str]:
    """Names of the named architecture files (what ``create_model(name)`` takes)."""
    return sorted(p.stem for p in arch_dir().glob("*.json"))


def is_file(path: str | Path) -> bool:
    """``Path.is_file`` that answers False for a name the OS cannot look up (too long, a NUL byte)."""
    try:
        return Path(path).is_file()
    except (OSError, ValueError):
        return False


def shipped_configs() -> list[str]:
    """Names (``folder/file.py``, relative to the shipped ``configs/``) of every shipped config."""
    root = data_path("configs")
    return sorted(str(p.relative_to(root)) for p in root.rglob("*.py") if "__pycache__" not in p.parts)


def _shipped_file(name: str) -> Path | None:
    """The file NAME (relative to the shipped ``configs/``) if it is one; None otherwise (also for a name
    that leaves ``configs/``: ``..``, absolute, a link out)."""
    root = data_path("configs")
    parts = Path(name).parts
    if not name or Path(name).is_absolute() or ".." in parts:
        return None
    path = root.joinpath(*parts)
    return path if is_file(path) and path.resolve().is_relative_to(root) else None


def shipped_config(name: str) -> Path:
    """The shipped config ``mixpath_bench::NAME`` (NAME relative to ``configs/``, e.g. ``supernet/s1_cifar10.py``)."""
    name = str(name)
    if name.startswith(CONFIG_PREFIX):
        name = name[len(CONFIG_PREFIX):]
    if not name or Path(name).is_absolute() or ".." in Path(name).parts:
        raise ConfigError(f"{CONFIG_PREFIX}{name}: a shipped config is named by its path inside configs/, "
                          f"e.g. {CONFIG_PREFIX}supernet/s4_nb101_mnist5k.py")
    path = _shipped_file(name)
    if path is None:
        names = shipped_configs()
        close = difflib.get_close_matches(name, names, n=1, cutoff=0.5)
        hint = f"did you mean {CONFIG_PREFIX}{close[0]}?" if close else f"shipped: {', '.join(names)}"
        raise ConfigError(f"no shipped config {CONFIG_PREFIX}{name} ({hint})")
    return path


def missing_config_hint(path: str | Path) -> str:
    """What to say after "config file PATH does not exist": the shipped config of that name, if any."""
    text = Path(path).as_posix()
    for rel in (text[len("configs/"):] if text.startswith("configs/") else None, text):
        if rel and _shipped_file(rel) is not None:
            return f"; the shipped config of that name is {CONFIG_PREFIX}{rel}"
    if Path(path).is_absolute() or ".." in Path(path).parts:
        return ""
    return f" (shipped configs are named like {CONFIG_PREFIX}supernet/s4_nb101_mnist5k.py)"


def config_path(value: str | Path) -> Path:
    """A config argument as a path: ``mixpath_bench::NAME`` is a shipped config, anything else a file path."""
    if str(value).startswith(CONFIG_PREFIX):
        return shipped_config(str(value))
    return Path(value)


def config_reference(value: str | Path, config_file: str | Path, key: str) -> Path:
    """The file a config names under `key` (e.g. ``supernet_config``).

    ``mixpath_bench::NAME`` is a shipped config.  A relative path is tried relative to the current
    directory, then to the naming config's folder, then among the package's shipped files (so
    ``'configs/supernet/x.py'`` works from any directory and after a regular install); a missing file
    is one `ConfigError` naming where it looked.
    """
    if str(value).startswith(CONFIG_PREFIX):
        return shipped_config(str(value))
    path = Path(str(value))
    tried = [path] if path.is_absolute() else [path, Path(config_file).parent / path, DATA_ROOT / path]
    for candidate in tried:
        if is_file(candidate):
            return candidate
    raise ConfigError(f"{key} = {str(value)!r} in {config_file}: no such file (looked for "
                      + ", ".join(str(c) for c in dict.fromkeys(tried)) + ")")


def enable_config_names() -> None:
    """Let MMEngine's ``Config.fromfile`` resolve ``_base_ = 'mixpath_bench::NAME'`` (idempotent).

    MMEngine maps ``package::`` only for the OpenMMLab packages it lists and asserts on any other;
    this wraps its path lookup so this one prefix resolves to the shipped file (with no ``_scope_``
    added: the shipped configs name their own scope) and every other path goes through unchanged.
    """
    try:
        from mmengine.config import Config
    except ImportError:  # mmengine missing: the tools say so when they need it
        return
    original = Config._get_cfg_path
    if getattr(original, "_mixpath_names", False):
        return

    def _get_cfg_path(cfg_path: str, filename: str):
        if isinstance(cfg_path, str) and cfg_path.startswith(CONFIG_PREFIX):
            return str(shipped_config(cfg_path)), None
        return original(cfg_path, filename)

    _get_cfg_path._mixpath_names = True
    Config._get_cfg_path = staticmethod(_get_cfg_path)
