"""BN calibration for every number of active paths k = 1..4 (S4, m = 4).

The BNs an architecture uses are read off the network's structure here (stem BN; per cell SBN_k and
the BNs inside its active nodes), not from the calibration code, and must be exactly the ones
reset and re-estimated; every other BN, SBN_j for j != k included, keeps its statistics.
"""
import pytest
import torch
from torch import nn

from mixpath_bench.engine.calibrate import calibrate_bn
from mixpath_bench.models import S4Supernet
from mixpath_bench.spaces import Arch

# one architecture per k, mixing conv1x1 (1), conv3x3 (2) and maxpool (3) at different positions
ARCHS = {1: (0, 0, 2, 0), 2: (3, 0, 0, 1), 3: (1, 2, 0, 3), 4: (2, 3, 1, 2)}
SENTINEL = 7.0


def bns_of(module):
    return [m for m in module.modules() if isinstance(m, nn.BatchNorm2d)]


def used_bns(net, nodes):
    k = sum(1 for c in nodes if c)
    used = bns_of(net.stem)
    for cell in net.cells:
        used.append(cell.norm.select(k))
        for pos, code in enumerate(nodes):
            if code:
                used += bns_of(cell.nodes[pos][code - 1])
    return used


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_calibration_touches_exactly_the_bns_of_a_k_path_arch(k):
    torch.manual_seed(k)
    net = S4Supernet(in_chans=1, stem_channels=4, cells_per_stack=1, m=4)
    for bn in bns_of(net):
        bn.running_mean.fill_(SENTINEL)
        bn.num_batches_tracked.fill_(5)
    nodes = ARCHS[k]
    assert sum(1 for c in nodes if c) == k
    used = used_bns(net, nodes)
    sbn_k = net.cells[0].norm.select(k)
    seen = []
    sbn_k.register_forward_hook(lambda m, inp, out: seen.append(inp[0].detach().clone()))
    batches = [torch.randn(4, 1, 8, 8) + i for i in range(3)]
    assert calibrate_bn(net, batches, Arch("S4", (nodes,))) == len(used)
    used_ids = {id(bn) for bn in used}
    for bn in bns_of(net):
        if id(bn) in used_ids:  # reset, then the cumulative average of exactly the 3 batches
            assert bn.num_batches_tracked.item() == 3 and not torch.any(bn.running_mean == SENTINEL)
            assert bn.momentum == 0.1
        else:
            assert bn.num_batches_tracked.item() == 5 and torch.all(bn.running_mean == SENTINEL)
    # SBN_j for j != k in every cell is untouched, SBN_k holds the mean of its inputs' batch means
    for cell in net.cells:
        assert [torch.all(bn.running_mean == SENTINEL).item() for bn in cell.norm.bns] == \
            [j != k for j in range(1, 5)]
    torch.testing.assert_close(sbn_k.running_mean, torch.stack([x.mean((0, 2, 3)) for x in seen]).mean(0))
