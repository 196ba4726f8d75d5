"""Named architectures (timm-style `create_model('mixpath_a')`), backed by JSON files.

An architecture file (``model_zoo/archs/<name>.json``) holds ``name``, ``arch`` (string form),
``network`` (the supernet type and arguments that define its skeleton), ``input_size`` and a
``description`` that says where the architecture comes from.  Anything that takes a name also
takes a path to such a file, or a bare architecture string.
"""
from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path

from torch import nn

from ..errors import ConfigError
from ..package_data import arch_dir, list_archs  # noqa: F401 - list_archs re-exported
from ..spaces import SPACES, Arch, parse_arch, space_entry
from .registry import list_networks
from .standalone import STANDALONE_NETWORKS, build_standalone


def default_network(space: str) -> dict:
    """The network (type + num_classes) an architecture of `space` is built with: the table's entry."""
    return space_entry(space).default_network


class _DefaultNetworks(Mapping):
    """space name -> its default network, read from the table of spaces at each look-up."""

    def __getitem__(self, space: str) -> dict:
        if str(space).upper() not in SPACES:
            raise KeyError(space)
        return default_network(space)

    def __iter__(self) -> Iterator[str]:
        return iter(list(SPACES))

    def __len__(self) -> int:
        return len(SPACES)


#: space name -> default network dict (derived from the table of spaces; each look-up a fresh dict)
DEFAULT_NETWORKS: Mapping[str, dict] = _DefaultNetworks()


def load_arch_spec(spec: str) -> dict:
    """The architecture record for a registered name, a ``.json`` path, or an architecture string."""
    path = Path(spec)
    if path.suffix == ".json" or (arch_dir() / f"{spec}.json").is_file():
        path = path if path.suffix == ".json" else arch_dir() / f"{spec}.json"
        if not path.is_file():
            raise ConfigError(f"architecture file {path} does not exist")
        try:
            record = json.loads(path.read_text())
            arch = parse_arch(record["arch"])
            record["arch"] = arch.to_string()
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ConfigError(f"architecture file {path} is malformed ({exc})") from None
        record.setdefault("network", default_network(arch.space))
        network = record["network"]
        known = sorted(set(list_networks()) | set(STANDALONE_NETWORKS))
        if not isinstance(network, dict) or network.get("type") not in known:
            raise ConfigError(f"architecture file {path}: 'network' must be a dict whose 'type' is one of "
                              f"{', '.join(known)}, got {str(network)[:80]}")
        return record
    if ":" not in spec:
        raise ConfigError(f"unknown architecture {spec!r}; registered: {', '.join(list_archs()) or 'none'} "
                          "(or give a .json file or an architecture string like 'S2:0-1-...')")
    arch = parse_arch(spec)
    return {"name": arch.to_string(), "arch": arch.to_string(), "network": default_network(arch.space)}


def resolve_arch(spec: str) -> tuple[Arch, dict]:
    """(Arch, network config) of a name, file or architecture string."""
    record = load_arch_spec(spec)
    return parse_arch(record["arch"]), dict(record["network"])


def create_model(name: str, num_classes: int | None = None, **network_overrides) -> nn.Module:
    """A freshly initialised stand-alone network of a named (or given) architecture.

    `name`: a registered name (`list_archs`), an architecture file (``.json``) or string.  With the
    model zoo's weights: `mixpath_bench.create_model(name, pretrained=True)` (`mixpath_bench.zoo.pretrained`).
    """
    arch, network = resolve_arch(name)
    if num_classes is not None:
        if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 1:
            raise ConfigError(f"create_model({name!r}): num_classes must be a positive integer, got {num_classes!r}")
        network["num_classes"] = num_classes
    network.update(network_overrides)
    try:
        return build_standalone(arch, network, "export")
    except TypeError as exc:  # an argument the network does not take
        raise ConfigError(f"architecture {name}: {exc}") from None
