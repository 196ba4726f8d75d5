"""S1: the CIFAR-10 multi-path supernet (12 inverted-bottleneck layers, 8 candidates each)."""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Sequence

import torch
from torch import nn

from ..nn import InvertedBottleneck, MultiPathLayer, conv_bn_act
from ..spaces import S1_CANDIDATES, Arch, get_space
from .registry import TableSpace, check_network_args, register_network

#: (out_channels, stride) of the 12 searchable layers; input channels 32 (reference code).
S1_LAYERS = ((48, 1), (48, 1), (96, 2), (96, 1), (96, 1), (192, 2), (192, 1), (192, 1),
             (256, 1), (256, 1), (320, 1), (320, 1))


@register_network
class S1Supernet(nn.Module):
    """Stem 3x3 conv (stride 1) + 12 multi-path layers + 1x1 head to 1280 + linear; ReLU6, no SE.

    `width` scales every channel count (1.0 = the paper's network) for small CPU runs.
    """

    #: the search space this supernet is built for (the table entry naming this class as its supernet)
    SPACE = TableSpace()

    def __init__(self, num_classes: int = 10, m: int = 4, shadow_bn: bool = True, in_chans: int = 3,
                 width: float = 1.0, stem_channels: int = 32, head_channels: int = 1280,
                 dropout: float = 0.0) -> None:
        check_network_args("S1Supernet", dict(shadow_bn=shadow_bn),
                           dict(num_classes=num_classes, m=m, in_chans=in_chans))
        super().__init__()
        self.space = get_space(self.SPACE, m)
        scale = lambda c: max(8, int(round(c * width / 8)) * 8)  # noqa: E731 - tiny helper
        stem = scale(stem_channels)
        self.stem = conv_bn_act(in_chans, stem, 3, 1, act=nn.ReLU6)
        layers, cin = [], stem
        for cout, stride in S1_LAYERS:
            cout = scale(cout)
            cands = [InvertedBottleneck(cin, cout, k, e, stride, nn.ReLU6) for k, e in S1_CANDIDATES]
            layers.append(MultiPathLayer(cands, cout, m, shadow_bn, residual=stride == 1 and cin == cout))
            cin = cout
        self.layers = nn.ModuleList(layers)
        self.head = conv_bn_act(cin, scale(head_channels), 1, act=nn.ReLU6)
        self.classifier = nn.Sequential(nn.Flatten(), nn.Dropout(dropout), nn.Linear(scale(head_channels), num_classes))

    def forward(self, x: torch.Tensor, arch: Arch) -> torch.Tensor:
        x = self.stem(x)
        for layer, active in zip(self.layers, arch.layers):
            x = layer(x, active)
        return self.classifier(self.head(x).mean((2, 3)))

    def forward_weighted(self, x: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        """DARTS' relaxed network: layer i mixes its candidates by ``weights[i]`` (layers x candidates)."""
        if len(weights) != len(self.layers):
            raise ValueError(f"{len(weights)} weight rows for {len(self.layers)} layers")
        x = self.stem(x)
        for layer, row in zip(self.layers, weights):
            x = layer.forward_weighted(x, row)
        return self.classifier(self.head(x).mean((2, 3)))

    # -- DARTS' relaxation (`forward_weighted`): one row per layer, one column per candidate ----------
    @classmethod
    def relaxation_shape(cls) -> tuple[int, int]:
        """(rows, columns) of the relaxation weights: (layers, candidates)."""
        return get_space(cls.SPACE).num_layers, len(S1_CANDIDATES)

    @classmethod
    def relaxation_labels(cls) -> tuple[str, list[str]]:
        """(what a row is, the label of each column): ('layer', ['k3e3', 'k3e6', ...])."""
        return get_space(cls.SPACE).entry.plot_labels

    @classmethod
    def derive(cls, weights: torch.Tensor) -> Arch:
        """The discrete architecture of relaxation weights: the argmax candidate of each layer (one path)."""
        return Arch(cls.SPACE, tuple((int(row.argmax()),) for row in weights))

    @classmethod
    def one_hot(cls, arch: Arch) -> torch.Tensor:
        """The relaxation weights that select exactly `arch` (one path per layer)."""
        if arch.space != cls.SPACE:
            raise ValueError(f"DARTS' {cls.SPACE} relaxation cannot select {arch.space} architecture {arch}")
        if any(len(layer) != 1 for layer in arch.layers):
            raise ValueError(f"DARTS' {cls.SPACE} relaxation selects one path per layer")
        return nn.functional.one_hot(torch.tensor([layer[0] for layer in arch.layers]), len(S1_CANDIDATES)).float()

    def first_searchable_layer(self):
        """(stem, norm, combination -> pre-norm features) of the first searchable layer (Shadow BN analysis)."""
        return first_multipath(self.space, self.stem, self.layers[0])

    def export(self, arch: Arch) -> nn.Module:
        """The stand-alone network of `arch` with inherited weights."""
        arch = self.space.validate(arch)
        blocks = [layer.export(active) for layer, active in zip(self.layers, arch.layers)]
        return StandaloneNet(self.stem, blocks, self.head, self.classifier)


def first_multipath(space, stem: nn.Module, layer: nn.Module):
    """(stem, norm, path_sum) of a supernet's first layer; ValueError when it is single-path."""
    if not isinstance(layer, MultiPathLayer):
        raise ValueError(f"the first layer is single-path ({space.name}): nothing to analyse")
    return stem, layer.norm, layer.path_sum


@dataclass(frozen=True)
class FeatureTap:
    """A feature map a network offers to dense heads (timm's ``feature_info`` entry).

    The tap of ``blocks[block]`` is the second value of that block's ``forward_tap(x)``.
    """

    block: int  #: index into the network's ``blocks``
    num_chs: int  #: channels of the tap
    reduction: int  #: input size / tap size (the stride)

    @property
    def module(self) -> str:
        """The tapped block's module name (timm's ``feature_info['module']``)."""
        return f"blocks.{self.block}"


class StandaloneNet(nn.Module):
    """stem -> blocks -> head -> global average pool -> classifier (copies of the given modules).

    `feature_info` lists the feature taps the network declares (empty when it has none).
    """

    def __init__(self, stem: nn.Module, blocks: list[nn.Module], head: nn.Module, classifier: nn.Module,
                 feature_info: Sequence[FeatureTap] = ()) -> None:
        super().__init__()
        self.stem = copy.deepcopy(stem)
        self.blocks = nn.Sequential(*blocks)
        self.head = copy.deepcopy(head)
        self.classifier = copy.deepcopy(classifier)
        self.feature_info = tuple(feature_info)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.blocks(self.stem(x)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.forward_features(x).mean((2, 3)))
