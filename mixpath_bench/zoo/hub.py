"""Model zoo: verified downloads of published weights (safetensors only, never unpickled).

`load_pretrained(name)` finds `name` in the manifest (``model_zoo/zoo.json``; ``$MIXPATH_ZOO_MANIFEST``
overrides), downloads ``url`` into the cache (``$MIXPATH_CACHE``, default ``~/.cache/mixpath_bench``)
through a temporary file of its own, stops past the entry's ``size_bytes``, checks its sha256 before
renaming it into place - so an interrupted, oversized or corrupted transfer never leaves a file that
looks valid, and two concurrent downloads of one entry both succeed - and loads it with safetensors.
Manifest names and files are plain file names (no folders, no ``..``): nothing is written outside
the cache.  ``offline=True`` (or ``MIXPATH_OFFLINE=1``) uses the cache only; ``file://`` URLs (a
local mirror) are accepted only with ``local_urls=True`` (or ``MIXPATH_ZOO_LOCAL=1``).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Callable

from ..errors import UserError
from ..package_data import data_path


class ZooError(UserError):
    """Unknown model, no published weights, checksum mismatch, no network, a malformed manifest."""


#: A manifest name or file: a plain file name (no folder separators, no "..", not hidden).
SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,199}")
#: Download limit for an entry that does not say its size (bytes).
DEFAULT_MAX_BYTES = 4 << 30


def manifest_path() -> Path:
    env = os.environ.get("MIXPATH_ZOO_MANIFEST")
    return Path(env) if env else data_path("model_zoo", "zoo.json")


def cache_dir() -> Path:
    return Path(os.environ.get("MIXPATH_CACHE", Path.home() / ".cache" / "mixpath_bench")) / "weights"


def load_manifest(path: str | Path | None = None) -> dict[str, dict]:
    """{name: entry} from the manifest."""
    path = Path(path) if path else manifest_path()
    try:
        entries = json.loads(path.read_text())["models"]
    except FileNotFoundError:
        raise ZooError(f"model zoo manifest {path} does not exist") from None
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise ZooError(f"model zoo manifest {path} is malformed ({exc})") from None
    if not isinstance(entries, list):
        raise ZooError(f"model zoo manifest {path} is malformed ('models' is not a list)")
    out: dict[str, dict] = {}
    for i, entry in enumerate(entries):
        check_entry(entry, f"model zoo manifest {path}, entry {i}")
        if entry["name"] in out:
            raise ZooError(f"model zoo manifest {path} names {entry['name']!r} twice")
        out[entry["name"]] = entry
    return out


def check_entry(entry: Any, where: str) -> None:
    """A manifest entry's name and file must be plain file names; a downloadable entry needs a file."""
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
        raise ZooError(f"{where} has no name")
    name = entry["name"]
    if not SAFE_NAME.fullmatch(name) or ".." in name:
        raise ZooError(f"{where}: name {name!r} must be a plain name (letters, digits, . _ + -; no folders)")
    file = entry.get("file")
    if file is not None and (not isinstance(file, str) or not SAFE_NAME.fullmatch(file) or ".." in file):
        raise ZooError(f"{where} ({name}): file {file!r} must be a plain file name inside the cache "
                       "(no folders, no absolute path, no '..')")
    if entry.get("url") and not file:
        raise ZooError(f"{where} ({name}) has a url but no file")
    size = entry.get("size_bytes")
    if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size <= 0):
        raise ZooError(f"{where} ({name}): size_bytes must be a positive integer, got {size!r}")


def get_entry(name: str, manifest: str | Path | None = None) -> dict:
    entries = load_manifest(manifest)
    if name not in entries:
        raise ZooError(f"unknown model {name!r}; the zoo has: {', '.join(sorted(entries))}")
    return entries[name]


