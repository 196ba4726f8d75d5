"""The searcher registry: one interface, registered by name, built from a config section.

A searcher is a class with ``label`` (how tables name it) and
``run(evaluator, checkpoint=None, resume=False, log=print) -> SearchResult``.  Adding one is one
file with ``@register_searcher("name")``; the search job, Table 2 and the report need no change.

Two kinds: a searcher that scores candidates with a trained supernet (the default: it is given the
job's evaluator), and one that trains its own weights (``trains_weights = True``, e.g. DARTS: it
is given the supernet config as ``supernet`` and the ``device``, and no evaluator).  ``family``
names the kind for Table 2 (default ``'supernet'``).
"""
from __future__ import annotations

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
    """``SEARCHERS[name](space=space, **settings)``; unknown names and keys are one-line errors.

    `defaults` holds values the job supplies (constraints, a default budget): used where the
    searcher takes that key and `settings` leaves it out or None.  Unknown keys in `settings` are
    refused.
    """
    allowed = check_settings(name, settings)
    kwargs = {k: v for k, v in defaults.items() if k in allowed}
    kwargs.update({k: v for k, v in settings.items() if v is not None or k not in kwargs})
    return SEARCHERS[name](space=space, **kwargs)


def check_settings(name: str, settings: dict[str, Any]) -> set[str]:
    """Refuse an unknown searcher or setting with one line; returns the keys the searcher takes."""
    if name not in SEARCHERS:
        raise SearchError(f"unknown searcher {name!r}; registered: {', '.join(sorted(SEARCHERS))}")
    params = set(inspect.signature(SEARCHERS[name]).parameters)
    allowed = params - JOB_SUPPLIED
    unknown = sorted(set(settings) - allowed)
    if unknown:
        raise SearchError(f"searchers.{name}: unknown key(s) {', '.join(unknown)}; allowed: "
                          f"{', '.join(sorted(allowed))}")
    signature = inspect.signature(SEARCHERS[name]).parameters
    for key, value in settings.items():
        problem = _wrong_type(str(signature[key].annotation), value, key)
        if problem:
            raise SearchError(f"searchers.{name}.{key} {problem}, got {value!r}")
    return allowed | (params & (JOB_SUPPLIED - {"space"}))


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
