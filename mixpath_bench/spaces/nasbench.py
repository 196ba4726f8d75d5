"""S4 architectures as NAS-Bench-101 specs: matrix + ops, pruning, and NAS-Bench-101's graph hash.

The S4 cell (7 vertices): input (0) -> candidate nodes 1..4 (those that are on) -> a
conv1x1-bn-relu node (5) -> output (6).  The space owns the identity (`SearchSpace.canonical_key`
is this hash); these helpers name it for S4 code and NAS-Bench-101 look-ups.
"""
from __future__ import annotations

from .arch import Arch
from .graph import INPUT, NB101_OPS, OUTPUT, ModelSpec, graph_hash, prune
from .table import get_space

__all__ = ["INPUT", "OUTPUT", "NB101_OPS", "ModelSpec", "graph_hash", "prune", "s4_full_spec", "s4_spec",
           "s4_hash", "s4_unique_archs", "s4_canonical"]


def s4_full_spec(arch: Arch) -> ModelSpec:
    """The unpruned 7-vertex spec of an S4 architecture (off nodes are disconnected)."""
    space = get_space("S4")
    (nodes,) = space.validate(arch).layers
    return space.kind.spec(nodes)


def s4_spec(arch: Arch) -> ModelSpec:
    """The pruned NAS-Bench-101 spec of an S4 architecture."""
    return prune(s4_full_spec(arch))


def s4_hash(arch: Arch) -> str:
    """NAS-Bench-101 hash of an S4 architecture (equal for isomorphic cells)."""
    return get_space("S4").canonical_key(get_space("S4").validate(arch))


def s4_unique_archs(m: int = 4) -> dict[str, list[Arch]]:
    """All S4 encodings grouped by NAS-Bench-101 hash (255 encodings -> 34 hashes for m=4).

    The first encoding of each group (in enumeration order) is its representative.
    """
    space = get_space("S4", m)
    groups: dict[str, list[Arch]] = {}
    for arch in space.enumerate():
        groups.setdefault(space.canonical_key(arch), []).append(arch)
    return groups


def s4_canonical(arch: Arch) -> Arch:
    """The representative encoding of `arch`'s isomorphism class: active ops sorted, packed left."""
    return get_space("S4").canonical(arch)
