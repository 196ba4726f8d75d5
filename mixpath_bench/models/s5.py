"""S5's stand-alone evaluation network: DARTS' CIFAR network of an S5 architecture.

As DARTS builds it (Liu et al. 2019; measured against cnn/model.py of github.com/quark0/darts, same
parameters): a 3x3 conv-BN stem with 3C channels; `layers` cells, the ones at 1/3 and 2/3 of the
depth reduction cells (stride 2 on the edges from the cell inputs, channels doubled); each cell
preprocesses its inputs with ReLU-conv1x1-BN (a `FactorizedReduce` for the older input when the
previous cell reduced), computes its 4 nodes, and concatenates them (4C channels out); an auxiliary
head on the output of the cell at 2/3 of the depth; global average pooling and a linear classifier.

An edge that sums several operations (m > 1) sums their outputs; with ``edge_norm`` a BN follows
each edge's sum (the supernet's export: the Shadow BN its edge used, `S5Supernet.export`), without
it (DARTS' own network) nothing does.  Drop path, as in DARTS, zeroes each
operation's output except an identity's, in training only (`drop_path_prob`, set by the trainer).
"""
from __future__ import annotations

import torch
from torch import nn

from ..nn.darts_ops import DARTS_OPS, FactorizedReduce, drop_path, relu_conv_bn
from ..spaces import DARTS_SPACE, S5_OPS, Arch, get_space
from .registry import check_network_args


class DartsCell(nn.Module):
    """One cell: preprocess both inputs to `c` channels, 4 nodes of two edges, concatenate the nodes."""

    def __init__(self, edges: tuple[tuple[int, ...], ...], c_prev_prev: int, c_prev: int, c: int,
                 reduction: bool, reduction_prev: bool, edge_norm: bool = False) -> None:
        super().__init__()
        self.reduction = reduction
        self.preprocess0 = FactorizedReduce(c_prev_prev, c) if reduction_prev else relu_conv_bn(c_prev_prev, c, 1)
        self.preprocess1 = relu_conv_bn(c_prev, c, 1)
        self.inputs = [edge[0] for edge in edges]
        self.edges = nn.ModuleList(
            nn.ModuleList(DARTS_OPS[S5_OPS[code - 1]](c, 2 if reduction and edge[0] < 2 else 1) for code in edge[1:])
            for edge in edges)
        self.norms = nn.ModuleList(nn.BatchNorm2d(c) for _ in edges) if edge_norm else None
        self.out_channels = len(edges) // 2 * c

    def forward(self, s0: torch.Tensor, s1: torch.Tensor, drop_prob: float = 0.0) -> torch.Tensor:
        states = [self.preprocess0(s0), self.preprocess1(s1)]
        for j in range(len(self.edges) // 2):
            states.append(self._edge(2 * j, states, drop_prob) + self._edge(2 * j + 1, states, drop_prob))
        return torch.cat(states[2:], dim=1)

    def _edge(self, e: int, states: list[torch.Tensor], drop_prob: float) -> torch.Tensor:
        x, out = states[self.inputs[e]], 0
        for op in self.edges[e]:
            y = op(x)
            if self.training and drop_prob > 0 and not isinstance(op, nn.Identity):
                y = drop_path(y, drop_prob)
            out = out + y
        return out if self.norms is None else self.norms[e](out)


class AuxiliaryHeadCIFAR(nn.Module):
    """DARTS' CIFAR auxiliary classifier on an 8x8 feature map: ReLU, 5x5 average pool (stride 3),
    1x1 conv-BN-ReLU to 128, 2x2 conv-BN-ReLU to 768, linear."""

    def __init__(self, c: int, num_classes: int) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.ReLU(), nn.AvgPool2d(5, stride=3, count_include_pad=False),
            nn.Conv2d(c, 128, 1, bias=False), nn.BatchNorm2d(128), nn.ReLU(),
            nn.Conv2d(128, 768, 2, bias=False), nn.BatchNorm2d(768), nn.ReLU())
        self.classifier = nn.Linear(768, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x).flatten(1))


class DartsNetworkCIFAR(nn.Module):
    """DARTS' CIFAR evaluation network of an S5 architecture (paper: C=36, 20 cells, auxiliary head).

    `forward(x)` returns the logits; `forward_aux(x)` returns ``(logits, auxiliary logits)`` (the
    auxiliary ones None outside training or without the head).  Parameters of the auxiliary head are
    named ``auxiliary_head.*`` (DARTS' parameter count leaves them out).
    """

    def __init__(self, arch: Arch, num_classes: int = 10, init_channels: int = 36, layers: int = 20,
                 auxiliary: bool = True, drop_path_prob: float = 0.0, in_chans: int = 3,
                 edge_norm: bool = False) -> None:
        check_network_args("DartsNetworkCIFAR", dict(auxiliary=auxiliary, edge_norm=edge_norm),
                           dict(num_classes=num_classes, init_channels=init_channels, layers=layers, in_chans=in_chans))
        super().__init__()
        space = get_space(DARTS_SPACE, get_space(DARTS_SPACE).entry.max_m)
        normal, reduce = space.units(space.validate(arch))
        self.arch, self.drop_path_prob, self.aux_at = arch, float(drop_path_prob), 2 * layers // 3
        c = init_channels
        self.stem = nn.Sequential(nn.Conv2d(in_chans, 3 * c, 3, padding=1, bias=False), nn.BatchNorm2d(3 * c))
        c_prev_prev, c_prev, reduction_prev = 3 * c, 3 * c, False
        self.cells = nn.ModuleList()
        for i in range(layers):
            reduction = i in (layers // 3, 2 * layers // 3)
            c = 2 * c if reduction else c
            cell = DartsCell(reduce if reduction else normal, c_prev_prev, c_prev, c, reduction, reduction_prev,
                             edge_norm)
            self.cells.append(cell)
            c_prev_prev, c_prev, reduction_prev = c_prev, cell.out_channels, reduction
            if i == self.aux_at:
                c_aux = c_prev
        self.auxiliary_head = AuxiliaryHeadCIFAR(c_aux, num_classes) if auxiliary else None
        self.classifier = nn.Linear(c_prev, num_classes)

    def forward_aux(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """(logits, auxiliary logits or None)."""
        aux = None
        s0 = s1 = self.stem(x)
        for i, cell in enumerate(self.cells):
            s0, s1 = s1, cell(s0, s1, self.drop_path_prob)
            if i == self.aux_at and self.auxiliary_head is not None and self.training:
                aux = self.auxiliary_head(s1)
        return self.classifier(s1.mean((2, 3))), aux

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_aux(x)[0]


def count_darts_parameters(model: nn.Module) -> int:
    """Parameters as DARTS counts them (utils.count_parameters_in_MB x 1e6): every parameter whose
    name lacks ``auxiliary``."""
    return sum(p.numel() for name, p in model.named_parameters() if "auxiliary" not in name)
