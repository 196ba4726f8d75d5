"""S5: DARTS' cell search space with MixPath's multi-path edges, as plain data (numpy only).

A cell (DARTS, Liu et al. 2019) has two inputs (the outputs of the two previous cells, inputs 0 and
1) and `nodes` intermediate nodes; node j (0-based) sums two edges from two distinct earlier states
(inputs 0..j+1: the cell inputs and nodes 0..j-1), so 4 nodes choose among 2+3+4+5 = 14 candidate
edges.  MixPath's rule: a chosen edge sums 1..m distinct operations of the 7 (DARTS' operations
besides ``none``); m=1 is DARTS' discrete space.

Encoding (one `Arch` layer per edge, 16 layers: the normal cell's 8 edges, then the reduction
cell's): an edge is its input index followed by its operation codes, the codes of DARTS' own
``PRIMITIVES`` list (1 max_pool_3x3 ... 7 dil_conv_5x5; 0 = none is not in the space).  Node j is
edges 2j and 2j+1, in the order of a DARTS genotype, e.g. DARTS_V2's normal cell begins
``S5:04-14-04-14-14-03-03-26-...`` (node 0: sep_conv_3x3 from inputs 0 and 1).  The operations of an
edge are written in increasing order; the order of a node's two edges is kept (a DARTS genotype
round-trips unchanged), and `canonical` sorts them, so both orders are one network.

The layer kind's unit is a whole cell (`span` = 8 edges): `SearchSpace` hands it a tuple of 8 edge
tuples.  Two cells are independent (normal, reduction).
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import cached_property
from typing import Sequence

import numpy as np

from .arch import Layer

#: DARTS' PRIMITIVES (cnn/genotypes.py of github.com/quark0/darts): the code of an operation is its index
DARTS_PRIMITIVES = ("none", "max_pool_3x3", "avg_pool_3x3", "skip_connect", "sep_conv_3x3", "sep_conv_5x5",
                    "dil_conv_3x3", "dil_conv_5x5")
#: the operations of S5 (codes 1..7): every primitive but ``none``
S5_OPS = DARTS_PRIMITIVES[1:]
#: short names of S5's operations for tables (same order as `S5_OPS`)
SHORT_NAMES = ("max", "avg", "skip", "sep3", "sep5", "dil3", "dil5")
#: names of the two cells of an S5 architecture, in encoding order
CELL_NAMES = ("normal", "reduce")

Cell = tuple[Layer, ...]


@dataclass(frozen=True)
class DartsCellLayer:
    """One DARTS cell: `nodes` nodes, each two edges from distinct earlier states, each edge summing
    1..m distinct operations of `ops` (codes 1..ops)."""

    m: int
    nodes: int = 4
    ops: int = len(S5_OPS)

    @property
    def span(self) -> int:
        """`Arch` layers (edges) one cell takes."""
        return 2 * self.nodes

    @property
    def unit_names(self) -> tuple[str, ...]:
        """What the cells of an architecture are called, in encoding order."""
        return CELL_NAMES

    @property
    def layout(self) -> str:
        """How an architecture's layers are laid out (for error messages)."""
        return f"the edges of cells {' and '.join(CELL_NAMES)}: {self.nodes} nodes x exactly 2 input edges each"

    @cached_property
    def _subsets(self) -> list[tuple[int, ...]]:
        """The operation sets of one edge, in a fixed order (sizes 1..m, then lexicographic)."""
        return [c for k in range(1, self.m + 1) for c in itertools.combinations(range(1, self.ops + 1), k)]

    def edge_choices(self) -> list[tuple[int, ...]]:
        """The operation sets one edge may sum (sizes 1..m, then lexicographic; codes 1..ops)."""
        return list(self._subsets)

    @cached_property
    def _subset_index(self) -> dict[tuple[int, ...], int]:
        return {s: i for i, s in enumerate(self._subsets)}

    # -- sizes ---------------------------------------------------------------------------------------
    def count(self) -> int:
        """Encodings of one cell: per node, ordered pairs of distinct inputs x an op set per edge."""
        s = len(self._subsets)
        return math.prod((j + 2) * (j + 1) * s * s for j in range(self.nodes))

    def count_networks(self) -> int:
        """Distinct cells: per node, unordered pairs of inputs x an op set per edge (DARTS' count
        ``prod_k (k+1)k/2 x 7^2`` for m=1; no graph isomorphism beyond a node's two inputs)."""
        return self.count() // 2**self.nodes

    def options(self) -> list[Cell]:
        """Every encoding of one cell (only for small cells: DARTS' has 1.7e10 at m=1)."""
        if self.count() > 10**6:
            raise ValueError(f"a DARTS cell has {self.count():.3e} encodings; too many to list")
        per_node = [[self._node_edges(j, p, a, b) for p in itertools.permutations(range(j + 2), 2)
                     for a in self._subsets for b in self._subsets] for j in range(self.nodes)]
        return [sum(nodes, ()) for nodes in itertools.product(*per_node)]

    @staticmethod
    def _node_edges(j: int, inputs: tuple[int, int], a: tuple[int, ...], b: tuple[int, ...]) -> Cell:
        return ((inputs[0], *a), (inputs[1], *b))

    # -- sampling, validation ------------------------------------------------------------------------
    def sample(self, rng: np.random.Generator) -> Cell:
        """Per node two distinct inputs uniformly (written in increasing order); per edge k ~ U{1..m},
        then k distinct operations uniformly (the paper's rule, per edge)."""
        edges = []
        for j in range(self.nodes):
            for i in sorted(int(v) for v in rng.choice(j + 2, size=2, replace=False)):
                k = int(rng.integers(1, self.m + 1))
                edges.append((i, *sorted(int(v) + 1 for v in rng.choice(self.ops, size=k, replace=False))))
        return tuple(edges)

    def check(self, cell: Cell) -> str | None:
        """None if `cell` is valid, else one sentence naming the node or edge and what is wrong."""
        if len(cell) != self.span:
            return f"has {len(cell)} edges; a cell has exactly {self.span} ({self.nodes} nodes x 2 inputs)"
        for e, edge in enumerate(cell):
            j = e // 2
            if len(edge) < 2:
                return f"edge {e} (node {j}) has no operation; write its input, then 1..{self.m} op codes"
            if not 0 <= edge[0] <= j + 1:
                return f"edge {e}: node {j} takes inputs 0..{j + 1}, got input {edge[0]}"
            ops = edge[1:]
            if any(not 1 <= o <= self.ops for o in ops):
                return f"edge {e} names an unknown operation (codes 1..{self.ops}: {', '.join(S5_OPS)})"
            if list(ops) != sorted(set(ops)):
                return f"edge {e} must list distinct operations in increasing order"
            if len(ops) > self.m:
                return f"edge {e} sums {len(ops)} operations; this space allows 1..{self.m} (m={self.m})"
        for j in range(self.nodes):
            if cell[2 * j][0] == cell[2 * j + 1][0]:
                return (f"node {j} takes input {cell[2 * j][0]} twice; a node has two distinct inputs "
                        "(sum the operations on one edge instead)")
        return None

    def num_active(self, cell: Cell) -> tuple[int, ...]:
        """Operations summed on each of the cell's edges (one Shadow BN choice per edge)."""
        return tuple(len(edge) - 1 for edge in cell)

    # -- identity ------------------------------------------------------------------------------------
    def canonical(self, cell: Cell) -> Cell:
        """A node's two edges sorted by input: the order of a node's inputs does not change the cell."""
        return tuple(edge for j in range(self.nodes) for edge in sorted(cell[2 * j: 2 * j + 2]))

    def key(self, cell: Cell) -> str:
        """The canonical encoding's edges, ``-``-joined."""
        return "-".join("".join(map(str, edge)) for edge in self.canonical(cell))

    def describe(self, cells: Sequence[Cell]) -> str | None:
        """Operations per cell, counted, for tables: ``'N: 4 sep3 2 skip 1 dil3 | R: 5 max 3 skip'``."""
        parts = []
        for name, cell in zip("NR", cells):
            counts = np.bincount([op for edge in cell for op in edge[1:]], minlength=self.ops + 1)
            parts.append(f"{name}: " + " ".join(f"{counts[c]} {SHORT_NAMES[c - 1]}"
                                                for c in sorted(range(1, self.ops + 1), key=lambda c: -counts[c])
                                                if counts[c]))
        return " | ".join(parts)

    # -- vectors -------------------------------------------------------------------------------------
    def to_vector(self, cell: Cell) -> list[int]:
        """One integer per node: the index of (ordered inputs, op set of each edge) among its options."""
        s = len(self._subsets)
        out = []
        for j in range(self.nodes):
            (i0, *a), (i1, *b) = cell[2 * j: 2 * j + 2]
            pair = list(itertools.permutations(range(j + 2), 2)).index((i0, i1))
            out.append((pair * s + self._subset_index[tuple(a)]) * s + self._subset_index[tuple(b)])
        return out

    def from_vector(self, values: Sequence[int]) -> Cell:
        """Inverse of `to_vector`."""
        s = len(self._subsets)
        edges: list[Layer] = []
        for j, v in enumerate(values):
            pair, rest = divmod(int(v), s * s)
            a, b = divmod(rest, s)
            edges += self._node_edges(j, list(itertools.permutations(range(j + 2), 2))[pair],
                                      self._subsets[a], self._subsets[b])
        return tuple(edges)

    # -- variation -----------------------------------------------------------------------------------
    def moves(self, cell: Cell) -> dict[str, list[Cell]]:
        """input: one edge takes another earlier state (not its node's other input); swap / add / drop:
        one edge exchanges, gains (<= m) or loses (>= 1) one operation."""
        out: dict[str, list[Cell]] = {"input": [], "swap": [], "add": [], "drop": []}
        for e, (src, *ops) in enumerate(cell):
            j, other = e // 2, cell[e ^ 1][0]
            put = lambda edge: cell[:e] + (edge,) + cell[e + 1:]  # noqa: E731 - one cell, one edge replaced
            out["input"] += [put((i, *ops)) for i in range(j + 2) if i not in (src, other)]
            on, off = set(ops), [o for o in range(1, self.ops + 1) if o not in ops]
            out["swap"] += [put((src, *sorted((on - {a}) | {b}))) for a in ops for b in off]
            if len(ops) < self.m:
                out["add"] += [put((src, *sorted(on | {b}))) for b in off]
            if len(ops) > 1:
                out["drop"] += [put((src, *sorted(on - {a}))) for a in ops]
        return out

    def crossover(self, a: Cell, b: Cell, rng: np.random.Generator) -> tuple[Cell, Cell]:
        """Exchange whole nodes (both edges), each with probability 1/2: children are always valid."""
        swap = np.repeat(rng.random(self.nodes) < 0.5, 2)
        return (tuple(y if s else x for x, y, s in zip(a, b, swap)),
                tuple(x if s else y for x, y, s in zip(a, b, swap)))


def darts_cell_kind(m: int) -> DartsCellLayer:
    """S5's layer kind with at most `m` operations per edge."""
    return DartsCellLayer(m)
