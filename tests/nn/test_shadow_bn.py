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
