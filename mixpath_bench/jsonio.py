"""Atomic files: an interrupted write never leaves a half-written result, report or checkpoint.

Every file is written to a fresh temporary file created with O_EXCL in the target's folder (so a
link planted under any name is never followed) and renamed over the target (a link at the target
is replaced, not followed).  Appends (`append_line`) and the work-dir lock open with O_NOFOLLOW.
An OSError (a full disk, a read-only or forbidden folder) becomes one line naming the path, and
the temporary file is removed: the target keeps its old content.
"""
from __future__ import annotations

import errno
import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from .errors import UserError


class WriteError(UserError, OSError):
    """A file could not be written (disk full, read-only or forbidden folder, a planted link)."""


def write_failed(path: str | Path, exc: OSError) -> WriteError:
    """The one-line error for an OSError while writing `path`."""
    reason = {errno.ENOSPC: "the disk is full", errno.EROFS: "the file system is read-only",
              errno.EACCES: "permission denied", errno.EPERM: "permission denied", errno.EDQUOT: "disk quota exceeded",
              errno.ELOOP: "it is a symbolic link (refused: writes never follow links)",
              errno.ENOTDIR: "a part of its path is a file"}.get(exc.errno, exc.strerror or type(exc).__name__)
    return WriteError(f"cannot write {path}: {reason}; nothing was changed there")


def save_json_atomic(path: str | Path, obj: Any) -> None:
    """Write `obj` as JSON to a fresh temporary file, fsync it, then rename it over `path`."""
    text = json.dumps(obj, indent=1)
    write_text_atomic(path, text)


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A unique temporary path in `path`'s folder; renamed over `path` when the block ends without error.

    For writers that take a file name (``fig.savefig(tmp)``); on an error the temporary file is removed
    and `path` keeps its old content.  The temporary name keeps `path`'s suffix (savefig reads it).
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}", dir=path.parent)
    except OSError as exc:
        raise write_failed(path, exc) from None
    os.close(fd)
    tmp = Path(name)
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(tmp, 0o666 & ~mask)  # mkstemp makes it private; a result is an ordinary file
    try:
        yield tmp
        os.replace(tmp, path)
    except OSError as exc:
        if isinstance(exc, WriteError):
            raise
        raise write_failed(path, exc) from None
    finally:
        tmp.unlink(missing_ok=True)


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write `text` to a fresh temporary file in the same folder, fsync it, then rename it over `path`."""
    with atomic_path(path) as tmp:
        fd = os.open(tmp, os.O_WRONLY | os.O_TRUNC | os.O_NOFOLLOW)
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
    return Path(path)


def append_line(path: str | Path, line: str) -> None:
    """Append `line` (newline added) to `path`, created if missing; a link there is refused, not followed."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o644)
        with os.fdopen(fd, "a") as fh:
            fh.write(line + "\n")
    except OSError as exc:
        raise write_failed(path, exc) from None


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
