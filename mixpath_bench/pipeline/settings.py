"""Frozen settings from a config section: defaults in one place, unknown keys and wrong types refused.

`parse_settings(Settings, section_dict, "ranking")` builds the dataclass after checking every key
against its fields and every value against its annotation: a bool must be a bool (``'no'`` is not
False), an int an int, a float a finite number, a tuple of ints a list or tuple of ints.  A
mistake is one `ConfigError` line naming ``section.key``.
"""
from __future__ import annotations

import dataclasses
import math
import types
import typing
from collections.abc import Mapping
from typing import Any

from ..errors import ConfigError


def parse_settings(cls: type, values: Mapping | None, section: str) -> Any:
    """`cls(**values)` for a frozen dataclass `cls`, with keys and value types checked."""
    values = dict(values or {})
    fields = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - fields)
    if unknown:
        raise ConfigError(f"{section}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(fields))}")
    hints = typing.get_type_hints(cls)
    checked = {name: check_value(value, hints[name], f"{section}.{name}") for name, value in values.items()}
    missing = [f.name for f in dataclasses.fields(cls) if f.name not in checked
               and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    if missing:
        raise ConfigError(f"{section} needs {', '.join(missing)}")
    try:
        return cls(**checked)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{section}: {exc}") from None


def check_value(value: Any, hint: Any, where: str) -> Any:
    """`value` converted to the plain type `hint` names, or a ConfigError naming `where`."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return check_value(value, inner[0], where) if len(inner) == 1 else value
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{where} must be True or False, got {value!r}")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where} must be an integer, got {value!r}")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ConfigError(f"{where} must be a finite number, got {value!r}")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(f"{where} must be a string, got {value!r}")
        return value
    if origin is tuple:
        if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
            raise ConfigError(f"{where} must be a list, got {value!r}")
        return tuple(check_value(v, args[0], f"{where}[{i}]") for i, v in enumerate(value))
    if origin is dict or hint is dict:
        if not isinstance(value, Mapping):
            raise ConfigError(f"{where} must be a dict, got {value!r}")
        return plain(value)
    return value


def plain(value: Any) -> Any:
    """ConfigDicts and tuples as plain dicts and lists (JSON-ready, hashable into keys)."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value
