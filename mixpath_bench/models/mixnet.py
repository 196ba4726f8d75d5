"""S2 and S3: ImageNet supernets on the MixNet-M skeleton (18 searchable inverted bottlenecks).

The skeleton (stem, channels, strides, expansion, SE ratio, activation) follows MixNet-M
(Tan & Le 2019) as defined in timm's `mixnet_m`; the searchable part is each bottleneck's
depthwise kernel(s).  S2 sums 1..m full bottlenecks with kernels {3,5,7,9}; S3 splits the
depthwise channels in 4 groups that each pick a kernel (single path).  MixNet's grouped
pointwise convolutions (2 groups where MixNet-M has them) are kept.
"""
from __future__ import annotations

import copy

import torch
from torch import nn

from ..nn import ChoiceBlock, InvertedBottleneck, MixedKernelBottleneck, MultiPathLayer, ShadowBatchNorm, conv_bn_act
from ..spaces import IMAGENET_KERNELS, Arch, get_space
from .registry import TableSpace, check_network_args, register_network
from .s1 import FeatureTap, StandaloneNet, first_multipath

#: MixNet-M's 18 IR blocks: (out_channels, stride, expansion, se_ratio (of block input),
#: activation, expansion groups, projection groups) - timm's `mixnet_m` arch_def.
MIXNET_M_LAYERS = (
    (32, 2, 6, 0.0, "relu", 2, 2), (32, 1, 3, 0.0, "relu", 2, 2),
    (40, 2, 6, 0.5, "swish", 1, 1), (40, 1, 6, 0.5, "swish", 2, 2), (40, 1, 6, 0.5, "swish", 2, 2),
    (40, 1, 6, 0.5, "swish", 2, 2),
    (80, 2, 6, 0.25, "swish", 1, 1), (80, 1, 6, 0.25, "swish", 2, 2), (80, 1, 6, 0.25, "swish", 2, 2),
    (80, 1, 6, 0.25, "swish", 2, 2),
    (120, 1, 6, 0.5, "swish", 1, 1), (120, 1, 3, 0.5, "swish", 2, 2), (120, 1, 3, 0.5, "swish", 2, 2),
    (120, 1, 3, 0.5, "swish", 2, 2),
    (200, 2, 6, 0.5, "swish", 1, 1), (200, 1, 6, 0.5, "swish", 1, 2), (200, 1, 6, 0.5, "swish", 1, 2),
    (200, 1, 6, 0.5, "swish", 1, 2),
)
#: Index of the last block of each stride-4/8/16/32 stage (detection feature taps, C2..C5).
MIXNET_M_STAGE_ENDS = (1, 5, 13, 17)
ACTS = {"relu": nn.ReLU, "swish": nn.SiLU}


def mixnet_m_feature_info() -> tuple[FeatureTap, ...]:
    """C2..C5 (strides 4, 8, 16, 32): the depthwise output of each stage's last block, as in the paper."""
    taps, cin, reduction = [], 24, 2  # the stem's 3x3 conv has stride 2
    for i, (cout, stride, expansion, *_rest) in enumerate(MIXNET_M_LAYERS):
        reduction *= stride
        if i in MIXNET_M_STAGE_ENDS:
            taps.append(FeatureTap(block=i, num_chs=cin * expansion, reduction=reduction))
        cin = cout
    return tuple(taps)


