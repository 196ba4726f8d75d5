"""The four search spaces S1-S4 of MixPath (supplementary Table 1) as plain data.

One table (`SPACES`, filled by `register_space`) holds a `SpaceEntry` per space: its layer kind,
default and largest m, depth, description, supernet type, default network, whether it is a
detection (ImageNet) skeleton or a NAS-Bench-101 cell, and plot labels.  `get_space` and
`parse_arch` read it, and so does everything else that depends on which space it is.

A space is ``num_layers`` independent layers of one *layer kind*:

* `SubsetLayer` (S1, S2): choose 1..m distinct candidates out of n; the layer sums them.
* `GroupKernelLayer` (S3): the depthwise channels are split in g groups, each picks a kernel.
* `CellNodesLayer` (S4): 4 candidate nodes, each off (0) or one of 3 operations, >= 1 and <= m on.
* `DartsCellLayer` (S5, `darts_cell.py`): a whole DARTS cell whose unit spans 8 layers (its edges).

A kind whose value spans several `Arch` layers says so with `span` (default 1) and gives `count`
(values of one unit), `to_vector` / `from_vector` (integers per unit) instead of a list of every
value; `SearchSpace` then hands it tuples of `span` layers (`units`).

Sampling follows the paper: per layer, k ~ U{1..m}, then k distinct candidates uniformly.
Everything takes an explicit `np.random.Generator`.

Each layer kind also owns what only it knows:

* identity: `canonical` (the representative encoding) and `key` (S4: the NAS-Bench-101 graph
  hash, so the 255 encodings are 34 networks; other kinds: the encoding itself);
* description: `describe` (S4: the counted operations, e.g. ``'1x1 + 3x3 x2'``);
* variation: `moves` (the local neighbourhood: S4 changes one node's op, S1/S2 swap, add or drop
  one path, S3 changes one group's kernel), `mutate` (one random local move) and `crossover`
  (S4 and S3 exchange positions inside the layer; S1/S2 exchange whole layers).

Algorithm 1 of the paper has tournament selection and crossover only; mutation (local moves or a
redraw from the sampling distribution) is this toolkit's addition and can be switched off.
"""
from __future__ import annotations

import functools
import itertools
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Protocol, Sequence

import numpy as np

from .arch import Arch, ArchError, Layer
from .graph import INPUT, OUTPUT, ModelSpec, prune

S1_KERNELS = (3, 5, 7, 9)
S1_EXPANSIONS = (3, 6)
#: S1 candidate i is an inverted bottleneck with kernel S1_CANDIDATES[i][0], expansion [1].
S1_CANDIDATES = tuple((k, e) for k in S1_KERNELS for e in S1_EXPANSIONS)
IMAGENET_KERNELS = (3, 5, 7, 9)
#: S4 operation codes: 0 = node off.
S4_OPS = ("off", "conv1x1-bn-relu", "conv3x3-bn-relu", "maxpool3x3")
#: Short names of the S4 operations (`CellNodesLayer.describe`).
SHORT_OPS = {"conv1x1-bn-relu": "1x1", "conv3x3-bn-relu": "3x3", "maxpool3x3": "pool"}
#: Mutation operators of `SearchSpace.mutate`.
MUTATIONS = ("local", "redraw")


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

    def canonical(self, layer: Layer) -> Layer:
        """The representative value of the network `layer` computes (identity where values are unique)."""

    def key(self, layer: Layer) -> str:
        """Identity of the network `layer` computes: equal keys = one network."""

    def moves(self, layer: Layer) -> dict[str, list[Layer]]:
        """Local moves by type: every valid value one small change away (never `layer` itself)."""

    def crossover(self, a: Layer, b: Layer, rng: np.random.Generator) -> tuple[Layer, Layer]:
        """Two children of `a` and `b`, both valid."""

    def describe(self, layers: Sequence[Layer]) -> str | None:
        """A short human summary of an architecture's layers, or None: the encoding says it best."""


def _digits(layer: Layer) -> str:
    return "".join(str(v) for v in layer)


def _swap_whole(a: Layer, b: Layer, rng: np.random.Generator) -> tuple[Layer, Layer]:
    """Layer-level uniform crossover: the children exchange the whole layer with probability 1/2."""
    return (b, a) if rng.random() < 0.5 else (a, b)


def _swap_positions(a: Layer, b: Layer, rng: np.random.Generator, check, tries: int = 16) -> tuple[Layer, Layer]:
    """Position-wise uniform crossover inside a layer; masks giving an invalid child are redrawn."""
    for _ in range(tries):
        swap = rng.random(len(a)) < 0.5
        c = tuple(y if s else x for x, y, s in zip(a, b, swap))
        d = tuple(x if s else y for x, y, s in zip(a, b, swap))
        if check(c) is None and check(d) is None:
            return c, d
    return a, b


