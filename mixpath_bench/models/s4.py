"""S4: the reduced NAS-Bench-101 supernet (9 cells sharing one choice of 4 candidate nodes).

Cell: each active candidate node = 1x1 conv-BN-ReLU projection of the cell input followed by
its op; the active nodes are summed; then the cell's conv1x1-bn-relu node, whose BN is the
Shadow BN (one per number of summed nodes).  The stand-alone network of an architecture is
therefore exactly a NAS-Bench-101 network (input -> nodes -> conv1x1-bn-relu -> output) whose
last BN is SBN_k.  The reference code builds shadow BNs here but never applies them.
"""
from __future__ import annotations

import copy

import torch
from torch import nn

from ..nn import NB101Node, ShadowBatchNorm, conv_bn_act
from ..spaces import S4_OPS, Arch, get_space
from .registry import TableSpace, check_network_args, register_network


class S4Cell(nn.Module):
    """One supernet cell: 4 candidate positions x 3 ops, summed, conv1x1 -> SBN_k -> ReLU."""

    def __init__(self, cin: int, cout: int, m: int, shadow_bn: bool) -> None:
        super().__init__()
        self.nodes = nn.ModuleList(
            nn.ModuleList(NB101Node(cin, cout, op) for op in S4_OPS[1:]) for _ in range(4)
        )
        self.out_conv = nn.Conv2d(cout, cout, 1, bias=False)
        self.norm = ShadowBatchNorm(cout, m, shadow=shadow_bn)

    def forward(self, x: torch.Tensor, nodes: tuple[int, ...]) -> torch.Tensor:
        return torch.relu(self.norm(self.pre_norm(x, nodes), sum(1 for code in nodes if code)))

    def pre_norm(self, x: torch.Tensor, nodes: tuple[int, ...]) -> torch.Tensor:
        """out_conv(sum of the active nodes' outputs): what the Shadow BN normalises."""
        out = None
        for pos, code in enumerate(nodes):
            if code:
                y = self.nodes[pos][code - 1](x)
                out = y if out is None else out + y
        return self.out_conv(out)

    def forward_weighted(self, x: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        """DARTS' continuous relaxation: every position mixes its ops, weighted, under the 1-path BN.

        `weights` is (4 positions, 4 codes); column 0 ("off") contributes nothing.  One-hot rows
        compute ``forward(x, nodes)`` for the nodes they select.
        """
        if tuple(weights.shape) != (len(self.nodes), len(S4_OPS)):
            raise ValueError(f"S4 cell weights must be {len(self.nodes)} x {len(S4_OPS)}, got {tuple(weights.shape)}")
        out = 0
        for pos, ops in enumerate(self.nodes):
            for op, node in enumerate(ops):
                out = out + weights[pos, op + 1] * node(x)
        return torch.relu(self.norm(self.out_conv(out), 1))

    def export(self, nodes: tuple[int, ...]) -> "S4StandaloneCell":
        active = [(pos, code) for pos, code in enumerate(nodes) if code]
        return S4StandaloneCell([copy.deepcopy(self.nodes[p][c - 1]) for p, c in active],
                                copy.deepcopy(self.out_conv), copy.deepcopy(self.norm.select(len(active))))


class S4StandaloneCell(nn.Module):
    """NAS-Bench-101 cell: sum of node outputs -> conv1x1 -> BN -> ReLU."""

    def __init__(self, nodes: list[nn.Module], out_conv: nn.Module, norm: nn.Module) -> None:
        super().__init__()
        self.nodes = nn.ModuleList(nodes)
        self.out_conv = out_conv
        self.norm = norm

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.nodes[0](x)
        for node in self.nodes[1:]:
            out = out + node(x)
        return torch.relu(self.norm(self.out_conv(out)))


@register_network
class S4Supernet(nn.Module):
    """Stem 3x3 conv-BN-ReLU + 3 stacks x 3 cells (channels x2 and 2x2 max-pool between stacks)."""

    #: the search space this supernet is built for (the table entry naming this class as its supernet)
    SPACE = TableSpace()

    def __init__(self, num_classes: int = 10, m: int = 4, shadow_bn: bool = True, in_chans: int = 3,
                 stem_channels: int = 128, num_stacks: int = 3, cells_per_stack: int = 3,
                 first_m_positions: bool = False) -> None:
        """`first_m_positions`: paths only through the first m candidate nodes (the reference code's
        space for m < 4) instead of any m of the four."""
        check_network_args("S4Supernet", dict(shadow_bn=shadow_bn, first_m_positions=first_m_positions),
                           dict(num_classes=num_classes, m=m, in_chans=in_chans, stem_channels=stem_channels,
                                num_stacks=num_stacks, cells_per_stack=cells_per_stack))
        super().__init__()
        self.space = get_space(self.SPACE, m, first_m=first_m_positions)
        self.stem = conv_bn_act(in_chans, stem_channels, 3)
        cells, cin = [], stem_channels
        self.pool_after = set()
        for stack in range(num_stacks):
            cout = stem_channels * 2**stack
            for _ in range(cells_per_stack):
                cells.append(S4Cell(cin, cout, m, shadow_bn))
                cin = cout
            if stack < num_stacks - 1:
                self.pool_after.add(len(cells) - 1)
        self.cells = nn.ModuleList(cells)
        self.classifier = nn.Linear(cin, num_classes)

    def forward(self, x: torch.Tensor, arch: Arch) -> torch.Tensor:
        (nodes,) = arch.layers
        x = self.stem(x)
        for i, cell in enumerate(self.cells):
            x = cell(x, nodes)
            if i in self.pool_after:
                x = nn.functional.max_pool2d(x, 2)
        return self.classifier(x.mean((2, 3)))

    def forward_weighted(self, x: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        """DARTS' relaxed network: every cell mixes its nodes by the same (4, 4) `weights`."""
        x = self.stem(x)
        for i, cell in enumerate(self.cells):
            x = cell.forward_weighted(x, weights)
            if i in self.pool_after:
                x = nn.functional.max_pool2d(x, 2)
        return self.classifier(x.mean((2, 3)))

    # -- DARTS' relaxation (`forward_weighted`): one row per candidate node, one column per code ------
    @classmethod
    def relaxation_shape(cls) -> tuple[int, int]:
        """(rows, columns) of the relaxation weights: (candidate nodes, codes off/conv1x1/conv3x3/maxpool)."""
        kind = get_space(cls.SPACE).kind
        return kind.nodes, kind.ops + 1

    @classmethod
    def relaxation_labels(cls) -> tuple[str, list[str]]:
        """(what a row is, the label of each column): ('node', ['off', 'conv1x1', 'conv3x3', 'maxpool'])."""
        return get_space(cls.SPACE).entry.plot_labels

    @classmethod
    def derive(cls, weights: torch.Tensor) -> Arch:
        """The argmax code of each node; never all off: the node whose best operation has the largest
        weight is kept on."""
        nodes = [int(row.argmax()) for row in weights]
        if not any(nodes):
            best = int(weights[:, 1:].max(dim=1).values.argmax())
            nodes[best] = int(weights[best, 1:].argmax()) + 1
        return Arch(cls.SPACE, (tuple(nodes),))

    @classmethod
    def one_hot(cls, arch: Arch) -> torch.Tensor:
        """The relaxation weights that select exactly `arch` (a row per node, codes 0..3)."""
        if arch.space != cls.SPACE:
            raise ValueError(f"DARTS' {cls.SPACE} relaxation cannot select {arch.space} architecture {arch}")
        (nodes,) = arch.layers
        return nn.functional.one_hot(torch.tensor(nodes), cls.relaxation_shape()[1]).float()

    def first_searchable_layer(self):
        """(stem, norm, combination -> pre-norm features) of the first cell (Shadow BN analysis)."""
        cell = self.cells[0]
        return self.stem, cell.norm, cell.pre_norm

    def export(self, arch: Arch) -> nn.Module:
        """The stand-alone NAS-Bench-101 network of `arch` with inherited weights."""
        (nodes,) = self.space.validate(arch).layers
        blocks: list[nn.Module] = []
        for i, cell in enumerate(self.cells):
            blocks.append(cell.export(nodes))
            if i in self.pool_after:
                blocks.append(nn.MaxPool2d(2))
        return S4Standalone(copy.deepcopy(self.stem), blocks, copy.deepcopy(self.classifier))


class S4Standalone(nn.Module):
    """stem -> cells (and pools) -> global average pool -> linear."""

    def __init__(self, stem: nn.Module, blocks: list[nn.Module], classifier: nn.Module) -> None:
        super().__init__()
        self.stem = stem
        self.blocks = nn.Sequential(*blocks)
        self.classifier = classifier

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.blocks(self.stem(x)).mean((2, 3)))
