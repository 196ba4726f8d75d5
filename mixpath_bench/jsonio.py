"""Atomic JSON files: an interrupted write never leaves a half-written result or checkpoint."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .errors import UserError


def save_json_atomic(path: str | Path, obj: Any) -> None:
    """Write `obj` as JSON to a temporary file, fsync it, then rename it over `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w") as fh:
        json.dump(obj, fh, indent=1)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def load_json(path: str | Path, error: type[UserError] = UserError) -> Any:
    """Read JSON; a missing or malformed file raises `error` with a one-line message."""
    path = Path(path)
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise error(f"{path} does not exist") from None
    except json.JSONDecodeError as exc:
        raise error(f"{path} is not valid JSON ({exc}); delete it to start over") from None
