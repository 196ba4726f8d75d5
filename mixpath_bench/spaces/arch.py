"""`Arch`: one architecture of a search space as a hashable value with a compact string form.

String form: ``"<SPACE>:<layer>-<layer>-..."``, each layer a run of single digits, for example
``"S1:03-7-12-..."`` (S1, layer 0 activates candidates 0 and 3).  What the digits mean is
defined by the space (`mixpath_bench.spaces.spaces`); this module only knows the framing.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..errors import UserError


class ArchError(UserError, ValueError):
    """A malformed or out-of-space architecture (message names the position and the fix)."""


Layer = tuple[int, ...]


@dataclass(frozen=True, order=True)
class Arch:
    """An architecture: the space's name and one tuple of small integers per layer."""

    space: str
    layers: tuple[Layer, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "layers", tuple(tuple(int(v) for v in layer) for layer in self.layers))

    def __str__(self) -> str:
        return self.to_string()

    def to_string(self) -> str:
        """The canonical compact string, e.g. ``S4:1203``."""
        return f"{self.space}:" + "-".join("".join(str(v) for v in layer) for layer in self.layers)

    @classmethod
    def from_string(cls, text: str) -> "Arch":
        """Parse the framing of ``SPACE:tok-tok-...`` (the space validates the values)."""
        if not isinstance(text, str):
            raise ArchError(f"architecture must be a string like 'S4:1203', got {type(text).__name__}")
        head, sep, body = text.strip().partition(":")
        if not sep or not head:
            raise ArchError(f"architecture {text!r} lacks the space prefix; expected e.g. 'S4:1203'")
        if not body:
            raise ArchError(f"architecture {text!r} has no layers after '{head}:'")
        layers = []
        for i, token in enumerate(body.split("-")):
            if not token or not token.isdigit() or not token.isascii():
                raise ArchError(
                    f"architecture {text!r}: layer {i} is {token!r}; each layer must be one or more digits"
                )
            layers.append(tuple(int(c) for c in token))
        return cls(head.upper(), tuple(layers))

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict; `Arch.from_json` inverts it."""
        return {"space": self.space, "layers": [list(layer) for layer in self.layers]}

    @classmethod
    def from_json(cls, obj: Any) -> "Arch":
        """Build from `to_json` output, a string form, or a JSON text of either."""
        if isinstance(obj, str):
            text = obj.strip()
            if text.startswith("{"):
                obj = json.loads(text)
            else:
                return cls.from_string(text)
        if not isinstance(obj, dict) or set(obj) != {"space", "layers"}:
            raise ArchError(f"architecture JSON must be {{'space': ..., 'layers': [[...], ...]}}, got {obj!r}")
        try:
            return cls(str(obj["space"]).upper(), tuple(tuple(layer) for layer in obj["layers"]))
        except (TypeError, ValueError) as exc:
            raise ArchError(f"architecture JSON has a malformed 'layers' entry: {exc}") from None
