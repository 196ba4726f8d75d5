"""Files the package reads at run time: ``configs/``, ``model_zoo/`` and ``tools/``.

They live at the repository root, where users edit and run them, and ship inside the package
under ``mixpath_bench/.mim/`` (the OpenMMLab convention): a wheel or sdist build copies them
there, an editable install (``pip install -e .``) links them there.  Library code finds them
through this module only, so an installed package never looks for a checkout.
"""
from __future__ import annotations

from pathlib import Path

from .errors import ConfigError, UserError

DATA_ROOT = Path(__file__).resolve().parent / ".mim"
SHIPPED = ("configs", "model_zoo", "tools")


def data_path(*parts: str) -> Path:
    """Path of a shipped file or folder, e.g. ``data_path("model_zoo", "zoo.json")``."""
    if parts and parts[0] not in SHIPPED:
        raise ValueError(f"{parts[0]!r} is not shipped with the package; shipped: {', '.join(SHIPPED)}")
    if not (DATA_ROOT / parts[0] if parts else DATA_ROOT).exists():
        raise UserError(f"the package's data folder {DATA_ROOT} is missing or incomplete; reinstall the package "
                        "(in a checkout: pip install -e .)")
    return (DATA_ROOT.joinpath(*parts)).resolve()


def config_reference(value: str | Path, config_file: str | Path, key: str) -> Path:
    """The file a config names under `key` (e.g. ``supernet_config``).

    A relative path is tried relative to the current directory, then to the naming config's folder,
    then among the package's shipped files (so ``'configs/supernet/x.py'`` works from any directory
    and after a regular install); a missing file is one `ConfigError` naming where it looked.
    """
    path = Path(str(value))
    tried = [path] if path.is_absolute() else [path, Path(config_file).parent / path, DATA_ROOT / path]
    for candidate in tried:
        if candidate.is_file():
            return candidate
    raise ConfigError(f"{key} = {str(value)!r} in {config_file}: no such file (looked for "
                    + ", ".join(str(c) for c in dict.fromkeys(tried)) + ")")
