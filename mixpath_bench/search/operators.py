"""NSGA-II operators as pure functions of numpy arrays (objectives are minimised).

Non-dominated sorting is pymoo's; the crowding distance is weighted per objective (Algorithm 1:
"crowding distance weighted by w"), which pymoo does not offer.
"""
from __future__ import annotations

import numpy as np
from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting


def non_dominated_fronts(F: np.ndarray) -> list[np.ndarray]:
    """Indices of each front, best first (pymoo's non-dominated sorting)."""
    if len(F) == 0:
        return []
    return [np.asarray(f, dtype=np.int64) for f in NonDominatedSorting().do(np.asarray(F, dtype=float))]


def weighted_crowding_distance(F: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Crowding distance with objective j's normalised gap multiplied by ``weights[j]``.

    Boundary points of every objective with a non-zero weight get infinity, as in NSGA-II.
    """
    F = np.asarray(F, dtype=float)
    n, m = F.shape
    weights = np.broadcast_to(np.asarray(weights, dtype=float), (m,))
    dist = np.zeros(n)
    if n <= 2:
        return np.full(n, np.inf)
    for j in range(m):
        if weights[j] == 0:
            continue
        order = np.argsort(F[:, j], kind="stable")
        span = F[order[-1], j] - F[order[0], j]
        dist[order[0]] = dist[order[-1]] = np.inf
        if span > 0:
            gaps = (F[order[2:], j] - F[order[:-2], j]) / span
            dist[order[1:-1]] += weights[j] * gaps
    return dist


def rank_and_crowding(F: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per individual: its front index (0 = non-dominated) and weighted crowding within its front."""
    rank = np.zeros(len(F), dtype=np.int64)
    crowd = np.zeros(len(F))
    for r, front in enumerate(non_dominated_fronts(F)):
        rank[front] = r
        crowd[front] = weighted_crowding_distance(F[front], weights)
    return rank, crowd


def select_survivors(F: np.ndarray, n: int, weights: np.ndarray) -> np.ndarray:
    """Indices of n individuals: whole fronts first, the last one by weighted crowding (descending)."""
    chosen: list[int] = []
    for front in non_dominated_fronts(F):
        if len(chosen) + len(front) <= n:
            chosen.extend(front.tolist())
        else:
            crowd = weighted_crowding_distance(F[front], weights)
            order = np.lexsort((front, -crowd))  # most crowded-apart first; ties by index
            chosen.extend(front[order[: n - len(chosen)]].tolist())
        if len(chosen) == n:
            break
    return np.asarray(chosen, dtype=np.int64)


def binary_tournament(rank: np.ndarray, crowd: np.ndarray, rng: np.random.Generator) -> int:
    """Index of the winner of two random contestants: lower rank, then larger crowding, then the first."""
    a, b = (int(v) for v in rng.integers(0, len(rank), size=2))
    if rank[a] != rank[b]:
        return a if rank[a] < rank[b] else b
    if crowd[a] != crowd[b]:
        return a if crowd[a] > crowd[b] else b
    return a


def equispaced_picks(F: np.ndarray, k: int, axis: int = 1) -> np.ndarray:
    """k indices of the points whose `axis` values lie nearest to k equispaced targets over its range."""
    F = np.asarray(F, dtype=float)
    if k >= len(F):
        return np.argsort(F[:, axis], kind="stable")
    targets = np.linspace(F[:, axis].min(), F[:, axis].max(), k)
    picked: list[int] = []
    for t in targets:
        order = np.argsort(np.abs(F[:, axis] - t), kind="stable")
        picked.append(next(int(i) for i in order if int(i) not in picked))
    return np.asarray(sorted(picked, key=lambda i: F[i, axis]), dtype=np.int64)
