import pytest
import torch

from mixpath_bench.nn import InvertedBottleneck, MultiPathLayer, ShadowBatchNorm


def test_only_selected_bn_gets_gradient_and_statistics():
    sbn = ShadowBatchNorm(4, 3)
    before = [bn.running_mean.clone() for bn in sbn.bns]
    x = torch.randn(8, 4, 5, 5) * 3 + 2
    sbn(x, 2).square().sum().backward()
    for i, bn in enumerate(sbn.bns):
        has_grad = bn.weight.grad is not None and bn.weight.grad.abs().sum() > 0
        assert has_grad == (i == 1)
        assert torch.equal(bn.running_mean, before[i]) == (i != 1)
    assert sbn.bns[1].num_batches_tracked.item() == 1


def test_shadow_false_shares_one_bn():
    sbn = ShadowBatchNorm(4, 3, shadow=False)
    assert len(sbn.bns) == 1
    assert sbn.select(1) is sbn.select(3)


def test_k_out_of_range_is_an_error():
    with pytest.raises(ValueError, match="allows 1..2"):
        ShadowBatchNorm(4, 2)(torch.randn(2, 4, 3, 3), 3)


def test_multipath_layer_gradient_isolation():
    cands = [InvertedBottleneck(4, 4, k, 3, 1, torch.nn.ReLU6) for k in (3, 5, 7)]
    layer = MultiPathLayer(cands, 4, 3, residual=True)
    layer(torch.randn(4, 4, 6, 6), (0, 2)).sum().backward()
    grads = [p.grad is not None for p in layer.candidates[1].parameters()]
    assert not any(grads)
    assert all(p.grad is not None for p in layer.candidates[2].parameters())
    assert [bn.weight.grad is not None for bn in layer.norm.bns] == [False, True, False]


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_every_k_routes_to_its_own_bn(k):
    """k active paths: only BN_k normalises, learns and updates its statistics (for every k of m=4)."""
    torch.manual_seed(k)
    sbn = ShadowBatchNorm(3, 4)
    with torch.no_grad():  # distinct affine parameters per BN, so a wrong BN gives a different output
        for j, bn in enumerate(sbn.bns, start=1):
            bn.weight.fill_(float(j))
            bn.bias.fill_(10.0 * j)
    x = torch.randn(6, 3, 4, 4) * k + k
    out = sbn(x, k)
    mean, var = x.mean((0, 2, 3)), x.var((0, 2, 3), unbiased=False)
    expected = (x - mean[None, :, None, None]) / torch.sqrt(var[None, :, None, None] + 1e-5) * k + 10.0 * k
    torch.testing.assert_close(out, expected)
    out.sum().backward()
    for j, bn in enumerate(sbn.bns, start=1):
        assert (bn.weight.grad is not None) == (j == k)
        assert bn.num_batches_tracked.item() == (1 if j == k else 0)
        if j == k:
            torch.testing.assert_close(bn.running_mean, 0.1 * mean)
        else:
            assert torch.equal(bn.running_mean, torch.zeros(3)) and torch.equal(bn.running_var, torch.ones(3))
    sbn.eval()
    with torch.no_grad():  # in eval, BN_k's running statistics normalise
        y = sbn(x, k)
    bn = sbn.bns[k - 1]
    torch.testing.assert_close(y, (x - bn.running_mean[None, :, None, None])
                               / torch.sqrt(bn.running_var[None, :, None, None] + 1e-5) * k + 10.0 * k)


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_multipath_layer_sums_k_paths_under_bn_k(k):
    torch.manual_seed(0)
    cands = [torch.nn.Conv2d(3, 3, 1, bias=False) for _ in range(5)]
    layer = MultiPathLayer(cands, 3, 4)
    active = tuple(range(5 - k, 5))  # the last k candidates
    x = torch.randn(4, 3, 5, 5)
    out = layer(x, active)
    path_sum = sum(cands[i](x) for i in active)
    torch.testing.assert_close(out, torch.nn.functional.batch_norm(path_sum, None, None, training=True))
    assert [bn.num_batches_tracked.item() for bn in layer.norm.bns] == [int(j == k) for j in range(1, 5)]
