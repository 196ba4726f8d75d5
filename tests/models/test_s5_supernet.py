"""S5's supernet: Shadow BN per edge, sampling, DARTS' relaxation and derivation in its own space."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from mixpath_bench.models import S5Supernet, create_network
from mixpath_bench.spaces import DARTS_PRIMITIVES, Arch, ArchError, arch_to_genotype, get_space, parse_arch

from ..spaces.test_s5 import DARTS_V2, DARTS_V2_ARCH

SMALL = dict(init_channels=4, layers=3, num_classes=10)


def small(**kwargs) -> S5Supernet:
    torch.manual_seed(0)
    return create_network("S5Supernet", **{**SMALL, **kwargs})


def bn_state(bn: torch.nn.BatchNorm2d) -> torch.Tensor:
    return torch.cat([bn.running_mean, bn.running_var]).clone()


def test_shadow_bn_per_edge_isolates_statistics_by_active_operations():
    """A training step with k operations on an edge moves that edge's SBN_k and no other of its BNs;
    edges the architecture does not use keep all their BNs; vanilla BN (shadow_bn=False) has one."""
    net = small(m=3).train()
    arch = parse_arch("S5:0345-147-04-14-14-03-03-26-01-11-23-11-01-23-23-11", m=3)
    cell = net.cells[0]  # a normal cell: node 0's edges come from inputs 0 (3 ops) and 1 (2 ops)
    before = {(i, k): bn_state(cell.edge(0, i).norm.select(k)) for i in (0, 1) for k in (1, 2, 3)}
    unused = cell.edge(1, 2)  # node 1 reads inputs 0 and 1 in this architecture, never node 0
    unused_before = [bn_state(bn) for bn in unused.norm.bns]
    net(torch.randn(4, 3, 12, 12), arch)
    moved = {key for key, state in before.items() if not torch.equal(state, bn_state(cell.edge(0, key[0]).norm.select(key[1])))}
    assert moved == {(0, 3), (1, 2)}
    assert all(torch.equal(s, bn_state(bn)) for s, bn in zip(unused_before, unused.norm.bns))
    vanilla = small(m=3, shadow_bn=False)
    assert len(vanilla.cells[0].edge(0, 0).norm.bns) == 1
    assert all(len(cell.edge(j, i).norm.bns) == 3 for cell in net.cells for j in range(4) for i in range(j + 2))


def test_sampling_draws_every_edge_size_and_both_cells_independently():
    space = small(m=3).space
    rng = np.random.default_rng(0)
    archs = [space.sample(rng) for _ in range(300)]
    sizes = np.array([space.num_active(a) for a in archs])
    counts = np.bincount(sizes.ravel(), minlength=4)[1:]
    assert counts.sum() == 300 * 16 and (np.abs(counts / counts.sum() - 1 / 3) < 0.03).all()  # k ~ U{1..3}
    assert len({a.to_string() for a in archs}) == 300
    assert any(space.units(a)[0] != space.units(a)[1] for a in archs)


def test_an_architecture_the_supernet_cannot_run_is_one_line():
    net = small(m=1)
    multi = parse_arch(DARTS_V2_ARCH.replace("S5:04-", "S5:045-", 1), m=2)
    for call in (lambda: net.export(multi), lambda: net.space.validate(multi)):
        with pytest.raises(ArchError) as info:
            call()
        assert "sums 2 operations; this space allows 1..1 (m=1)" in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(ValueError, match="must be >= 3"):
        small(layers=2)
    with pytest.raises(ValueError, match="belongs to space S4"):
        net.export(Arch("S4", ((1, 2, 3, 0),)))


def test_one_hot_relaxation_computes_the_discrete_network_without_its_edge_bn():
    """DARTS' MixedOp has no BN after the mix: with every per-edge BN an identity, one-hot weights give
    the discrete network; with trained edge BNs they do not (the relaxation never uses them)."""
    net = small(m=1, shadow_bn=False).eval()
    arch = parse_arch(DARTS_V2_ARCH, m=1)
    weights = net.one_hot(arch)
    assert weights.shape == (28, len(DARTS_PRIMITIVES)) and torch.equal(weights.sum(1), torch.ones(28))
    assert int(weights[:, 0].sum()) == 28 - 16  # 16 chosen edges, the other 12 candidates 'none'
    x = torch.randn(2, 3, 12, 12)
    edge_bns = [e.norm.bns[0] for cell in net.cells for e in cell.edges]
    for bn in edge_bns:
        bn.eps = 0.0  # running mean 0, variance 1, weight 1, bias 0: an identity
    with torch.no_grad():
        torch.testing.assert_close(net.forward_weighted(x, weights), net(x, arch), rtol=1e-5, atol=1e-6)
        for bn in edge_bns:
            bn.bias.fill_(0.3)
        assert not torch.allclose(net.forward_weighted(x, weights), net(x, arch))
    soft = torch.softmax(torch.randn(28, 8), dim=-1).requires_grad_(True)
    net.train().forward_weighted(x, soft).sum().backward()
    assert soft.grad[:, 1:].abs().sum() > 0 and torch.equal(soft.grad[:, 0], torch.zeros(28))  # 'none' is 0
    with pytest.raises(ValueError, match="one operation per edge"):
        net.one_hot(parse_arch(DARTS_V2_ARCH.replace("S5:04-", "S5:045-", 1), m=2))
    with pytest.raises(ValueError, match="must be 28 x 8"):
        net.forward_weighted(x, weights[:14])


def darts_parse(weights: np.ndarray, steps: int = 4) -> list[tuple[str, int]]:
    """DARTS' genotype rule as its paper states it, written here independently: for node j, the two
    incoming edges whose strongest non-'none' weight is largest, each with that operation."""
    gene, start = [], 0
    for j in range(steps):
        rows = weights[start:start + j + 2]
        best_op = [max(range(1, rows.shape[1]), key=lambda k: r[k]) for r in rows]
        order = sorted(range(j + 2), key=lambda i: -rows[i][best_op[i]])[:2]
        gene += [(DARTS_PRIMITIVES[best_op[i]], i) for i in order]
        start += j + 2
    return gene


def test_derive_is_dartss_rule_and_returns_a_valid_m1_network():
    rng = np.random.default_rng(1)
    for _ in range(20):
        logits = torch.tensor(rng.normal(size=(28, 8)) * 2, dtype=torch.float32)
        logits[rng.integers(28), 0] = 9.0  # a 'none' that dominates its edge is never the op chosen
        weights = torch.softmax(logits, dim=-1)
        arch = S5Supernet.derive(weights)
        genotype = arch_to_genotype(arch)
        w = weights.numpy()
        assert genotype.normal == darts_parse(w[:14]) and genotype.reduce == darts_parse(w[14:])
        assert get_space("S5", 1).validate(arch) == arch
    one_hot = small(m=1, shadow_bn=False).one_hot(parse_arch(DARTS_V2_ARCH, m=1))
    space = get_space("S5", 1)
    assert space.canonical_key(S5Supernet.derive(one_hot)) == space.canonical_key(parse_arch(DARTS_V2_ARCH))
    assert arch_to_genotype(DARTS_V2_ARCH) == DARTS_V2


def test_first_layer_choices_cover_every_operation_set_of_an_edge():
    net = small(m=3)
    choices = net.first_layer_choices()
    assert len(choices) == 7 + 21 + 35 and {k for _, k in choices} == {1, 2, 3}
    stem, norm, combine = net.first_searchable_layer()
    h = stem(torch.randn(2, 3, 12, 12))
    (combo, k) = choices[-1]
    assert norm(combine(h, combo), k).shape == (2, 4, 12, 12)


def test_darts_first_and_second_order_gradients_reach_every_alpha_in_s5():
    """DARTS' architecture gradients on the S5 relaxation: finite, on every candidate edge's non-'none' weights
    (both cells), and the second-order one differs from the first-order one."""
    from mixpath_bench.darts.relaxation import (DartsNetwork, batch_loss, first_order_alpha_grad,
                                                second_order_alpha_grad)

    torch.manual_seed(0)
    model = DartsNetwork(small(m=1, shadow_bn=False))
    batch = lambda: (torch.randn(4, 3, 8, 8), torch.randint(0, 10, (4,)))  # noqa: E731
    train, val = batch(), batch()
    first_order_alpha_grad(model, batch_loss, val)
    first = model.alpha.grad.clone()
    assert torch.isfinite(first).all() and (first[:, 1:].abs().sum(1) > 0).all()
    second_order_alpha_grad(model, batch_loss, train, val, xi=0.025, weight_decay=3e-4)
    assert torch.isfinite(model.alpha.grad).all() and not torch.allclose(model.alpha.grad, first)
    assert get_space("S5", 1).validate(model.derive())
