"""The searcher registry: one interface, registered by name, built from a config section.

A searcher is a class with ``label`` (how tables name it) and
``run(evaluator, checkpoint=None, resume=False, log=print) -> SearchResult``.  Adding one is one
file with ``@register_searcher("name")``; the search job, Table 2 and the report need no change.

Two kinds: a searcher that scores candidates with a trained supernet (the default: it is given the
job's evaluator), and one that trains its own weights (``trains_weights = True``, e.g. DARTS: it
is given the supernet config as ``supernet`` and the ``device``, and no evaluator).  ``family``
names the kind for Table 2 (default ``'supernet'``).

A config's keys for a searcher are the fields of its ``Settings`` (a frozen dataclass; the class is
built as ``cls(space, settings=Settings(...), <what the job supplies>)``), or, for a class without
one, its constructor's keyword arguments.  `mixpath_bench.bench.searchers.register_searchers` imports
every module that registers one.
"""
from __future__ import annotations

import dataclasses
import inspect
import math
from pathlib import Path
from typing import Any, Callable, Protocol

from ..spaces import SearchSpace
from .result import SearchResult
from .state import Evaluator, SearchError


#: Constructor arguments the search job supplies; a config may not set them.
JOB_SUPPLIED = {"space", "constraints", "supernet", "device"}


class Searcher(Protocol):
    label: str

    def run(self, evaluator: Evaluator, checkpoint: str | Path | None = None, resume: bool = False,
            log: Callable[[str], None] = print) -> SearchResult:
        """Search (or continue from `checkpoint` when `resume`); deterministic for a seed."""


SEARCHERS: dict[str, type] = {}


def register_searcher(name: str) -> Callable[[type], type]:
    """Class decorator: make a searcher buildable by `name` from configs."""
    def wrap(cls: type) -> type:
        if name in SEARCHERS:
            raise ValueError(f"searcher {name!r} is registered twice")
        cls.name = name
        SEARCHERS[name] = cls
        return cls
    return wrap


def build_searcher(name: str, space: SearchSpace, settings: dict[str, Any], **defaults: Any) -> Searcher:
    """``SEARCHERS[name]`` on `space` with the config's `settings`; unknown names and keys are one-line errors.

    `defaults` holds values the job supplies (constraints, a default budget): used where the
    searcher takes that key and `settings` leaves it out or None.  Unknown keys in `settings` are
    refused.
    """
    allowed = check_settings(name, settings)
    kwargs = {k: v for k, v in defaults.items() if k in allowed}
    kwargs.update({k: v for k, v in settings.items() if v is not None or k not in kwargs})
    cls = SEARCHERS[name]
    if not hasattr(cls, "Settings"):
        return cls(space=space, **kwargs)
    keys = setting_types(cls)
    return cls(space=space, settings=cls.Settings(**{k: v for k, v in kwargs.items() if k in keys}),
               **{k: v for k, v in kwargs.items() if k not in keys})


def setting_types(cls: type) -> dict[str, str]:
    """The keys a config may set for the searcher class `cls`, with their annotations: the fields of
    its ``Settings``, else its constructor's arguments less those the job supplies."""
    if hasattr(cls, "Settings"):
        return {f.name: str(f.type) for f in dataclasses.fields(cls.Settings)}
    return {k: str(p.annotation) for k, p in inspect.signature(cls).parameters.items() if k not in JOB_SUPPLIED}


def check_settings(name: str, settings: dict[str, Any]) -> set[str]:
    """Refuse an unknown searcher or setting with one line; returns the keys the searcher takes (its
    settings and what the job supplies it)."""
    if name not in SEARCHERS:
        raise SearchError(f"unknown searcher {name!r}; registered: {', '.join(sorted(SEARCHERS))}")
    types = setting_types(SEARCHERS[name])
    unknown = sorted(set(settings) - set(types))
    if unknown:
        raise SearchError(f"searchers.{name}: unknown key(s) {', '.join(unknown)}; allowed: "
                          f"{', '.join(sorted(types))}")
    for key, value in settings.items():
        problem = _wrong_type(types[key], value, key)
        if problem:
            raise SearchError(f"searchers.{name}.{key} {problem}, got {value!r}")
    return set(types) | (set(inspect.signature(SEARCHERS[name]).parameters) & (JOB_SUPPLIED - {"space"}))


def _wrong_type(annotation: str, value: Any, key: str) -> str | None:
    """What is wrong with `value` for a setting annotated `annotation` (None: nothing)."""
    if value is None:  # left to the searcher's default or the job's
        return None
    words = set(annotation.replace("|", " ").replace(",", " ").replace("[", " ").replace("]", " ").split())
    if words & {"int", "float"} and not words & {"str", "list", "tuple", "dict", "Any", "Sequence"}:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return "must be a number"
        if "float" not in words and not isinstance(value, int):
            return "must be a whole number"
        if not math.isfinite(value):
            return "must be finite"
        if key == "seed" and value < 0:
            return "must be a non-negative integer"
    if words == {"bool"} and not isinstance(value, bool):
        return "must be True or False"
    return None


def searcher_family(name: str) -> str:
    """Table 2's family of a searcher: its class's ``family`` ('supernet' unless the class says
    otherwise; a searcher not registered in this process, e.g. a plug-in, counts as 'supernet')."""
    return getattr(SEARCHERS.get(name), "family", "supernet")