def sha256_of(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _download(url: str, dest: Path, expected_sha: str, max_bytes: int,
              progress: Callable[[str], None] | None) -> None:
    """Fetch `url` into `dest` through a unique temporary file; never more than `max_bytes`."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    part = Path(tmp_name)
    h = hashlib.sha256()
    received = 0
    try:
        with urllib.request.urlopen(url, timeout=60) as resp, os.fdopen(fd, "wb") as fh:
            total = int(resp.headers.get("Content-Length") or 0)
            if total > max_bytes:
                raise ZooError(f"download of {url} is {total} bytes, more than the {max_bytes} the manifest "
                               "allows; not fetched")
            while True:
                chunk = resp.read(1 << 20)
                if not chunk:
                    break
                received += len(chunk)
                if received > max_bytes:
                    raise ZooError(f"download of {url} exceeded the {max_bytes} bytes the manifest allows; "
                                   "stopped and not kept")
                fh.write(chunk)
                h.update(chunk)
                if progress and total:
                    progress(f"{dest.name}: {received / 1e6:.1f} / {total / 1e6:.1f} MB")
        if total and received != total:
            raise ZooError(f"download of {url} was truncated ({received} of {total} bytes); try again")
    except ZooError:
        part.unlink(missing_ok=True)
        raise
    except (urllib.error.URLError, OSError, ConnectionError) as exc:
        part.unlink(missing_ok=True)
        reason = getattr(exc, "reason", exc)
        raise ZooError(f"could not download {url} ({reason}); check the network or use a cached copy") from None
    except Exception as exc:  # http.client.IncompleteRead and friends: a broken transfer
        part.unlink(missing_ok=True)
        raise ZooError(f"download of {url} broke off ({type(exc).__name__}); try again") from None
    if h.hexdigest() != expected_sha:
        part.unlink(missing_ok=True)
        raise ZooError(f"checksum mismatch for {url}: expected sha256 {expected_sha[:12]}..., got "
                       f"{h.hexdigest()[:12]}...; the file was not kept")
    os.chmod(part, 0o644)  # mkstemp makes it private; a cache entry is an ordinary file
    os.replace(part, dest)  # atomic: a concurrent download of the same entry replaces it with equal bytes


def check_url(url: str, name: str, local_urls: bool) -> None:
    """Only http(s) downloads; ``file://`` only for an explicit local mirror."""
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme in ("http", "https") or (scheme == "file" and local_urls):
        return
    if scheme == "file":
        raise ZooError(f"{name}: file:// URLs are used only for a local mirror; set MIXPATH_ZOO_LOCAL=1 "
                       "(or pass local_urls=True) if that is meant")
    raise ZooError(f"{name}: url {url!r} is not an http(s) URL")


def fetch_weights(name: str, offline: bool | None = None, manifest: str | Path | None = None,
                  progress: Callable[[str], None] | None = None, local_urls: bool | None = None) -> Path:
    """Path of `name`'s verified weights file, downloading it if needed."""
    entry = get_entry(name, manifest)
    if entry.get("timm"):
        raise ZooError(f"{name} uses timm's own weights: timm.create_model({entry['timm']!r}, pretrained=True)")
    if not entry.get("url") or not entry.get("sha256"):
        raise ZooError(f"no weights are published for {name} ({entry.get('weights_note', 'none yet')})")
    offline = os.environ.get("MIXPATH_OFFLINE") == "1" if offline is None else offline
    local_urls = os.environ.get("MIXPATH_ZOO_LOCAL") == "1" if local_urls is None else local_urls
    dest = cache_dir() / entry["file"]  # a plain file name (checked by load_manifest)
    if dest.is_file():
        if sha256_of(dest) == entry["sha256"]:
            return dest
        dest.unlink(missing_ok=True)  # a stale or damaged cache entry is replaced, never used
    if offline:
        raise ZooError(f"{name} is not in the cache ({dest}) and offline mode is on")
    check_url(entry["url"], name, local_urls)
    _download(entry["url"], dest, entry["sha256"], entry.get("size_bytes") or DEFAULT_MAX_BYTES, progress)
    return dest


def load_pretrained(name: str, offline: bool | None = None, manifest: str | Path | None = None) -> dict[str, Any]:
    """The state dict of `name` (safetensors: no code is executed while loading)."""
    from safetensors.torch import load_file

    return load_file(str(fetch_weights(name, offline, manifest)))


def register_zoo_scheme() -> None:
    """Let MMEngine checkpoints (``load_from``, ``init_cfg``) name zoo models as ``zoo://NAME``."""
    from mmengine.runner.checkpoint import CheckpointLoader

    def load_zoo(filename: str, map_location=None) -> dict:
        return load_pretrained(filename[len("zoo://"):])

    CheckpointLoader.register_scheme(prefixes="zoo://", loader=load_zoo, force=True)
