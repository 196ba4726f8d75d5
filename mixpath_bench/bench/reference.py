"""The reference implementation's supernets (github.com/xiaomi-automl/MixPath), per search space.

`tools/benchmark.py --reference CHECKOUT` times them (`mixpath_bench.bench.speed`): imported
from the user's checkout, never copied here.  This table says, for each space the checkout has a
CIFAR-10 supernet of, where the checkout keeps it, how to build it, how its training loop draws
a random path (the reference's own format), and which of our configs is timed against it.

The benchmark's cases are the spaces of the table of spaces (`mixpath_bench.spaces.SPACES`) that
have an entry here, in the table's order: registering a space and its entry here benchmarks it
(`benchmark_cases`); nothing in the tools names a space.  numpy only: `tools/gpu_check.py` reads
it on a bare machine before mmengine is installed.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..spaces.table import space_names


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
    small_config: str  #: a config of the same supernet a CPU times in minutes (on its own embedded data)

    @property
    def file(self) -> str:
        """The checkout-relative path of the module defining ``SuperNetwork``."""
        return f"{self.folder}/{self.module}.py"


#: space name -> its supernet in a reference checkout
REFERENCE_SUPERNETS = {
    "S1": ReferenceSupernet("S1", "model_search", lambda channels: dict(shadow_bn=True, layers=12, classes=10),
                            _s1_choice, "configs/supernet/s1_cifar10.py", "configs/supernet/s1_mnist5k.py"),
    "S4": ReferenceSupernet("NasBench101", "nas_model_search", lambda channels: dict(init_channels=channels),
                            _nasbench_choice, "configs/supernet/s4_nb101_cifar10.py",
                            "configs/supernet/s4_nb101_mnist5k_12px.py"),
}

#: the space whose candidate evaluation is timed (the reference's measured evaluation anchor is S1's)
EVALUATION_SPACE = "S1"


def benchmark_cases() -> list[str]:
    """The spaces the benchmark times: those of the table of spaces with a reference supernet, in table order."""
    return space_names(lambda entry: entry.name in REFERENCE_SUPERNETS)


def case_key(space: str) -> str:
    """A case's command-line key (``--only s1``, ``--s1-config``): the space name in lower case."""
    return space.lower()
