"""Atomic files: an interrupted write never leaves a half-written result, report or checkpoint."""
from __future__ import annotations

import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

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


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A unique temporary path in `path`'s folder; renamed over `path` when the block ends without error.

    For writers that take a file name (``fig.savefig(tmp)``); on an error the temporary file is removed
    and `path` keeps its old content.  The temporary name keeps `path`'s suffix (savefig reads it).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write `text` to a temporary file in the same folder, fsync it, then rename it over `path`."""
    with atomic_path(path) as tmp:
        with tmp.open("w") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
    return Path(path)


def load_json(path: str | Path, error: type[UserError] = UserError) -> Any:
    """Read JSON; a missing or malformed file raises `error` with a one-line message."""
    path = Path(path)
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise error(f"{path} does not exist") from None
    except json.JSONDecodeError as exc:
        raise error(f"{path} is not valid JSON ({exc}); delete it to start over") from None


def json_round_trip(obj: Any) -> Any:
    """`obj` as it reads back from JSON (tuples become lists; other objects their str)."""
    return json.loads(json.dumps(obj, default=str))
