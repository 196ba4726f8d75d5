"""Files the package reads at run time: ``configs/``, ``model_zoo/`` and ``tools/``.

They live at the repository root, where users edit and run them, and ship inside the package
under ``mixpath_bench/.mim/`` (the OpenMMLab convention): a wheel or sdist build copies them
there, an editable install (``pip install -e .``) links them there.  Library code finds them
through this module only, so an installed package never looks for a checkout.
"""
from __future__ import annotations

from pathlib import Path

from .errors import UserError

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
