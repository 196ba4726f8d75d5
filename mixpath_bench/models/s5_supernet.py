"""S5's supernet: DARTS' search network with MixPath's multi-path edges and a Shadow BN per edge.

DARTS' search network (Liu et al. 2019, cnn/model_search.py of github.com/quark0/darts): a 3x3
conv-BN stem with 3C channels (C = 16), 8 cells with reduction cells at 1/3 and 2/3 of the depth, each
cell preprocessing its two inputs with ReLU-conv1x1-BN (`FactorizedReduce` after a reduction) and
holding all 14 candidate edges (node j reads inputs 0..j+1), each edge all 7 operations; BNs inside
the operations and the preprocessing are built without affine parameters, and each pooling is
followed by a BN without affine parameters, as DARTS' search network builds them.

MixPath's rule on top (supplementary C.2; the choices the paper leaves open are docs/s5.md's):
an architecture picks two edges per node and 1..m operations per edge; an edge's output is
``SBN_k(sum of its k operations)`` - a `MultiPathLayer`, one BN per number of summed operations
(k = 1..m), affine.  A node sums its two edges; a cell concatenates its 4 nodes.  `export(arch)` is
DARTS' network class (`DartsNetworkCIFAR`, ``edge_norm=True``) holding copies of the chosen modules,
equal to the supernet in eval mode.

DARTS' own relaxation (`forward_weighted`, for the ``darts`` searcher): weights of shape (28, 8), a
row per candidate edge (the normal cell's 14, then the reduction cell's), a column per DARTS
primitive, ``none`` first.  An edge computes DARTS' mixed operation ``sum_o w_o op(x)`` (``none``
contributes 0) and no BN after it, as DARTS' MixedOp: one-hot rows give the discrete network without
its per-edge BN (the BN a supernet edge adds for MixPath's sum of paths).
`derive` is DARTS' rule: per node the 2 edges with the strongest non-``none`` weight, each its
strongest non-``none`` operation.
"""
from __future__ import annotations

import copy
from typing import Sequence

import torch
from torch import nn

from ..nn import MultiPathLayer
from ..nn.darts_ops import DARTS_OPS, FactorizedReduce, relu_conv_bn
from ..spaces import DARTS_PRIMITIVES, S5_OPS, Arch, get_space
from .registry import TableSpace, check_network_args, register_network
from .s5 import DartsNetworkCIFAR


def search_op(name: str, c: int, stride: int) -> nn.Module:
    """An operation as DARTS' search network builds it: BNs without affine; a pooling followed by one."""
    op = DARTS_OPS[name](c, stride, False)
    return nn.Sequential(op, nn.BatchNorm2d(c, affine=False)) if "pool" in name else op


