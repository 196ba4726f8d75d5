"""Model registry: supernets and stand-alone networks by name (timm-style), also in MMEngine's MODELS."""
from __future__ import annotations

from typing import Any, Callable

from mmengine.registry import MODELS

_NETWORKS: dict[str, Callable[..., Any]] = {}


def register_network(cls: type) -> type:
    """Register a network class under its own name here and in MMEngine's MODELS registry."""
    _NETWORKS[cls.__name__] = cls
    MODELS.register_module(module=cls, force=True)
    return cls


def list_networks() -> list[str]:
    """Names of every registered network."""
    return sorted(_NETWORKS)


def create_network(name: str, **kwargs: Any) -> Any:
    """Build a registered network by name; unknown names and arguments raise one clear error."""
    if name not in _NETWORKS:
        raise KeyError(f"unknown network {name!r}; registered: {', '.join(list_networks())}")
    try:
        return _NETWORKS[name](**kwargs)
    except TypeError as exc:
        raise TypeError(f"{name}: {exc}") from None
