"""One writer per work dir: `lock_work_dir(path)` or refuse with one line naming the holder.

The lock is an advisory `flock` on ``<work dir>/.lock``; the kernel releases it when its holder
exits, however it exits (SIGKILL included), so a crashed run never leaves a lock behind.  The
file also records who holds it (pid, host, start time) for the message a second run prints.
On file systems without `flock` (some network mounts) a lock whose pid is dead on this host
is taken over.  Standard library only: the experiment pipeline and tools can use it freely.
"""
from __future__ import annotations

import errno
import fcntl
import json
import os
import socket
import time
from pathlib import Path

from ..errors import UserError

LOCK_NAME = ".lock"


class WorkDirBusy(UserError):
    """Another process writes into the same work dir."""


class WorkDirLock:
    """A held work-dir lock; `release()` (or process exit) frees it."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd = fd

    def release(self) -> None:
        if self._fd < 0:
            return
        try:
            os.ftruncate(self._fd, 0)  # a released lock names nobody
        finally:
            os.close(self._fd)  # closing drops the flock
            self._fd = -1

    def __enter__(self) -> "WorkDirLock":
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def lock_work_dir(work_dir: str | Path, purpose: str = "") -> WorkDirLock:
    """Take `work_dir`'s lock (creating the folder) or raise `WorkDirBusy` naming its holder."""
    path = Path(work_dir) / LOCK_NAME
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)  # a planted link is refused
    except (FileExistsError, NotADirectoryError):
        raise UserError(f"work dir {work_dir} is a file (or lies under one); choose a folder") from None
    except PermissionError:
        raise UserError(f"work dir {work_dir} cannot be written (permission denied); choose another folder") from None
    except OSError as exc:
        from ..jsonio import write_failed

        raise write_failed(path, exc) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            holder = _read_holder(fd)
            os.close(fd)
            raise WorkDirBusy(f"work dir {work_dir} is in use by {_describe(holder)}; wait for that run to "
                              "finish or choose another work dir") from None
        if not _dead_holder_or_none(_read_holder(fd)):  # no flock here: fall back on the recorded pid
            holder = _read_holder(fd)
            os.close(fd)
            raise WorkDirBusy(f"work dir {work_dir} is in use by {_describe(holder)} (no file locking on this "
                              "file system); wait for it, or delete the .lock file if that run is gone") from None
    info = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.strftime("%Y-%m-%d %H:%M:%S"),
            "purpose": purpose}
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(info) + "\n").encode(), 0)
        os.fsync(fd)
    except OSError as exc:  # a full disk: the lock is still held (flock), only its note is missing
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
            os.close(fd)
            from ..jsonio import write_failed

            raise write_failed(path, exc) from None
    held = WorkDirLock(path, fd)
    link = _first_link(Path(work_dir))
    if link is not None:  # every writer (ours and MMEngine's: logs, last_checkpoint) would follow it
        held.release()
        from ..jsonio import WriteError

        raise WriteError(f"work dir {work_dir} holds a symbolic link, {link} -> {os.readlink(link)}; writes never "
                         "follow links: remove it (or choose another work dir)")
    return held


def _first_link(folder: Path) -> Path | None:
    """The first symbolic link found inside `folder` (links are not followed), or None."""
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            if os.path.islink(os.path.join(root, name)):
                return Path(root) / name
    return None


def _read_holder(fd: int) -> dict:
    try:
        return json.loads(os.pread(fd, 4096, 0).decode() or "{}")
    except (ValueError, UnicodeDecodeError, OSError):
        return {}


def _dead_holder_or_none(holder: dict) -> bool:
    """True when the recorded holder is absent or a pid that no longer runs on this host."""
    if not holder.get("pid"):
        return True
    if holder.get("host") != socket.gethostname():
        return False  # cannot tell from here: keep out
    try:
        os.kill(int(holder["pid"]), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, ValueError):
        return False
    return False


def _describe(holder: dict) -> str:
    if not holder.get("pid"):
        return "another process (starting up)"
    what = f" ({holder['purpose']})" if holder.get("purpose") else ""
    return f"pid {holder['pid']} on {holder.get('host', '?')} since {holder.get('started', '?')}{what}"
