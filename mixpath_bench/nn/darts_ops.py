"""DARTS' candidate operations (Liu et al. 2019), in its ReLU -> conv -> BN order.

Written from the paper's description and measured against cnn/operations.py of
github.com/quark0/darts (same layers, same parameter counts): separable convolutions are applied
twice, dilated convolutions once, pooling has no parameters, a strided skip is a
`FactorizedReduce`.  Names are S5's operation names (`mixpath_bench.spaces.S5_OPS`).
"""
from __future__ import annotations

from typing import Callable

import torch
from torch import nn


def relu_conv_bn(cin: int, cout: int, kernel: int, stride: int = 1, padding: int = 0,
                 affine: bool = True) -> nn.Sequential:
    """ReLU -> conv (no bias) -> BN: DARTS' preprocessing of a cell input (1x1)."""
    return nn.Sequential(nn.ReLU(), nn.Conv2d(cin, cout, kernel, stride, padding, bias=False),
                         nn.BatchNorm2d(cout, affine=affine))


def _dw_pw(c: int, kernel: int, stride: int, dilation: int, affine: bool) -> list[nn.Module]:
    """ReLU -> depthwise k x k (same padding for the dilation) -> pointwise 1x1 -> BN."""
    padding = dilation * (kernel - 1) // 2
    return [nn.ReLU(), nn.Conv2d(c, c, kernel, stride, padding, dilation=dilation, groups=c, bias=False),
            nn.Conv2d(c, c, 1, bias=False), nn.BatchNorm2d(c, affine=affine)]


def sep_conv(c: int, kernel: int, stride: int, affine: bool = True) -> nn.Sequential:
    """DARTS' separable convolution: the depthwise-pointwise-BN stack twice (the first one strided)."""
    return nn.Sequential(*_dw_pw(c, kernel, stride, 1, affine), *_dw_pw(c, kernel, 1, 1, affine))


def dil_conv(c: int, kernel: int, stride: int, affine: bool = True) -> nn.Sequential:
    """DARTS' dilated separable convolution: one depthwise (dilation 2)-pointwise-BN stack."""
    return nn.Sequential(*_dw_pw(c, kernel, stride, 2, affine))


class FactorizedReduce(nn.Module):
    """Halve the resolution without losing pixels: ReLU, two strided 1x1 convs (the second shifted by
    one pixel), each giving half the output channels, concatenated, then BN."""

    def __init__(self, cin: int, cout: int, affine: bool = True) -> None:
        super().__init__()
        if cout % 2:
            raise ValueError(f"FactorizedReduce needs an even number of output channels, got {cout}")
        self.relu = nn.ReLU()
        self.conv_a = nn.Conv2d(cin, cout // 2, 1, stride=2, bias=False)
        self.conv_b = nn.Conv2d(cin, cout // 2, 1, stride=2, bias=False)
        self.bn = nn.BatchNorm2d(cout, affine=affine)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.relu(x)
        return self.bn(torch.cat([self.conv_a(x), self.conv_b(x[:, :, 1:, 1:])], dim=1))


def _skip(c: int, stride: int, affine: bool = True) -> nn.Module:
    return nn.Identity() if stride == 1 else FactorizedReduce(c, c, affine)


#: S5 operation name -> (channels, stride, affine) -> module; channels in = channels out.  `affine`:
#: whether the operation's BNs learn a scale and shift (DARTS' search network builds them without)
DARTS_OPS: dict[str, Callable[..., nn.Module]] = {
    "max_pool_3x3": lambda c, stride, affine=True: nn.MaxPool2d(3, stride, 1),
    "avg_pool_3x3": lambda c, stride, affine=True: nn.AvgPool2d(3, stride, 1, count_include_pad=False),
    "skip_connect": _skip,
    "sep_conv_3x3": lambda c, stride, affine=True: sep_conv(c, 3, stride, affine),
    "sep_conv_5x5": lambda c, stride, affine=True: sep_conv(c, 5, stride, affine),
    "dil_conv_3x3": lambda c, stride, affine=True: dil_conv(c, 3, stride, affine),
    "dil_conv_5x5": lambda c, stride, affine=True: dil_conv(c, 5, stride, affine),
}


def drop_path(x: torch.Tensor, prob: float) -> torch.Tensor:
    """Zero whole samples with probability `prob` and scale the kept ones by 1/(1-prob) (DARTS' drop
    path; out of place, the mask drawn from torch's generator on x's device)."""
    if prob <= 0.0:
        return x
    keep = 1.0 - prob
    mask = torch.empty(x.shape[0], 1, 1, 1, device=x.device, dtype=x.dtype).bernoulli_(keep)
    return x / keep * mask