class _MixNetSkeleton(nn.Module):
    """Stem (3x3 s2 conv to 24 + depthwise-separable block), 18 searchable layers, 1536 head."""

    def __init__(self, space_name: str, num_classes: int, m: int, shadow_bn: bool, in_chans: int,
                 dropout: float) -> None:
        check_network_args(f"{space_name}Supernet", dict(shadow_bn=shadow_bn),
                           dict(num_classes=num_classes, m=m, in_chans=in_chans))
        super().__init__()
        self.space = get_space(space_name, m)
        self.stem = nn.Sequential(conv_bn_act(in_chans, 24, 3, 2), DepthwiseSeparable(24))
        layers, cin = [], 24
        for cout, stride, exp, se, act, g_exp, g_proj in MIXNET_M_LAYERS:
            spec = dict(cin=cin, cout=cout, stride=stride, expansion=exp, act=ACTS[act], se_ratio=se,
                        exp_groups=g_exp, proj_groups=g_proj)
            layers.append(self.make_layer(spec, m, shadow_bn, residual=stride == 1 and cin == cout))
            cin = cout
        self.layers = nn.ModuleList(layers)
        self.head = conv_bn_act(cin, 1536, 1)
        self.classifier = nn.Sequential(nn.Flatten(), nn.Dropout(dropout), nn.Linear(1536, num_classes))

    def forward(self, x: torch.Tensor, arch: Arch) -> torch.Tensor:
        x = self.stem(x)
        for layer, choice in zip(self.layers, arch.layers):
            x = layer(x, choice)
        return self.classifier(self.head(x).mean((2, 3)))

    def export(self, arch: Arch) -> StandaloneNet:
        """The stand-alone network of `arch` with inherited weights."""
        arch = self.space.validate(arch)
        blocks = [layer.export(choice) for layer, choice in zip(self.layers, arch.layers)]
        return StandaloneNet(self.stem, blocks, self.head, self.classifier, mixnet_m_feature_info())

    def first_searchable_layer(self):
        """(stem, norm, combination -> pre-norm features) of the first searchable layer (Shadow BN
        analysis); ValueError for single-path layers (S3)."""
        return first_multipath(self.space, self.stem, self.layers[0])


class DepthwiseSeparable(nn.Module):
    """MixNet's first block: depthwise 3x3 + BN + ReLU, pointwise + BN, residual."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.dw = conv_bn_act(channels, channels, 3, groups=channels)
        self.pw = conv_bn_act(channels, channels, 1, act=None)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.pw(self.dw(x))


@register_network
class S2Supernet(_MixNetSkeleton):
    """S2: each layer sums 1..m inverted bottlenecks with kernels {3,5,7,9}, then a Shadow BN."""

    SPACE = TableSpace()

    def __init__(self, num_classes: int = 1000, m: int = 2, shadow_bn: bool = True, in_chans: int = 3,
                 dropout: float = 0.25) -> None:
        super().__init__(self.SPACE, num_classes, m, shadow_bn, in_chans, dropout)

    @staticmethod
    def make_layer(spec: dict, m: int, shadow_bn: bool, residual: bool) -> nn.Module:
        cands = [InvertedBottleneck(kernel=k, **spec) for k in IMAGENET_KERNELS]
        return MultiPathLayer(cands, spec["cout"], m, shadow_bn, residual)


@register_network
class S3Supernet(_MixNetSkeleton):
    """S3: single-path mixed-kernel bottlenecks; 4 depthwise groups each pick a kernel {3,5,7,9}."""

    SPACE = TableSpace()

    def __init__(self, num_classes: int = 1000, m: int = 1, shadow_bn: bool = True, in_chans: int = 3,
                 dropout: float = 0.25) -> None:
        super().__init__(self.SPACE, num_classes, m, shadow_bn, in_chans, dropout)

    @staticmethod
    def make_layer(spec: dict, m: int, shadow_bn: bool, residual: bool) -> nn.Module:
        body = MixedKernelBottleneck(kernels=[IMAGENET_KERNELS] * 4, **spec)
        return SingleChoiceLayer(body, spec["cout"], residual)


class SingleChoiceLayer(nn.Module):
    """S3 layer: BN(body(x, choice)) (+ x); the BN is a 1-path Shadow BN."""

    def __init__(self, body: MixedKernelBottleneck, channels: int, residual: bool) -> None:
        super().__init__()
        self.body = body
        self.norm = ShadowBatchNorm(channels, 1)
        self.residual = residual

    def forward(self, x: torch.Tensor, choice: tuple[int, ...]) -> torch.Tensor:
        out = self.norm(self.body(x, choice), 1)
        return out + x if self.residual else out

    def export(self, choice: tuple[int, ...]) -> ChoiceBlock:
        return ChoiceBlock(self.body.export(choice), (0,) * len(choice), copy.deepcopy(self.norm.select(1)),
                           self.residual)
