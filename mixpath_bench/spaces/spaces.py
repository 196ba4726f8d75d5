"""The four search spaces S1-S4 of MixPath (supplementary Table 1) as plain data.

A space is ``num_layers`` independent layers of one *layer kind*:

* `SubsetLayer` (S1, S2): choose 1..m distinct candidates out of n; the layer sums them.
* `GroupKernelLayer` (S3): the depthwise channels are split in g groups, each picks a kernel.
* `CellNodesLayer` (S4): 4 candidate nodes, each off (0) or one of 3 operations, >= 1 and <= m on.

Sampling follows the paper: per layer, k ~ U{1..m}, then k distinct candidates uniformly.
Everything takes an explicit `np.random.Generator`.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .arch import Arch, ArchError, Layer

S1_KERNELS = (3, 5, 7, 9)
S1_EXPANSIONS = (3, 6)
#: S1 candidate i is an inverted bottleneck with kernel S1_CANDIDATES[i][0], expansion [1].
S1_CANDIDATES = tuple((k, e) for k in S1_KERNELS for e in S1_EXPANSIONS)
IMAGENET_KERNELS = (3, 5, 7, 9)
#: S4 operation codes: 0 = node off.
S4_OPS = ("off", "conv1x1-bn-relu", "conv3x3-bn-relu", "maxpool3x3")


class LayerKind(Protocol):
    """What one searchable layer allows."""

    def options(self) -> list[Layer]:
        """Every valid layer value, in a fixed order."""

    def sample(self, rng: np.random.Generator) -> Layer:
        """One layer value drawn as in the paper (k ~ U{1..m}, then k distinct candidates)."""

    def check(self, layer: Layer) -> str | None:
        """None if valid, else a sentence saying what is wrong."""

    def num_active(self, layer: Layer) -> int:
        """Number of summed paths (selects the Shadow BN)."""


@dataclass(frozen=True)
class SubsetLayer:
    """Choose 1..m distinct candidates of n; the value is the sorted tuple of their indices."""

    n: int
    m: int

    def options(self) -> list[Layer]:
        return [c for k in range(1, self.m + 1) for c in itertools.combinations(range(self.n), k)]

    def sample(self, rng: np.random.Generator) -> Layer:
        k = int(rng.integers(1, self.m + 1))
        return tuple(sorted(int(i) for i in rng.choice(self.n, size=k, replace=False)))

    def check(self, layer: Layer) -> str | None:
        if not 1 <= len(layer) <= self.m:
            return f"has {len(layer)} active candidates; allowed 1..{self.m}"
        if any(not 0 <= v < self.n for v in layer):
            return f"names candidate(s) outside 0..{self.n - 1}"
        if list(layer) != sorted(set(layer)):
            return "must list distinct candidates in increasing order"
        return None

    def num_active(self, layer: Layer) -> int:
        return len(layer)


@dataclass(frozen=True)
class GroupKernelLayer:
    """g channel groups, each picks one of n kernels (single path)."""

    groups: int
    n: int

    @property
    def m(self) -> int:
        return 1

    def options(self) -> list[Layer]:
        return list(itertools.product(range(self.n), repeat=self.groups))

    def sample(self, rng: np.random.Generator) -> Layer:
        return tuple(int(v) for v in rng.integers(0, self.n, size=self.groups))

    def check(self, layer: Layer) -> str | None:
        if len(layer) != self.groups:
            return f"has {len(layer)} groups; expected exactly {self.groups}"
        if any(not 0 <= v < self.n for v in layer):
            return f"names a kernel outside 0..{self.n - 1}"
        return None

    def num_active(self, layer: Layer) -> int:
        return 1


@dataclass(frozen=True)
class CellNodesLayer:
    """`nodes` positional candidate nodes, each 0 (off) or an operation 1..ops; 1..m on."""

    nodes: int
    ops: int
    m: int

    def options(self) -> list[Layer]:
        return [
            v
            for v in itertools.product(range(self.ops + 1), repeat=self.nodes)
            if 1 <= sum(x > 0 for x in v) <= self.m
        ]

    def sample(self, rng: np.random.Generator) -> Layer:
        k = int(rng.integers(1, self.m + 1))
        on = rng.choice(self.nodes, size=k, replace=False)
        value = [0] * self.nodes
        for node in on:
            value[int(node)] = int(rng.integers(1, self.ops + 1))
        return tuple(value)

    def check(self, layer: Layer) -> str | None:
        if len(layer) != self.nodes:
            return f"has {len(layer)} nodes; expected exactly {self.nodes}"
        if any(not 0 <= v <= self.ops for v in layer):
            return f"names an operation outside 0..{self.ops} (0 = off)"
        on = sum(v > 0 for v in layer)
        if not 1 <= on <= self.m:
            return f"has {on} nodes on; allowed 1..{self.m}"
        return None

    def num_active(self, layer: Layer) -> int:
        return sum(v > 0 for v in layer)


@dataclass(frozen=True)
class SearchSpace:
    """A named space: `num_layers` layers of one `kind`, with at most `m` active paths a layer."""

    name: str
    num_layers: int
    kind: LayerKind
    description: str

    @property
    def m(self) -> int:
        return self.kind.m

    def layer_options(self) -> list[Layer]:
        """All valid values of one layer (cached by the caller if needed)."""
        return self.kind.options()

    def layer_choices(self) -> int:
        """Number of choices per layer (supplementary Table 1: 8/36/92/162, 10, 256, 255)."""
        return len(self.kind.options())

    def size(self) -> int:
        """Total number of architecture encodings (an exact Python int)."""
        return self.layer_choices() ** self.num_layers

    def sample(self, rng: np.random.Generator) -> Arch:
        """One architecture, each layer drawn independently as in the paper."""
        return Arch(self.name, tuple(self.kind.sample(rng) for _ in range(self.num_layers)))

    def num_active(self, arch: Arch) -> list[int]:
        """Active path count per layer."""
        return [self.kind.num_active(layer) for layer in arch.layers]

    def validate(self, arch: Arch | str) -> Arch:
        """Return `arch` (parsed if a string) or raise `ArchError` naming the bad layer."""
        if not isinstance(arch, Arch):
            arch = Arch.from_json(arch)
        if arch.space != self.name:
            raise ArchError(f"architecture {arch} belongs to space {arch.space}, not {self.name}")
        if len(arch.layers) != self.num_layers:
            raise ArchError(f"architecture {arch} has {len(arch.layers)} layers; {self.name} has {self.num_layers}")
        for i, layer in enumerate(arch.layers):
            problem = self.kind.check(layer)
            if problem:
                allowed = ", ".join("".join(map(str, o)) for o in self.kind.options()[:6])
                raise ArchError(
                    f"architecture {arch}: layer {i} ({''.join(map(str, layer))}) {problem} "
                    f"[{self.name}, m={self.m}; e.g. {allowed}, ...]"
                )
        return arch

    def parse(self, text: str) -> Arch:
        """Parse and validate a string or JSON architecture."""
        return self.validate(text)

    def mutate(self, arch: Arch, rng: np.random.Generator, prob: float) -> Arch:
        """Redraw each layer with probability `prob` (paper's sampling distribution)."""
        layers = [self.kind.sample(rng) if rng.random() < prob else layer for layer in arch.layers]
        return Arch(self.name, tuple(layers))

    def crossover(self, a: Arch, b: Arch, rng: np.random.Generator) -> tuple[Arch, Arch]:
        """Uniform crossover: swap each layer between the parents with probability 1/2."""
        swap = rng.random(self.num_layers) < 0.5
        la = [y if s else x for x, y, s in zip(a.layers, b.layers, swap)]
        lb = [x if s else y for x, y, s in zip(a.layers, b.layers, swap)]
        return Arch(self.name, tuple(la)), Arch(self.name, tuple(lb))

    def to_vector(self, arch: Arch) -> np.ndarray:
        """Integer vector: per layer, the index of its value in `layer_options()`."""
        index = {o: i for i, o in enumerate(self.kind.options())}
        return np.array([index[layer] for layer in arch.layers], dtype=np.int64)

    def from_vector(self, vec: np.ndarray) -> Arch:
        """Inverse of `to_vector`."""
        options = self.kind.options()
        return Arch(self.name, tuple(options[int(i)] for i in vec))

    def enumerate(self) -> list[Arch]:
        """Every encoding; only for spaces with at most 10^6 of them (S4)."""
        if self.size() > 10**6:
            raise ValueError(f"{self.name} has {self.size():.3e} architectures; too many to enumerate")
        return [Arch(self.name, layers) for layers in itertools.product(self.kind.options(), repeat=self.num_layers)]


def get_space(name: str, m: int | None = None) -> SearchSpace:
    """The space `name` (S1..S4) with at most `m` active paths per layer (default: the paper's)."""
    key = str(name).upper()
    defaults = {"S1": 4, "S2": 2, "S3": 1, "S4": 4}
    if key not in defaults:
        raise ArchError(f"unknown search space {name!r}; choose one of S1, S2, S3, S4")
    m = defaults[key] if m is None else int(m)
    limits = {"S1": 8, "S2": 4, "S3": 1, "S4": 4}
    if not 1 <= m <= limits[key]:
        raise ArchError(f"{key} allows m in 1..{limits[key]}, got m={m}")
    if key == "S1":
        return SearchSpace("S1", 12, SubsetLayer(len(S1_CANDIDATES), m),
                           "CIFAR-10, 12 inverted bottlenecks, kernel {3,5,7,9} x expansion {3,6}")
    if key == "S2":
        return SearchSpace("S2", 18, SubsetLayer(len(IMAGENET_KERNELS), m),
                           "ImageNet, 18 MixNet-M inverted bottlenecks, kernel {3,5,7,9}")
    if key == "S3":
        return SearchSpace("S3", 18, GroupKernelLayer(4, len(IMAGENET_KERNELS)),
                           "ImageNet, 18 MixNet-M bottlenecks, 4 depthwise groups x kernel {3,5,7,9}")
    return SearchSpace("S4", 1, CellNodesLayer(4, 3, m),
                       "reduced NAS-Bench-101: 4 candidate nodes, each off or conv1x1/conv3x3/maxpool")


def parse_arch(text: str, m: int | None = None) -> Arch:
    """Parse ``'S1:...'`` (or its JSON) and validate it against its space."""
    arch = Arch.from_json(text)
    return get_space(arch.space, m).validate(arch)


def subset_count(n: int, m: int) -> int:
    """sum_{k=1..m} C(n, k): choices of a `SubsetLayer`."""
    return sum(math.comb(n, k) for k in range(1, m + 1))
