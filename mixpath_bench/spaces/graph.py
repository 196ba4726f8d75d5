"""NAS-Bench-101 cell graphs: `ModelSpec`, pruning and the module hash (numpy only).

The hash is NAS-Bench-101's `hash_module` (iterated MD5 over (out-degree, in-degree, label) of
each vertex), written from its published description, so ground truth can be joined with
`nasbench_only108.tfrecord` by hash.  Isomorphic cells get the same hash.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

INPUT, OUTPUT = "input", "output"
#: NAS-Bench-101's label order for the hash (index = label).
NB101_OPS = ("conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3")


@dataclass(frozen=True)
class ModelSpec:
    """A NAS-Bench-101 cell: upper-triangular adjacency matrix and one op name per vertex."""

    matrix: tuple[tuple[int, ...], ...]
    ops: tuple[str, ...]

    def to_numpy(self) -> np.ndarray:
        return np.array(self.matrix, dtype=np.int64)

    def hash(self) -> str:
        """NAS-Bench-101 module hash of this (already pruned) spec."""
        labels = [-1] + [NB101_OPS.index(op) for op in self.ops[1:-1]] + [-2]
        return graph_hash(self.to_numpy(), labels)


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
