"""S4 architectures as NAS-Bench-101 specs: matrix + ops, pruning, and NAS-Bench-101's graph hash.

The S4 cell (7 vertices): input (0) -> candidate nodes 1..4 (those that are on) -> a
conv1x1-bn-relu node (5) -> output (6).  The hash is NAS-Bench-101's `hash_module`
(iterated MD5 over (out-degree, in-degree, label)), written from its published description,
so ground truth can be joined with `nasbench_only108.tfrecord` by hash.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from .arch import Arch
from .spaces import S4_OPS, get_space

INPUT, OUTPUT = "input", "output"
#: NAS-Bench-101's label order for the hash (index = label).
NB101_OPS = ("conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3")


@dataclass(frozen=True)
class ModelSpec:
    """A NAS-Bench-101 cell: upper-triangular adjacency matrix and one op name per vertex."""

    matrix: tuple[tuple[int, ...], ...]
    ops: tuple[str, ...]

    @property
    def num_vertices(self) -> int:
        return len(self.ops)

    def to_numpy(self) -> np.ndarray:
        return np.array(self.matrix, dtype=np.int64)

    def hash(self) -> str:
        """NAS-Bench-101 module hash of this (already pruned) spec."""
        labels = [-1] + [NB101_OPS.index(op) for op in self.ops[1:-1]] + [-2]
        return graph_hash(self.to_numpy(), labels)


def s4_full_spec(arch: Arch) -> ModelSpec:
    """The unpruned 7-vertex spec of an S4 architecture (off nodes are disconnected)."""
    (nodes,) = get_space("S4").validate(arch).layers
    matrix = np.zeros((7, 7), dtype=np.int64)
    ops = [INPUT]
    for i, code in enumerate(nodes, start=1):
        ops.append(S4_OPS[code] if code else "conv3x3-bn-relu")  # placeholder op, pruned away
        if code:
            matrix[0, i] = 1
            matrix[i, 5] = 1
    matrix[5, 6] = 1
    ops += ["conv1x1-bn-relu", OUTPUT]
    return ModelSpec(tuple(map(tuple, matrix.tolist())), tuple(ops))


def prune(spec: ModelSpec) -> ModelSpec:
    """Remove vertices not on any input->output path (NAS-Bench-101's pruning)."""
    matrix = spec.to_numpy()
    n = len(spec.ops)
    from_input, to_output = {0}, {n - 1}
    for v in range(1, n):
        if any(matrix[u, v] and u in from_input for u in range(v)):
            from_input.add(v)
    for v in range(n - 2, -1, -1):
        if any(matrix[v, w] and w in to_output for w in range(v + 1, n)):
            to_output.add(v)
    keep = sorted(from_input & to_output)
    if 0 not in keep or n - 1 not in keep:
        raise ValueError("spec has no path from input to output")
    sub = matrix[np.ix_(keep, keep)]
    return ModelSpec(tuple(map(tuple, sub.tolist())), tuple(spec.ops[i] for i in keep))


def s4_spec(arch: Arch) -> ModelSpec:
    """The pruned NAS-Bench-101 spec of an S4 architecture."""
    return prune(s4_full_spec(arch))


def s4_hash(arch: Arch) -> str:
    """NAS-Bench-101 hash of an S4 architecture (equal for isomorphic cells)."""
    return s4_spec(arch).hash()


def graph_hash(matrix: np.ndarray, labels: list[int]) -> str:
    """NAS-Bench-101 `hash_module`: iterated MD5 of (out-degree, in-degree, label) per vertex."""
    matrix = np.asarray(matrix)
    n = matrix.shape[0]
    in_deg = matrix.sum(axis=0).tolist()
    out_deg = matrix.sum(axis=1).tolist()
    hashes = [_md5(str((int(o), int(i), int(lab)))) for o, i, lab in zip(out_deg, in_deg, labels)]
    for _ in range(n):
        hashes = [
            _md5(
                "".join(sorted(hashes[w] for w in range(n) if matrix[w, v]))
                + "|"
                + "".join(sorted(hashes[w] for w in range(n) if matrix[v, w]))
                + "|"
                + hashes[v]
            )
            for v in range(n)
        ]
    return _md5(str(sorted(hashes)))


def _md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def s4_unique_archs(m: int = 4) -> dict[str, list[Arch]]:
    """All S4 encodings grouped by NAS-Bench-101 hash (255 encodings -> 34 hashes for m=4).

    The first encoding of each group (in enumeration order) is its representative.
    """
    groups: dict[str, list[Arch]] = {}
    for arch in get_space("S4", m).enumerate():
        groups.setdefault(s4_hash(arch), []).append(arch)
    return groups


def s4_canonical(arch: Arch) -> Arch:
    """The representative encoding of `arch`'s isomorphism class: active ops sorted, packed left."""
    (nodes,) = arch.layers
    on = sorted((v for v in nodes if v), reverse=True)
    return Arch("S4", (tuple(on + [0] * (len(nodes) - len(on))),))