def edge_offsets(nodes: int) -> list[int]:
    """Index of node j's first candidate edge (node j has j + 2 candidate edges, one per earlier state)."""
    return [j * (j + 3) // 2 for j in range(nodes)]


class S5SearchCell(nn.Module):
    """One supernet cell: every candidate edge a `MultiPathLayer` of the 7 operations under SBN."""

    def __init__(self, c_prev_prev: int, c_prev: int, c: int, reduction: bool, reduction_prev: bool,
                 m: int, shadow_bn: bool, nodes: int = 4) -> None:
        super().__init__()
        self.reduction, self.nodes = reduction, nodes
        self.preprocess0 = (FactorizedReduce(c_prev_prev, c, affine=False) if reduction_prev
                            else relu_conv_bn(c_prev_prev, c, 1, affine=False))
        self.preprocess1 = relu_conv_bn(c_prev, c, 1, affine=False)
        self.offsets = edge_offsets(nodes)
        self.edges = nn.ModuleList(
            MultiPathLayer([search_op(op, c, 2 if reduction and i < 2 else 1) for op in S5_OPS], c, m, shadow_bn)
            for j in range(nodes) for i in range(j + 2))
        self.out_channels = nodes * c

    def edge(self, node: int, source: int) -> MultiPathLayer:
        """The candidate edge from state `source` into node `node`."""
        return self.edges[self.offsets[node] + source]

    def forward(self, s0: torch.Tensor, s1: torch.Tensor, cell: Sequence[tuple[int, ...]]) -> torch.Tensor:
        """`cell`: the 2 x nodes edges ``(source, op codes...)`` of an S5 cell."""
        states = [self.preprocess0(s0), self.preprocess1(s1)]
        for j in range(self.nodes):
            out = 0
            for source, *codes in cell[2 * j: 2 * j + 2]:
                out = out + self.edge(j, source)(states[source], [code - 1 for code in codes])
            states.append(out)
        return torch.cat(states[2:], dim=1)

    def forward_weighted(self, s0: torch.Tensor, s1: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        """DARTS' mixed cell: every candidate edge is DARTS' MixedOp ``sum_o w_o op(x)`` (``none`` = 0)."""
        states = [self.preprocess0(s0), self.preprocess1(s1)]
        for j in range(self.nodes):
            out = 0
            for source in range(j + 2):
                row, x = weights[self.offsets[j] + source], states[source]
                out = out + sum(w * op(x) for w, op in zip(row[1:], self.edge(j, source).candidates))
            states.append(out)
        return torch.cat(states[2:], dim=1)


@register_network
class S5Supernet(nn.Module):
    """DARTS' search network (stem, `layers` cells, global pool, linear) with multi-path edges under SBN."""

    #: the search space this supernet is built for (the table entry naming this class as its supernet)
    SPACE = TableSpace()

    def __init__(self, num_classes: int = 10, m: int = 3, shadow_bn: bool = True, in_chans: int = 3,
                 init_channels: int = 16, layers: int = 8, stem_multiplier: int = 3) -> None:
        check_network_args("S5Supernet", dict(shadow_bn=shadow_bn),
                           dict(num_classes=num_classes, m=m, in_chans=in_chans, init_channels=init_channels,
                                layers=layers, stem_multiplier=stem_multiplier))
        if layers < 3:
            raise ValueError(f"S5Supernet: layers must be >= 3 (reduction cells at 1/3 and 2/3), got {layers}")
        super().__init__()
        self.space = get_space(self.SPACE, m)
        self.num_classes, self.in_chans, self.init_channels, self.num_cells = num_classes, in_chans, init_channels, layers
        c = init_channels
        stem = stem_multiplier * c
        self.stem = nn.Sequential(nn.Conv2d(in_chans, stem, 3, padding=1, bias=False), nn.BatchNorm2d(stem))
        c_prev_prev, c_prev, reduction_prev = stem, stem, False
        self.cells = nn.ModuleList()
        for i in range(layers):
            reduction = i in (layers // 3, 2 * layers // 3)
            c = 2 * c if reduction else c
            cell = S5SearchCell(c_prev_prev, c_prev, c, reduction, reduction_prev, m, shadow_bn)
            self.cells.append(cell)
            c_prev_prev, c_prev, reduction_prev = c_prev, cell.out_channels, reduction
        self.classifier = nn.Linear(c_prev, num_classes)

    def forward(self, x: torch.Tensor, arch: Arch) -> torch.Tensor:
        normal, reduce = self.space.units(arch)
        s0 = s1 = self.stem(x)
        for cell in self.cells:
            s0, s1 = s1, cell(s0, s1, reduce if cell.reduction else normal)
        return self.classifier(s1.mean((2, 3)))

    def forward_weighted(self, x: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        """DARTS' relaxed network: normal cells mix by ``weights[:14]``, reduction cells by ``weights[14:]``."""
        rows, cols = self.relaxation_shape()
        if tuple(weights.shape) != (rows, cols):
            raise ValueError(f"S5 relaxation weights must be {rows} x {cols}, got {tuple(weights.shape)}")
        normal, reduce = weights[: rows // 2], weights[rows // 2:]
        s0 = s1 = self.stem(x)
        for cell in self.cells:
            s0, s1 = s1, cell.forward_weighted(s0, s1, reduce if cell.reduction else normal)
        return self.classifier(s1.mean((2, 3)))

    # -- DARTS' relaxation: a row per candidate edge (normal cell, then reduction cell), a column per primitive
    @classmethod
    def relaxation_shape(cls) -> tuple[int, int]:
        """(rows, columns) of the relaxation weights: (2 cells x 14 candidate edges, DARTS' 8 primitives)."""
        nodes = get_space(cls.SPACE).kind.nodes
        return 2 * sum(j + 2 for j in range(nodes)), len(DARTS_PRIMITIVES)

    @classmethod
    def relaxation_labels(cls) -> tuple[str, list[str]]:
        """(what a row is, the label of each column): ('edge', DARTS' primitives, 'none' first)."""
        return get_space(cls.SPACE).entry.plot_labels

    @classmethod
    def derive(cls, weights: torch.Tensor) -> Arch:
        """DARTS' derivation (its ``genotype()``): per node, the 2 candidate edges whose strongest
        non-``none`` weight is largest (in that order), each with its strongest non-``none`` operation."""
        nodes = get_space(cls.SPACE).kind.nodes
        offsets, rows = edge_offsets(nodes), cls.relaxation_shape()[0] // 2
        edges: list[tuple[int, int]] = []
        for cell in (weights[:rows], weights[rows:]):
            for j in range(nodes):
                block = cell[offsets[j]: offsets[j] + j + 2, 1:]
                strength = block.max(dim=1).values.tolist()
                best = sorted(range(j + 2), key=lambda i: -strength[i])[:2]
                edges += [(i, int(block[i].argmax()) + 1) for i in best]
        return Arch(cls.SPACE, tuple(edges))

    @classmethod
    def one_hot(cls, arch: Arch) -> torch.Tensor:
        """The relaxation weights that select exactly `arch` (one operation per edge; the rest ``none``)."""
        if arch.space != cls.SPACE:
            raise ValueError(f"DARTS' {cls.SPACE} relaxation cannot select {arch.space} architecture {arch}")
        space = get_space(cls.SPACE, get_space(cls.SPACE).entry.max_m)
        rows, cols = cls.relaxation_shape()
        offsets = edge_offsets(space.kind.nodes)
        weights = torch.zeros(rows, cols)
        weights[:, 0] = 1.0
        for c, cell in enumerate(space.units(space.validate(arch))):
            for e, (source, *codes) in enumerate(cell):
                if len(codes) > 1:
                    raise ValueError(f"DARTS' relaxation selects one operation per edge; {arch} sums {len(codes)}")
                row = c * rows // 2 + offsets[e // 2] + source
                weights[row] = 0.0
                weights[row, codes[0]] = 1.0
        return weights

    def first_searchable_layer(self):
        """(stem + the first cell's input preprocessing, norm, combination -> pre-norm features) of
        the first cell's edge from its newer input into node 0 (Shadow BN analysis); a combination
        is an edge ``(1, op codes...)``."""
        cell = self.cells[0]
        edge = cell.edge(0, 1)
        return (nn.Sequential(self.stem, cell.preprocess1), edge.norm,
                lambda x, combo: edge.path_sum(x, [code - 1 for code in combo[1:]]))

    def first_layer_choices(self) -> list[tuple[tuple[int, ...], int]]:
        """(edge ``(1, op codes...)``, operations summed) of every choice of `first_searchable_layer`'s edge."""
        return [((1, *codes), len(codes)) for codes in self.space.kind.edge_choices()]

    def export(self, arch: Arch) -> DartsNetworkCIFAR:
        """DARTS' network of `arch` at the supernet's size with inherited weights: copies of the
        stem, each cell's preprocessing and chosen operations, each edge's SBN_k, the classifier."""
        arch = self.space.validate(arch)
        net = DartsNetworkCIFAR(arch, num_classes=self.num_classes, init_channels=self.init_channels,
                                layers=self.num_cells, auxiliary=False, in_chans=self.in_chans, edge_norm=True)
        normal, reduce = self.space.units(arch)
        net.stem = copy.deepcopy(self.stem)
        net.classifier = copy.deepcopy(self.classifier)
        for cell, out in zip(self.cells, net.cells):
            out.preprocess0, out.preprocess1 = copy.deepcopy(cell.preprocess0), copy.deepcopy(cell.preprocess1)
            for e, (source, *codes) in enumerate(reduce if cell.reduction else normal):
                edge = cell.edge(e // 2, source)
                out.edges[e] = nn.ModuleList(copy.deepcopy(edge.candidates[code - 1]) for code in codes)
                out.norms[e] = copy.deepcopy(edge.norm.select(len(codes)))
        return net
