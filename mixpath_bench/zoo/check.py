"""Before a run starts: every ``zoo://NAME`` a config names has published weights (one line if not)."""
from __future__ import annotations

from typing import Any, Iterator, Mapping

from .hub import ZooError, get_entry


def zoo_references(section: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(config key, zoo name) for every ``zoo://NAME`` string in a config or one of its sections."""
    if isinstance(section, Mapping):
        for key, value in section.items():
            yield from zoo_references(value, f"{path}.{key}" if path else str(key))
    elif isinstance(section, (list, tuple)):
        for i, value in enumerate(section):
            yield from zoo_references(value, f"{path}.{i}")
    elif isinstance(section, str) and section.startswith("zoo://"):
        yield path, section[len("zoo://"):]


def check_zoo_weights(cfg: Any) -> None:
    """Raise `ZooError` (one line: how to get the weights, or how to run without them) for a
    ``zoo://`` checkpoint whose weights are not published, before the Runner starts."""
    for key, name in zoo_references(cfg.to_dict() if hasattr(cfg, "to_dict") else cfg):
        entry = get_entry(name)
        if entry.get("timm") or (entry.get("url") and entry.get("sha256")):
            continue
        # init_cfg=dict(type='Pretrained', checkpoint='zoo://x'): drop the whole init_cfg
        without = key.rsplit(".", 1)[0] if key.endswith(".checkpoint") else key
        raise ZooError(f"{key}: no weights are published for zoo://{name} "
                       f"({entry.get('weights_note', 'none yet')}); or train from scratch with "
                       f"--cfg-options {without}=None")
