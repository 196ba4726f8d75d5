"""Model zoo: verified downloads of published weights (safetensors only, never unpickled).

`load_pretrained(name)` finds `name` in the manifest (``model_zoo/zoo.json``; ``$MIXPATH_ZOO_MANIFEST``
overrides), downloads ``url`` into the cache (``$MIXPATH_CACHE``, default ``~/.cache/mixpath_bench``)
through a ``.part`` file, checks its sha256 before renaming it into place - so an interrupted or
corrupted transfer never leaves a file that looks valid - and loads it with safetensors.
``offline=True`` (or ``MIXPATH_OFFLINE=1``) uses the cache only.
"""
from __future__ import annotations

import hashlib
import json
import os
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Callable

from ..errors import UserError
from ..package_data import data_path


class ZooError(UserError):
    """Unknown model, no published weights, checksum mismatch, no network."""


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
    return {e["name"]: e for e in entries}


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


def _download(url: str, dest: Path, expected_sha: str, progress: Callable[[str], None] | None) -> None:
    part = dest.with_name(dest.name + ".part")
    dest.parent.mkdir(parents=True, exist_ok=True)
    h = hashlib.sha256()
    received = 0
    try:
        with urllib.request.urlopen(url, timeout=60) as resp, part.open("wb") as fh:
            total = int(resp.headers.get("Content-Length") or 0)
            while True:
                chunk = resp.read(1 << 20)
                if not chunk:
                    break
                fh.write(chunk)
                h.update(chunk)
                received += len(chunk)
                if progress and total:
                    progress(f"{dest.name}: {received / 1e6:.1f} / {total / 1e6:.1f} MB")
        if total and received != total:
            raise ZooError(f"download of {url} was truncated ({received} of {total} bytes); try again")
    except (urllib.error.URLError, OSError, ConnectionError) as exc:
        part.unlink(missing_ok=True)
        reason = getattr(exc, "reason", exc)
        raise ZooError(f"could not download {url} ({reason}); check the network or use a cached copy") from None
    except ZooError:
        part.unlink(missing_ok=True)
        raise
    except Exception as exc:  # http.client.IncompleteRead and friends: a broken transfer
        part.unlink(missing_ok=True)
        raise ZooError(f"download of {url} broke off ({type(exc).__name__}); try again") from None
    if h.hexdigest() != expected_sha:
        part.unlink(missing_ok=True)
        raise ZooError(f"checksum mismatch for {url}: expected sha256 {expected_sha[:12]}..., got "
                       f"{h.hexdigest()[:12]}...; the file was not kept")
    os.replace(part, dest)


def fetch_weights(name: str, offline: bool | None = None, manifest: str | Path | None = None,
                  progress: Callable[[str], None] | None = None) -> Path:
    """Path of `name`'s verified weights file, downloading it if needed."""
    entry = get_entry(name, manifest)
    if entry.get("timm"):
        raise ZooError(f"{name} uses timm's own weights: timm.create_model({entry['timm']!r}, pretrained=True)")
    if not entry.get("url") or not entry.get("sha256"):
        raise ZooError(f"no weights are published for {name} ({entry.get('weights_note', 'none yet')})")
    offline = os.environ.get("MIXPATH_OFFLINE") == "1" if offline is None else offline
    dest = cache_dir() / entry["file"]
    if dest.is_file():
        if sha256_of(dest) == entry["sha256"]:
            return dest
        dest.unlink()  # a stale or damaged cache entry is replaced, never used
    if offline:
        raise ZooError(f"{name} is not in the cache ({dest}) and offline mode is on")
    _download(entry["url"], dest, entry["sha256"], progress)
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
