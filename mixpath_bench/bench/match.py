"""Size matching: the architecture of a space whose size is closest to published numbers.

Used to reconstruct MixPath-A/B, which the paper publishes only as a figure.  Rule: among
architectures within `tol` (relative) of both the target multiply-adds and parameters, prefer the
most multi-path layers, then the smallest relative distance; if none is within `tol`, the smallest
distance.  Search: steepest-ascent local search over one-layer changes from `restarts` seeded
random starts, on exact additive per-layer costs (`layer_cost_table`).
"""
from __future__ import annotations

import numpy as np

from ..spaces import Arch, SearchSpace


def _key(madds: float, params: float, multi: int, target: tuple[float, float], tol: float) -> tuple:
    dist = abs(madds - target[0]) / target[0] + abs(params - target[1]) / target[1]
    feasible = abs(madds - target[0]) <= tol * target[0] and abs(params - target[1]) <= tol * target[1]
    return (1, multi, -dist) if feasible else (0, 0, -dist)


def match_architecture(space: SearchSpace, table: dict, target_madds: float, target_params: float,
                       tol: float = 0.005, restarts: int = 200, seed: int = 0) -> tuple[Arch, dict]:
    """The best architecture under the rule above, and its (table-exact) size."""
    options = table["options"]
    M, P = table["madds"].astype(float), table["params"].astype(float)
    base_m, base_p = table["base"]
    multi = np.array([space.kind.num_active(o) > 1 for o in options], dtype=np.int64)
    layers = np.arange(space.num_layers)
    target = (float(target_madds), float(target_params))
    rng = np.random.default_rng(seed)
    best_vec, best_key = None, None
    for _ in range(restarts):
        vec = space.to_vector(space.sample(rng))
        while True:
            cur_m = base_m + M[layers, vec].sum()
            cur_p = base_p + P[layers, vec].sum()
            cur_multi = multi[vec].sum()
            # every single-layer change at once: (layers, options) totals
            cand_m = cur_m - M[layers, vec][:, None] + M
            cand_p = cur_p - P[layers, vec][:, None] + P
            cand_multi = cur_multi - multi[vec][:, None] + multi[None, :]
            keys = [(_key(cand_m[i, j], cand_p[i, j], cand_multi[i, j], target, tol), i, j)
                    for i in range(len(layers)) for j in range(len(options))]
            (k, i, j) = max(keys, key=lambda t: t[0])
            if k <= _key(cur_m, cur_p, cur_multi, target, tol):
                break
            vec = vec.copy()
            vec[i] = j
        key = _key(cur_m, cur_p, cur_multi, target, tol)
        if best_key is None or key > best_key or (key == best_key and tuple(vec) < tuple(best_vec)):
            best_vec, best_key = vec, key
    arch = space.from_vector(best_vec)
    madds = int(base_m + M[layers, best_vec].sum())
    params = int(base_p + P[layers, best_vec].sum())
    return arch, {"madds": madds, "params": params, "multi_path_layers": int(multi[best_vec].sum()),
                  "within_tolerance": bool(best_key[0]), "tolerance": tol}
