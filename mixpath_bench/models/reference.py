"""The reference implementation's supernets (github.com/xiaomi-automl/MixPath), per search space.

`tools/benchmark.py --reference CHECKOUT` times them (`mixpath_bench.pipeline.speed`): imported
from the user's checkout, never copied here.  This table says, for each space the checkout has a
CIFAR-10 supernet of, where the checkout keeps it, how to build it, how its training loop draws
a random path (the reference's own format), and which of our configs is timed against it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np


def _s1_choice(m: int, rng: np.random.Generator) -> dict:
    """Per layer 'conv' (distinct candidate kernel ids) + 'rate' (expansion id)."""
    return {i: {"conv": list(rng.choice(4, int(rng.integers(1, m + 1)), replace=False)),
                "rate": int(rng.integers(0, 2))} for i in range(12)}


def _nasbench_choice(m: int, rng: np.random.Generator) -> dict:
    """'path' (active node positions) + 'op' (one operation id per active node)."""
    k = int(rng.integers(1, m + 1))
    return {"path": list(rng.choice(m, k, replace=False)), "op": [int(v) for v in rng.integers(0, 3, k)]}


@dataclass(frozen=True)
class ReferenceSupernet:
    """Where a checkout keeps a space's supernet and how the reference code drives it."""

    folder: str  #: folder of the checkout
    module: str  #: module (file stem) in that folder defining ``SuperNetwork``
    arguments: Callable[[int], dict]  #: channels -> ``SuperNetwork`` keyword arguments
    choice: Callable[[int, np.random.Generator], dict]  #: (m, rng) -> a random path in the reference's format
    config: str  #: our supernet config timed against it


#: space name -> its supernet in a reference checkout (the benchmark's cases, in this order)
REFERENCE_SUPERNETS = {
    "S1": ReferenceSupernet("S1", "model_search", lambda channels: dict(shadow_bn=True, layers=12, classes=10),
                            _s1_choice, "configs/supernet/s1_cifar10.py"),
    "S4": ReferenceSupernet("NasBench101", "nas_model_search", lambda channels: dict(init_channels=channels),
                            _nasbench_choice, "configs/supernet/s4_nb101_cifar10.py"),
}
