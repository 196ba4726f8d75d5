"""Multi-path layers: the sum of the active candidates, normalised by a Shadow BN.

`MultiPathLayer` is the supernet layer; `PathSumBlock` is its stand-alone counterpart holding
only the chosen candidates and the one BN that followed that many paths.  Each layer owns its
modes: `MultiPathLayer.forward_weighted` is DARTS' relaxation, the stand-alone blocks'
`forward_tap` returns the feature tap a detection backbone reads.
"""
from __future__ import annotations

import copy
from typing import Sequence

import torch
from torch import nn

from .shadow_bn import ShadowBatchNorm


class MultiPathLayer(nn.Module):
    """`forward(x, active)`: SBN_k(sum of candidates[i](x) for i in active) (+ x if residual)."""

    def __init__(self, candidates: Sequence[nn.Module], channels: int, max_paths: int,
                 shadow_bn: bool = True, residual: bool = False) -> None:
        super().__init__()
        self.candidates = nn.ModuleList(candidates)
        self.norm = ShadowBatchNorm(channels, max_paths, shadow=shadow_bn)
        self.residual = residual

    def forward(self, x: torch.Tensor, active: Sequence[int]) -> torch.Tensor:
        out = self.norm(self.path_sum(x, active), len(active))
        return out + x if self.residual else out

    def path_sum(self, x: torch.Tensor, active: Sequence[int]) -> torch.Tensor:
        """The sum of the `active` candidates' outputs: what the Shadow BN normalises."""
        out = self.candidates[active[0]](x)
        for i in active[1:]:
            out = out + self.candidates[i](x)
        return out

    def forward_weighted(self, x: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        """DARTS' continuous relaxation: BN_1(sum_c weights[c] * candidates[c](x)) (+ x if residual).

        `weights` holds one weight per candidate; one-hot weights compute ``forward(x, (c,))``.
        """
        if len(weights) != len(self.candidates):
            raise ValueError(f"{len(weights)} weights for {len(self.candidates)} candidates")
        out = sum(w * cand(x) for w, cand in zip(weights, self.candidates))
        out = self.norm(out, 1)
        return out + x if self.residual else out

    def export(self, active: Sequence[int]) -> "PathSumBlock":
        """A stand-alone copy containing only `active` candidates and SBN_len(active)."""
        return PathSumBlock([copy.deepcopy(self.candidates[i]) for i in active],
                            copy.deepcopy(self.norm.select(len(active))), self.residual)


class PathSumBlock(nn.Module):
    """Stand-alone multi-path block: BN(sum of paths) (+ x if residual)."""

    def __init__(self, paths: Sequence[nn.Module], norm: nn.Module, residual: bool) -> None:
        super().__init__()
        self.paths = nn.ModuleList(paths)
        self.norm = norm
        self.residual = residual

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.paths[0](x)
        for path in self.paths[1:]:
            out = out + path(x)
        out = self.norm(out)
        return out + x if self.residual else out

    def forward_tap(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(output, feature tap): the tap is the sum of the paths' taps (their depthwise outputs)."""
        out = tap = None
        for path in self.paths:
            y, h = path.forward_tap(x)
            out, tap = (y, h) if out is None else (out + y, tap + h)
        out = self.norm(out)
        return (out + x if self.residual else out), tap


class ChoiceBlock(nn.Module):
    """Stand-alone wrapper that fixes the `choice` argument of a choice-taking module (S3)."""

    def __init__(self, body: nn.Module, choice: tuple[int, ...], norm: nn.Module, residual: bool) -> None:
        super().__init__()
        self.body = body
        self.choice = tuple(choice)
        self.norm = norm
        self.residual = residual

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.norm(self.body(x, self.choice))
        return out + x if self.residual else out

    def forward_tap(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(output, feature tap): the body's tap (its depthwise output) for the fixed choice."""
        y, tap = self.body.forward_tap(x, self.choice)
        out = self.norm(y)
        return (out + x if self.residual else out), tap