class _PlainIdentity:
    """Layer kinds whose values are all distinct networks."""

    def canonical(self, layer: Layer) -> Layer:
        return tuple(layer)

    def key(self, layer: Layer) -> str:
        return _digits(layer)

    def describe(self, layers: Sequence[Layer]) -> str | None:
        return None


@dataclass(frozen=True)
class SubsetLayer(_PlainIdentity):
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

    def moves(self, layer: Layer) -> dict[str, list[Layer]]:
        """swap: replace one active path by an inactive one; add: one more path (<= m); drop: one fewer (>= 1)."""
        on = set(layer)
        off = [c for c in range(self.n) if c not in on]
        swap = [tuple(sorted((on - {a}) | {b})) for a in layer for b in off]
        add = [tuple(sorted(on | {b})) for b in off] if len(layer) < self.m else []
        drop = [tuple(sorted(on - {a})) for a in layer] if len(layer) > 1 else []
        return {"swap": swap, "add": add, "drop": drop}

    def crossover(self, a: Layer, b: Layer, rng: np.random.Generator) -> tuple[Layer, Layer]:
        return _swap_whole(a, b, rng)


@dataclass(frozen=True)
class GroupKernelLayer(_PlainIdentity):
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

    def moves(self, layer: Layer) -> dict[str, list[Layer]]:
        """kernel: one group takes another kernel."""
        return {"kernel": [layer[:g] + (k,) + layer[g + 1:] for g in range(self.groups) for k in range(self.n)
                           if k != layer[g]]}

    def crossover(self, a: Layer, b: Layer, rng: np.random.Generator) -> tuple[Layer, Layer]:
        """Groups are positional: exchange each group's kernel with probability 1/2."""
        return _swap_positions(a, b, rng, self.check)


@dataclass(frozen=True)
class CellNodesLayer:
    """`nodes` positional candidate nodes, each 0 (off) or an operation 1..ops; 1..m on.

    `positions`: only the first `positions` nodes may be on (the reference code's space for m < 4
    uses the first m); None: any node."""

    nodes: int
    ops: int
    m: int
    positions: int | None = None

    @property
    def usable(self) -> int:
        return self.nodes if self.positions is None else self.positions

    def options(self) -> list[Layer]:
        return [v for v in itertools.product(range(self.ops + 1), repeat=self.nodes) if self.check(v) is None]

    def sample(self, rng: np.random.Generator) -> Layer:
        k = int(rng.integers(1, self.m + 1))
        on = rng.choice(self.usable, size=k, replace=False)
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
        if any(layer[self.usable:]):
            return f"uses a node beyond the first {self.usable} (this space uses only the first {self.usable})"
        return None

    def num_active(self, layer: Layer) -> int:
        return sum(v > 0 for v in layer)

    def canonical(self, layer: Layer) -> Layer:
        """The candidate nodes are symmetric: active ops sorted (descending) and packed left."""
        on = sorted((v for v in layer if v), reverse=True)
        return tuple(on + [0] * (self.nodes - len(on)))

    def key(self, layer: Layer) -> str:
        """NAS-Bench-101 hash of the pruned cell (equal for isomorphic cells)."""
        return _cell_hash(tuple(layer))

    def describe(self, layers: Sequence[Layer]) -> str | None:
        """The active operations, counted: ``(2, 2, 1, 0)`` -> ``'1x1 + 3x3 x2'`` (sorted by short name)."""
        ops = Counter(SHORT_OPS[S4_OPS[v]] for layer in layers for v in layer if v)
        return " + ".join(f"{op} x{n}" if n > 1 else op for op, n in sorted(ops.items()))

    def spec(self, layer: Layer) -> ModelSpec:
        """The unpruned NAS-Bench-101 spec: input -> active nodes -> conv1x1 -> output (off nodes disconnected)."""
        n = self.nodes + 3
        matrix = np.zeros((n, n), dtype=np.int64)
        ops = [INPUT]
        for i, code in enumerate(layer, start=1):
            ops.append(S4_OPS[code] if code else "conv3x3-bn-relu")  # placeholder op, pruned away
            if code:
                matrix[0, i] = 1
                matrix[i, n - 2] = 1
        matrix[n - 2, n - 1] = 1
        ops += ["conv1x1-bn-relu", OUTPUT]
        return ModelSpec(tuple(map(tuple, matrix.tolist())), tuple(ops))

    def moves(self, layer: Layer) -> dict[str, list[Layer]]:
        """node: one node takes another value (off or an op), never all off, at most m on."""
        out = []
        for pos in range(self.nodes):
            for v in range(self.ops + 1):
                if v != layer[pos]:
                    child = layer[:pos] + (v,) + layer[pos + 1:]
                    if self.check(child) is None:
                        out.append(child)
        return {"node": out}

    def crossover(self, a: Layer, b: Layer, rng: np.random.Generator) -> tuple[Layer, Layer]:
        """Exchange node positions (each with probability 1/2); masks giving an invalid cell are redrawn."""
        return _swap_positions(a, b, rng, self.check)


