"""DARTS genotypes (``Genotype(normal, normal_concat, reduce, reduce_concat)``) <-> S5 architectures.

`Genotype` has the fields of DARTS' own namedtuple (cnn/genotypes.py of github.com/quark0/darts):
``normal`` / ``reduce`` list ``(operation name, input index)`` pairs, two per node in node order, and
``*_concat`` the states concatenated into the cell's output (all intermediate nodes: 2..5).  An m=1
S5 architecture is exactly one genotype and converts both ways, the order of each node's two
inputs kept; an edge that sums several operations has no genotype.
"""
from __future__ import annotations

from collections import namedtuple
from collections.abc import Sequence

from .arch import Arch, ArchError
from .darts_cell import CELL_NAMES, DARTS_PRIMITIVES, S5_OPS
from .table import get_space

Genotype = namedtuple("Genotype", "normal normal_concat reduce reduce_concat")

#: the space whose architectures are DARTS cells
DARTS_SPACE = "S5"


def arch_to_genotype(arch: Arch | str) -> Genotype:
    """The DARTS genotype of an S5 architecture whose every edge is one operation."""
    space = get_space(DARTS_SPACE, get_space(DARTS_SPACE).entry.max_m)
    arch = space.validate(arch)
    cells = space.units(arch)
    for name, cell in zip(CELL_NAMES, cells):
        for e, edge in enumerate(cell):
            if len(edge) > 2:
                raise ArchError(f"architecture {arch} has no DARTS genotype: {name} cell edge {e} sums "
                                f"{len(edge) - 1} operations (a DARTS edge is one)")
    pairs = [[(DARTS_PRIMITIVES[op], src) for src, op in cell] for cell in cells]
    concat = list(range(2, 2 + space.kind.nodes))
    return Genotype(normal=pairs[0], normal_concat=concat, reduce=pairs[1], reduce_concat=list(concat))


def genotype_to_arch(genotype: Genotype | Sequence) -> Arch:
    """The m=1 S5 architecture of a DARTS genotype (a `Genotype` or any 4-sequence in its field order)."""
    try:
        genotype = Genotype(*genotype)
    except TypeError:
        raise ArchError("a DARTS genotype is (normal, normal_concat, reduce, reduce_concat), "
                        f"got {str(genotype)[:80]}") from None
    space = get_space(DARTS_SPACE, 1)
    concat = list(range(2, 2 + space.kind.nodes))
    layers = []
    for name, pairs, cat in zip(CELL_NAMES, (genotype.normal, genotype.reduce),
                                (genotype.normal_concat, genotype.reduce_concat)):
        if list(cat) != concat:
            raise ArchError(f"genotype {name}_concat is {list(cat)}; S5 cells concatenate every node, {concat}")
        pairs = list(pairs) if isinstance(pairs, (list, tuple)) else pairs
        if not isinstance(pairs, list) or len(pairs) != 2 * space.kind.nodes:
            count = len(pairs) if isinstance(pairs, list) else "no list of"
            raise ArchError(f"genotype {name} has {count} (operation, input) pairs; a cell has "
                            f"{2 * space.kind.nodes}: exactly two per node, in node order")
        for i, pair in enumerate(pairs):
            if not (isinstance(pair, (list, tuple)) and len(pair) == 2 and isinstance(pair[1], int)
                    and not isinstance(pair[1], bool)):
                raise ArchError(f"genotype {name} pair {i} (node {i // 2}) must be (operation name, input index), "
                                f"got {str(pair)[:60]}")
            op, src = pair
            if op not in S5_OPS:
                raise ArchError(f"genotype {name} cell names operation {op!r}; S5 has {', '.join(S5_OPS)}")
            layers.append((src, DARTS_PRIMITIVES.index(op)))
    return space.validate(Arch(DARTS_SPACE, tuple(layers)))
