"""Network registry: supernets and stand-alone networks by name (timm-style), held in MMEngine's MODELS.

MMEngine's root ``MODELS`` registry is the one source of truth: configs build a network from it
(``network=dict(type='S1Supernet', ...)``), and `create_network` is the one Python build function,
reading the same registry; `build_network` takes a name or a network dict (``type`` + arguments),
the form configs and architecture files hold.  `register_network` marks which of its entries are networks, so
`list_networks` leaves out the other models there (classifiers, preprocessors, MMEngine's own).
"""
from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from mmengine.registry import MODELS

from ..errors import ConfigError
from ..spaces import network_space_entry, space_entry

#: class attribute naming the network a class was registered as (a subclass does not inherit the mark)
NETWORK_MARK = "_mixpath_network"


class TableSpace:
    """A supernet class's ``SPACE``: the name of the space whose table entry names the class as its
    supernet, read from the table of spaces (the one place it is written)."""

    def __get__(self, obj: Any, owner: type) -> str:
        return network_space_entry(owner.__name__).name


def register_network(cls: type) -> type:
    """Register a network class under its own name in MMEngine's MODELS registry."""
    MODELS.register_module(module=cls, force=True)
    setattr(cls, NETWORK_MARK, cls.__name__)
    return cls


def list_networks() -> list[str]:
    """Names of every registered network."""
    return sorted(name for name, cls in MODELS.module_dict.items() if getattr(cls, NETWORK_MARK, None) == name)


def create_network(name: str, **kwargs: Any) -> Any:
    """Build a registered network by name; unknown names and arguments raise one clear error."""
    if name not in list_networks():
        raise KeyError(f"unknown network {name!r} (not in the model registry); registered: "
                       f"{', '.join(list_networks())}")
    try:
        return MODELS.get(name)(**kwargs)
    except TypeError as exc:
        raise TypeError(f"{name}: {exc}") from None


def build_network(spec: str | Mapping) -> Any:
    """Build a network from its name or from a dict / ConfigDict with ``type`` and the arguments.

    The dict is copied, never changed; errors are `create_network`'s one-line ones.
    """
    if isinstance(spec, str):
        return create_network(spec)
    if not isinstance(spec, Mapping) or "type" not in spec:
        raise ConfigError(f"a network is a registered name or a dict with 'type' (one of "
                          f"{', '.join(list_networks())}), got {str(spec)[:80]}")
    kwargs = copy.deepcopy(dict(spec))
    return create_network(kwargs.pop("type"), **kwargs)


def supernet_class(space: str) -> type:
    """The registered supernet class of a search space (the table's ``supernet``)."""
    name = space_entry(space).supernet
    if name not in list_networks():
        raise KeyError(f"the supernet {name!r} of space {space_entry(space).name} is not in the model registry")
    return MODELS.get(name)


def check_network_args(network: str, flags: dict[str, Any], counts: dict[str, Any]) -> None:
    """Refuse a flag that is not a bool (``shadow_bn='no'`` would be true) or a count that is not an int.

    ``--cfg-options model.network.shadow_bn=no`` arrives as the string ``'no'``; building on would
    silently keep Shadow BN on, so it stops with one line naming the key.
    """
    for key, value in flags.items():
        if not isinstance(value, bool):
            raise ConfigError(f"{network}: model.network.{key} must be True or False, got {value!r}")
    for key, value in counts.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"{network}: model.network.{key} must be a positive integer, got {value!r}")