@functools.lru_cache(maxsize=4096)
def _cell_hash(layer: Layer) -> str:
    return prune(CellNodesLayer(len(layer), len(S4_OPS) - 1, len(layer)).spec(layer)).hash()


@dataclass(frozen=True)
class SearchSpace:
    """A named space: `num_layers` layers of one `kind`, with at most `m` active paths a layer."""

    name: str
    num_layers: int
    kind: LayerKind
    description: str
    #: the table entry the space was made from (`get_space`); None for a space built by hand
    entry: object = field(default=None, compare=False, repr=False)

    @property
    def m(self) -> int:
        return self.kind.m

    @property
    def span(self) -> int:
        """`Arch` layers one value of the layer kind takes (S5: a cell of 8 edges; elsewhere 1)."""
        return getattr(self.kind, "span", 1)

    def units(self, arch: Arch) -> list:
        """The layer kind's values of `arch`: its layers, or (span > 1) tuples of `span` layers."""
        if self.span == 1:
            return list(arch.layers)
        return [arch.layers[i:i + self.span] for i in range(0, len(arch.layers), self.span)]

    def _from_units(self, units) -> Arch:
        layers = units if self.span == 1 else [layer for unit in units for layer in unit]
        return Arch(self.name, tuple(layers))

    def describe(self, arch: Arch | str) -> str:
        """A short summary of `arch` for tables: the layer kind's (S4: ``'1x1 + 3x3 x2'``), else the
        encoding itself (the given string when `arch` is a string)."""
        parsed = self.validate(arch)
        describe = getattr(self.kind, "describe", None)
        summary = describe(self.units(parsed)) if describe is not None else None
        if summary is not None:
            return summary
        return arch if isinstance(arch, str) else parsed.to_string()

    def layer_options(self) -> list[Layer]:
        """All valid values of one layer (cached by the caller if needed)."""
        return self.kind.options()

    def layer_choices(self) -> int:
        """Number of choices per layer, or per unit of the kind (supplementary Table 1: 8/36/92/162, 10,
        256, 255; S5: encodings of one cell)."""
        count = getattr(self.kind, "count", None)
        return count() if count is not None else len(self.kind.options())

    def size(self) -> int:
        """Total number of architecture encodings (an exact Python int)."""
        return self.layer_choices() ** (self.num_layers // self.span)

    def sample(self, rng: np.random.Generator) -> Arch:
        """One architecture, each layer (unit) drawn independently as in the paper."""
        return self._from_units([self.kind.sample(rng) for _ in range(self.num_layers // self.span)])

    def num_active(self, arch: Arch) -> list[int]:
        """Active path count per layer (S5: operations summed per edge)."""
        if self.span == 1:
            return [self.kind.num_active(layer) for layer in arch.layers]
        return [k for unit in self.units(arch) for k in self.kind.num_active(unit)]

    def validate(self, arch: Arch | str) -> Arch:
        """Return `arch` (parsed if a string) or raise `ArchError` naming the bad layer."""
        if not isinstance(arch, Arch):
            arch = Arch.from_json(arch)
        if arch.space != self.name:
            raise ArchError(f"architecture {arch} belongs to space {arch.space}, not {self.name}")
        if len(arch.layers) != self.num_layers:
            layout = f" ({self.kind.layout})" if self.span > 1 else ""
            raise ArchError(f"architecture {arch} has {len(arch.layers)} layers; {self.name} has {self.num_layers}"
                            f"{layout}")
        for i, unit in enumerate(self.units(arch)):
            problem = self.kind.check(unit)
            if problem:
                if self.span == 1:
                    allowed = ", ".join("".join(map(str, o)) for o in self.kind.options()[:6])
                    raise ArchError(f"architecture {arch}: layer {i} ({''.join(map(str, unit))}) {problem} "
                                    f"[{self.name}, m={self.m}; e.g. {allowed}, ...]")
                names = getattr(self.kind, "unit_names", ())
                unit = f"{names[i]} cell" if i < len(names) else f"cell {i}"
                raise ArchError(f"architecture {arch}: {unit} {problem} [{self.name}, m={self.m}]")
        return arch

    def parse(self, text: str) -> Arch:
        """Parse and validate a string or JSON architecture."""
        return self.validate(text)

    # -- identity ------------------------------------------------------------------------------------
    def canonical(self, arch: Arch) -> Arch:
        """The representative encoding of the network `arch` computes (S4: ops sorted, packed left)."""
        return self._from_units([self.kind.canonical(unit) for unit in self.units(arch)])

    def canonical_key(self, arch: Arch) -> str:
        """Identity of the network `arch` computes: S4, the NAS-Bench-101 graph hash; else the encoding.

        Caches, populations, budgets and rankings count networks by this key.
        """
        if isinstance(self.kind, _PlainIdentity):
            return arch.to_string()
        return "-".join(self.kind.key(unit) for unit in self.units(arch))

    def num_networks(self) -> int:
        """Number of distinct networks (S4, m=4: 34 of 255 encodings; S5: a node's two inputs in either
        order are one network; elsewhere every encoding)."""
        if isinstance(self.kind, _PlainIdentity):
            return self.size()
        count_networks = getattr(self.kind, "count_networks", None)
        if count_networks is not None:
            return count_networks() ** (self.num_layers // self.span)
        return len({self.canonical_key(a) for a in self.enumerate()})

    # -- variation -----------------------------------------------------------------------------------
    def neighbours(self, arch: Arch) -> list[Arch]:
        """Every architecture one local move of one layer away (see the layer kind's `moves`)."""
        out = []
        units = self.units(arch)
        for i, unit in enumerate(units):
            for values in self.kind.moves(unit).values():
                out += [self._from_units(units[:i] + [v] + units[i + 1:]) for v in values]
        return out

    def mutate(self, arch: Arch, rng: np.random.Generator, prob: float, operator: str = "local") -> Arch:
        """Change each layer with probability `prob`.

        operator 'local': one local move (a random move type, then a random move of it; S4: exactly
        one node changes); 'redraw': a fresh draw from the paper's sampling distribution.
        """
        if operator not in MUTATIONS:
            raise ArchError(f"unknown mutation operator {operator!r}; choose one of {', '.join(MUTATIONS)}")
        layers = []
        for layer in self.units(arch):
            if rng.random() >= prob:
                layers.append(layer)
            elif operator == "redraw":
                layers.append(self.kind.sample(rng))
            else:
                kinds = [v for v in self.kind.moves(layer).values() if v]
                options = kinds[int(rng.integers(len(kinds)))] if kinds else [layer]
                layers.append(options[int(rng.integers(len(options)))])
        return self._from_units(layers)

    def crossover(self, a: Arch, b: Arch, rng: np.random.Generator) -> tuple[Arch, Arch]:
        """Per layer, the layer kind's crossover (S1/S2: exchange whole layers; S3/S4: positions inside)."""
        pairs = [self.kind.crossover(x, y, rng) for x, y in zip(self.units(a), self.units(b))]
        return self._from_units([p[0] for p in pairs]), self._from_units([p[1] for p in pairs])

    def to_vector(self, arch: Arch) -> np.ndarray:
        """Integer vector: per layer, the index of its value in `layer_options()` (a kind with its own
        `to_vector`, S5: its integers per unit, concatenated)."""
        if hasattr(self.kind, "to_vector"):
            return np.array([v for unit in self.units(arch) for v in self.kind.to_vector(unit)], dtype=np.int64)
        index = {o: i for i, o in enumerate(self.kind.options())}
        return np.array([index[layer] for layer in arch.layers], dtype=np.int64)

    def from_vector(self, vec: np.ndarray) -> Arch:
        """Inverse of `to_vector`."""
        if hasattr(self.kind, "from_vector"):
            n = len(vec) // (self.num_layers // self.span)
            return self._from_units([self.kind.from_vector(vec[i:i + n]) for i in range(0, len(vec), n)])
        options = self.kind.options()
        return Arch(self.name, tuple(options[int(i)] for i in vec))

    def enumerate(self) -> list[Arch]:
        """Every encoding; only for spaces with at most 10^6 of them (S4)."""
        if self.size() > 10**6:
            raise ValueError(f"{self.name} has {self.size():.3e} architectures; too many to enumerate")
        return [self._from_units(list(units))
                for units in itertools.product(self.kind.options(), repeat=self.num_layers // self.span)]


def subset_count(n: int, m: int) -> int:
    """sum_{k=1..m} C(n, k): choices of a `SubsetLayer`."""
    return sum(math.comb(n, k) for k in range(1, m + 1))
