"""How a checkpoint says what model it holds: plain JSON data, never code.

Training runs store ``meta["mixpath_build"]``: the model's build arguments and the validation
dataset's (JSON text) and ``meta["mixpath_build_sha256"]``, its digest.  Rebuilding parses that
text and accepts only plain values, no ``init_cfg``, and ``type`` names registered by this package,
so a shared checkpoint can choose among our own networks and their settings, and nothing else.
(MMEngine also stores the config's Python text as ``meta.cfg``; it is never executed.)
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

from ..errors import CheckpointError

KEY = "mixpath_build"
DIGEST_KEY = "mixpath_build_sha256"
MAX_CHARS = 100_000
MAX_DEPTH = 12
FORBIDDEN_KEYS = {"init_cfg", "pretrained", "_scope_"}
SECTIONS = {"model": "MODELS", "val_dataset": "DATASETS"}


def digest(text: str) -> str:
    """sha256 of a build record's JSON text."""
    return hashlib.sha256(text.encode()).hexdigest()


def build_record(cfg: Any) -> dict[str, str]:
    """The meta entries that record `cfg`'s model (and validation dataset) as JSON; {} if not plain data."""
    record = {"model": _plain(cfg.get("model"))}
    val = (cfg.get("val_dataloader") or {}).get("dataset")
    if val is not None:
        record["val_dataset"] = _plain(val)
    try:
        text = json.dumps(record, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError):
        return {}  # e.g. a module object in the config: rebuilding then needs the config file
    return {KEY: text, DIGEST_KEY: digest(text)}


def read_record(ckpt: dict, where: str = "checkpoint") -> dict | None:
    """The validated build record of an MMEngine checkpoint; None if it has none (older checkpoints)."""
    meta = ckpt.get("meta") if isinstance(ckpt, dict) else None
    text = meta.get(KEY) if isinstance(meta, dict) else None
    if text is None:
        return None
    if not isinstance(text, str) or len(text) > MAX_CHARS:
        raise CheckpointError(f"{where}: its model record is not a JSON text of at most {MAX_CHARS} characters")
    if meta.get(DIGEST_KEY) != digest(text):
        raise CheckpointError(f"{where}: its model record does not match its recorded digest (damaged or edited)")
    try:
        record = json.loads(text)
    except ValueError:
        raise CheckpointError(f"{where}: its model record is not valid JSON") from None
    if not isinstance(record, dict) or not isinstance(record.get("model"), dict) or set(record) - set(SECTIONS):
        raise CheckpointError(f"{where}: its model record must hold 'model' (and 'val_dataset') sections")
    for section, registry in SECTIONS.items():
        if section in record:
            _check(record[section], registry, f"{where}: {section}", 0)
    return record


def _plain(value: Any) -> Any:
    return value.to_dict() if hasattr(value, "to_dict") else value


def _check(value: Any, registry: str, where: str, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise CheckpointError(f"{where}: nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, dict):
        for key, item in value.items():
            if key in FORBIDDEN_KEYS:
                raise CheckpointError(f"{where}: key {key!r} is not accepted in a checkpoint's model record")
            _check(item, registry, f"{where}.{key}", depth + 1)
        if "type" in value:
            _check_type(value["type"], registry, where)
    elif isinstance(value, list):
        for item in value:
            _check(item, registry, where, depth + 1)
    elif not (value is None or isinstance(value, (str, int, float, bool))):
        raise CheckpointError(f"{where}: {type(value).__name__} values are not plain data")


def _check_type(name: Any, registry: str, where: str) -> None:
    import mmengine.registry as registries

    from .setup import register_all_modules

    register_all_modules()  # a type this package registers is never refused for not being imported yet
    cls = getattr(registries, registry).get(name) if isinstance(name, str) and name.isidentifier() else None
    if cls is None or not getattr(cls, "__module__", "").startswith("mixpath_bench."):
        raise CheckpointError(f"{where}: type {name!r} is not one of this package's registered types")
