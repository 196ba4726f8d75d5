"""What Shadow BN does (supplementary Figs. 2, 3/4 and 6), for any S1/S2/S4 supernet, on CPU.

* `sbn_statistics`: per chosen layer, SBN_k's running mean / variance and gamma / beta against
  SBN_1's, with the least-squares ratio through the origin per k (the paper expects mean_k ~ k
  mean_1 and var_k ~ k^2 var_1).
* `path_features`: the first multi-path layer's summed features for several path combinations,
  before and after its normalisation - input to the t-SNE (Fig. 2) and cosine-similarity (Fig. 6)
  views.
"""
from __future__ import annotations

import itertools
from typing import Sequence

import numpy as np
import torch
from torch import nn

from ..nn import ShadowBatchNorm


def shadow_layers(network: nn.Module) -> list[tuple[str, ShadowBatchNorm]]:
    """(name, ShadowBatchNorm) of every searchable layer, in order."""
    return [(name, m) for name, m in network.named_modules() if isinstance(m, ShadowBatchNorm)]


def fit_ratio(x: np.ndarray, y: np.ndarray) -> float:
    """Least-squares slope of y = r * x through the origin."""
    denom = float(np.dot(x, x))
    return float(np.dot(x, y) / denom) if denom > 0 else float("nan")


def sbn_statistics(network: nn.Module, layers: Sequence[int] | None = None) -> list[dict]:
    """Per selected layer: the four parameter vectors of every SBN_k and their ratios to SBN_1."""
    found = shadow_layers(network)
    if not found:
        raise ValueError("this network has no Shadow BN layers")
    chosen = layers if layers is not None else sorted({0, len(found) // 2, len(found) - 1})
    out = []
    for index in chosen:
        name, sbn = found[index]
        params = {}
        for k, bn in enumerate(sbn.bns, start=1):
            params[k] = {"mean": bn.running_mean.detach().cpu().numpy(), "var": bn.running_var.detach().cpu().numpy(),
                         "gamma": bn.weight.detach().cpu().numpy(), "beta": bn.bias.detach().cpu().numpy()}
        ratios = {key: {k: fit_ratio(params[1][key], params[k][key]) for k in params} for key in params[1]}
        out.append({"layer": index, "name": name, "shadow": sbn.shadow, "params": params, "ratios": ratios})
    return out


def first_multipath_layer(network: nn.Module):
    """(stem function, norm module, combination -> pre-norm features) of the first searchable layer.

    The supernet says which layer that is (`first_searchable_layer`); a supernet whose first layer
    is single-path (S3) raises ValueError.
    """
    first = getattr(network, "first_searchable_layer", None)
    if first is None:
        raise ValueError(f"{type(network).__name__} names no first searchable layer: nothing to analyse")
    return first()


def first_layer_choices(network: nn.Module) -> list[tuple[tuple[int, ...], int]]:
    """(combination, active paths) of every choice of the first searchable layer: the supernet's own
    `first_layer_choices` where it has one (S5: the edge's operation sets), else the space's layer options."""
    own = getattr(network, "first_layer_choices", None)
    if own is not None:
        return own()
    space = network.space
    return [(opt, space.kind.num_active(opt)) for opt in space.layer_options()]


def combinations(network: nn.Module, limit: int = 8, seed: int = 0) -> list[tuple[int, ...]]:
    """Up to `limit` path combinations of the first layer, covering every path count 1..m."""
    choices = first_layer_choices(network)
    options = [combo for combo, _ in choices]
    by_k: dict[int, list] = {}
    for opt, k in choices:
        by_k.setdefault(k, []).append(opt)
    rng = np.random.default_rng(seed)
    picked: list[tuple[int, ...]] = []
    for k in itertools.cycle(sorted(by_k)):
        pool = [o for o in by_k[k] if o not in picked]
        if pool:
            picked.append(pool[int(rng.integers(len(pool)))])
        if len(picked) >= min(limit, len(options)):
            return picked
    return picked


@torch.no_grad()
def path_features(network: nn.Module, x: torch.Tensor, combos: Sequence[tuple[int, ...]]) -> dict:
    """For each combination: per-sample features (global-average-pooled) before and after the norm."""
    network.eval()
    stem, norm, pre = first_multipath_layer(network)
    h = stem(x)
    active = dict(first_layer_choices(network))
    out = {"combos": [list(c) for c in combos], "before": [], "after": [], "k": []}
    for combo in combos:
        k = active[tuple(combo)]
        y = pre(h, combo)
        out["before"].append(y.mean((2, 3)).cpu().numpy())
        out["after"].append(norm(y, k).mean((2, 3)).cpu().numpy())
        out["k"].append(k)
    out["before"], out["after"] = np.stack(out["before"]), np.stack(out["after"])  # (combos, samples, C)
    return out


def cosine_matrix(vectors: np.ndarray) -> np.ndarray:
    """Pairwise cosine similarity of row vectors."""
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    return unit @ unit.T


def tsne_embedding(features: np.ndarray, seed: int = 0) -> np.ndarray:
    """2-D t-SNE of (combos, samples, C) features -> (combos * samples, 2)."""
    from sklearn.manifold import TSNE

    flat = features.reshape(-1, features.shape[-1])
    perplexity = float(min(30, max(2, len(flat) // 4)))
    return TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed).fit_transform(flat)
