"""Candidate operations: inverted bottlenecks (S1/S2), mixed-kernel bottlenecks (S3), NAS-Bench-101 ops (S4).

Each returns its output *without* a final BN: the caller sums the active candidates and
normalises the sum (Shadow BN), as in the MixPath reference code.
"""
from __future__ import annotations

import copy
from typing import Callable, Sequence

import torch
from torch import nn

ActFactory = Callable[[], nn.Module]


def conv_bn_act(cin: int, cout: int, kernel: int, stride: int = 1, groups: int = 1,
                act: ActFactory | None = nn.ReLU) -> nn.Sequential:
    """Conv (same padding, no bias) + BN + optional activation."""
    layers: list[nn.Module] = [
        nn.Conv2d(cin, cout, kernel, stride, kernel // 2, groups=groups, bias=False),
        nn.BatchNorm2d(cout),
    ]
    if act is not None:
        layers.append(act())
    return nn.Sequential(*layers)


class SqueezeExcite(nn.Module):
    """Squeeze-and-excitation on `channels`, reduced to `reduced` (MixNet: block input x ratio)."""

    def __init__(self, channels: int, reduced: int, act: ActFactory) -> None:
        super().__init__()
        self.reduce = nn.Conv2d(channels, reduced, 1)
        self.act = act()
        self.expand = nn.Conv2d(reduced, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        scale = self.expand(self.act(self.reduce(x.mean((2, 3), keepdim=True))))
        return x * torch.sigmoid(scale)


class InvertedBottleneck(nn.Module):
    """1x1 expand + BN + act, depthwise k x k (stride) + BN + act, [SE], linear 1x1 projection.

    `exp_groups` / `proj_groups` > 1 make the pointwise convolutions grouped (MixNet).
    """

    def __init__(self, cin: int, cout: int, kernel: int, expansion: int, stride: int,
                 act: ActFactory, se_ratio: float = 0.0, exp_groups: int = 1, proj_groups: int = 1) -> None:
        super().__init__()
        mid = cin * expansion
        self.expand = conv_bn_act(cin, mid, 1, groups=exp_groups, act=act)
        self.depthwise = conv_bn_act(mid, mid, kernel, stride, groups=mid, act=act)
        self.se = SqueezeExcite(mid, max(1, round(cin * se_ratio)), act) if se_ratio else nn.Identity()
        self.project = nn.Conv2d(mid, cout, 1, groups=proj_groups, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_tap(x)[0]

    def forward_tap(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(output, feature tap): the tap is the depthwise layer's output (after its BN and activation)."""
        tap = self.depthwise(self.expand(x))
        return self.project(self.se(tap)), tap


class GroupedKernelDepthwise(nn.Module):
    """Depthwise conv whose channels form equal groups, each with its own kernel choice (MixConv).

    ``kernels[g]`` lists the candidate kernel sizes of group g; `forward(x, choice)` applies
    candidate ``choice[g]`` to group g (separate weights per group and kernel).
    """

    def __init__(self, channels: int, kernels: Sequence[Sequence[int]], stride: int) -> None:
        super().__init__()
        if channels % len(kernels):
            raise ValueError(f"{channels} channels do not split into {len(kernels)} equal groups")
        self.split = channels // len(kernels)
        self.stride = stride
        self.kernels = [tuple(k) for k in kernels]
        self.groups = nn.ModuleList(
            nn.ModuleList(nn.Conv2d(self.split, self.split, k, stride, k // 2, groups=self.split, bias=False)
                          for k in group)
            for group in self.kernels
        )

    def forward(self, x: torch.Tensor, choice: Sequence[int]) -> torch.Tensor:
        parts = torch.split(x, self.split, dim=1)
        return torch.cat([convs[c](p) for convs, c, p in zip(self.groups, choice, parts)], dim=1)

    def export(self, choice: Sequence[int]) -> "GroupedKernelDepthwise":
        """A copy holding only the chosen kernel of each group (its choice is then all zeros)."""
        out = GroupedKernelDepthwise(self.split * len(self.kernels),
                                     [(group[c],) for group, c in zip(self.kernels, choice)], self.stride)
        for dst, src, c in zip(out.groups, self.groups, choice):
            dst[0].load_state_dict(src[c].state_dict())
        return out


class MixedKernelBottleneck(nn.Module):
    """S3 candidate: expand + BN + act, grouped-kernel depthwise + BN + act, SE, projection."""

    def __init__(self, cin: int, cout: int, kernels: Sequence[Sequence[int]], expansion: int,
                 stride: int, act: ActFactory, se_ratio: float = 0.0, exp_groups: int = 1,
                 proj_groups: int = 1) -> None:
        super().__init__()
        mid = cin * expansion
        self.expand = conv_bn_act(cin, mid, 1, groups=exp_groups, act=act)
        self.depthwise = GroupedKernelDepthwise(mid, kernels, stride)
        self.bn = nn.BatchNorm2d(mid)
        self.act = act()
        self.se = SqueezeExcite(mid, max(1, round(cin * se_ratio)), act) if se_ratio else nn.Identity()
        self.project = nn.Conv2d(mid, cout, 1, groups=proj_groups, bias=False)

    def forward(self, x: torch.Tensor, choice: Sequence[int]) -> torch.Tensor:
        return self.forward_tap(x, choice)[0]

    def forward_tap(self, x: torch.Tensor, choice: Sequence[int]) -> tuple[torch.Tensor, torch.Tensor]:
        """(output, feature tap): the tap is the depthwise layer's output (after its BN and activation)."""
        tap = self.act(self.bn(self.depthwise(self.expand(x), choice)))
        return self.project(self.se(tap)), tap

    def export(self, choice: Sequence[int]) -> "MixedKernelBottleneck":
        """A copy whose depthwise layer holds only the chosen kernels (use choice all zeros)."""
        out = copy.deepcopy(self)
        out.depthwise = self.depthwise.export(choice)
        return out


class NB101Node(nn.Module):
    """A NAS-Bench-101 candidate node fed by the cell input: 1x1 conv-BN-ReLU projection, then the op."""

    def __init__(self, cin: int, cout: int, op: str) -> None:
        super().__init__()
        self.projection = conv_bn_act(cin, cout, 1)
        if op == "conv1x1-bn-relu":
            self.op: nn.Module = conv_bn_act(cout, cout, 1)
        elif op == "conv3x3-bn-relu":
            self.op = conv_bn_act(cout, cout, 3)
        elif op == "maxpool3x3":
            self.op = nn.MaxPool2d(3, 1, 1)
        else:
            raise ValueError(f"unknown NAS-Bench-101 op {op!r}")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.op(self.projection(x))
