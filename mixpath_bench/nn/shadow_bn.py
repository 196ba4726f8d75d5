"""Shadow Batch Norm: one BatchNorm per number of summed paths (MixPath, Lemma 3.1)."""
from __future__ import annotations

import torch
from torch import nn


class ShadowBatchNorm(nn.Module):
    """`max_paths` BatchNorm2d layers; `forward(x, k)` normalises with the k-th (k active paths).

    Summing k paths scales the feature mean by ~k and the variance by ~k^2, so each k keeps its
    own statistics and affine parameters.  With ``shadow=False`` a single BN serves every k
    (the paper's vanilla-BN ablation).  Only the selected BN is used, so only it receives
    gradients and updates its running statistics.
    """

    def __init__(self, num_features: int, max_paths: int, shadow: bool = True,
                 momentum: float = 0.1, eps: float = 1e-5) -> None:
        super().__init__()
        if max_paths < 1:
            raise ValueError(f"max_paths must be >= 1, got {max_paths}")
        self.max_paths = max_paths
        self.shadow = shadow
        count = max_paths if shadow else 1
        self.bns = nn.ModuleList(nn.BatchNorm2d(num_features, eps=eps, momentum=momentum) for _ in range(count))

    def select(self, k: int) -> nn.BatchNorm2d:
        """The BN that follows k-path activations."""
        if not 1 <= k <= self.max_paths:
            raise ValueError(f"{k} active paths, but this ShadowBatchNorm allows 1..{self.max_paths}")
        return self.bns[k - 1] if self.shadow else self.bns[0]

    def forward(self, x: torch.Tensor, k: int) -> torch.Tensor:
        return self.select(k)(x)

    def extra_repr(self) -> str:
        return f"max_paths={self.max_paths}, shadow={self.shadow}"
