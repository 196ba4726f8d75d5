"""Candidate operations and multi-path layers built exactly as specified: parameter counts computed
by hand, activation counts, squeeze-excitation arithmetic, output shapes, which BN a mode uses
(written against mutants that survived the rest of the suite, docs/mutation.md)."""
import pytest
import torch
from torch import nn

from mixpath_bench.nn import InvertedBottleneck, MultiPathLayer, ShadowBatchNorm
from mixpath_bench.nn.ops import GroupedKernelDepthwise, MixedKernelBottleneck, NB101Node, SqueezeExcite, conv_bn_act


def n_params(module):
    return sum(p.numel() for p in module.parameters())


def n_modules(module, kind):
    return sum(isinstance(m, kind) for m in module.modules())


def test_conv_bn_act_has_no_conv_bias_and_an_optional_activation():
    block = conv_bn_act(4, 6, 3)
    assert [type(m) for m in block] == [nn.Conv2d, nn.BatchNorm2d, nn.ReLU] and block[0].bias is None
    assert [type(m) for m in conv_bn_act(4, 6, 3, act=None)] == [nn.Conv2d, nn.BatchNorm2d]
    assert n_params(block) == 6 * 4 * 9 + 2 * 6


def test_inverted_bottleneck_structure_by_hand():
    block = InvertedBottleneck(8, 16, kernel=5, expansion=3, stride=2, act=nn.ReLU6, se_ratio=0.25,
                               exp_groups=2, proj_groups=2)
    # mid = 24: expand 24*4 + BN 48, depthwise 24*25 + BN 48, SE 24->2->24 with biases (48+2, 48+24),
    # grouped projection 16*12; no bias in the convolutions
    assert n_params(block) == 96 + 48 + 600 + 48 + 50 + 72 + 192
    assert n_modules(block, nn.ReLU6) == 3 and block.se.reduce.out_channels == 2
    assert block(torch.randn(1, 8, 8, 8)).shape == (1, 16, 4, 4)
    plain = InvertedBottleneck(8, 8, 3, 2, 1, nn.ReLU)  # defaults: no SE, ungrouped pointwise convolutions
    assert isinstance(plain.se, nn.Identity) and n_params(plain) == 128 + 32 + 144 + 32 + 128
    assert n_modules(plain, nn.ReLU) == 2
    tiny = InvertedBottleneck(2, 2, 3, 1, 1, nn.ReLU, se_ratio=0.25)  # round(0.5) = 0 -> at least 1
    assert tiny.se.reduce.out_channels == 1


def test_mixed_kernel_bottleneck_structure_by_hand():
    block = MixedKernelBottleneck(8, 16, kernels=[(3, 5), (3,)], expansion=2, stride=1, act=nn.ReLU,
                                  se_ratio=0.5, exp_groups=2, proj_groups=2)
    # mid = 16 in two groups of 8: expand 16*4 + BN 32, depthwise 8*9 + 8*25 + 8*9, BN 32,
    # SE 16->4->16 (64+4, 64+16), grouped projection 16*8
    assert n_params(block) == 64 + 32 + 344 + 32 + 68 + 80 + 128
    assert n_modules(block, nn.ReLU) == 3
    relu6 = MixedKernelBottleneck(8, 8, [(3,)], 2, 1, nn.ReLU6, se_ratio=0.5)
    assert n_modules(relu6, nn.ReLU6) == 3 and n_modules(relu6, nn.ReLU) == 0  # expand, depthwise, SE
    plain = MixedKernelBottleneck(8, 8, [(3,)], 2, 1, nn.ReLU)
    assert isinstance(plain.se, nn.Identity) and n_params(plain) == 128 + 32 + 144 + 32 + 128
    assert MixedKernelBottleneck(2, 2, [(3,)], 1, 1, nn.ReLU, se_ratio=0.25).se.reduce.out_channels == 1


def test_grouped_kernel_depthwise_is_depthwise_without_bias():
    dw = GroupedKernelDepthwise(6, [(3, 5), (3,)], 1)
    convs = [c for group in dw.groups for c in group]
    assert [tuple(c.weight.shape) for c in convs] == [(3, 1, 3, 3), (3, 1, 5, 5), (3, 1, 3, 3)]
    assert all(c.bias is None for c in convs)
    with pytest.raises(ValueError, match=r"^10 channels do not split into 3 equal groups$"):
        GroupedKernelDepthwise(10, [(3,), (3,), (3,)], 1)


def test_squeeze_excite_scales_by_the_sigmoid():
    se = SqueezeExcite(3, 2, nn.ReLU)
    for p in se.parameters():
        nn.init.zeros_(p)
    x = torch.randn(2, 3, 4, 4)
    torch.testing.assert_close(se(x), 0.5 * x)  # sigmoid(0) = 1/2


@pytest.mark.parametrize("op", ["conv1x1-bn-relu", "conv3x3-bn-relu", "maxpool3x3"])
def test_nb101_node_keeps_the_spatial_size(op):
    node = NB101Node(4, 8, op)
    assert node(torch.randn(1, 4, 6, 6)).shape == (1, 8, 6, 6)
    assert node.projection[0].kernel_size == (1, 1)


def test_nb101_node_and_shadow_bn_messages():
    with pytest.raises(ValueError, match=r"^unknown NAS-Bench-101 op 'conv5x5'$"):
        NB101Node(4, 4, "conv5x5")
    with pytest.raises(ValueError, match=r"^max_paths must be >= 1, got 0$"):
        ShadowBatchNorm(4, 0)


def test_shadow_bn_passes_momentum_and_eps_to_every_bn():
    sbn = ShadowBatchNorm(4, 3, momentum=0.3, eps=1e-3)
    assert [(bn.momentum, bn.eps) for bn in sbn.bns] == [(0.3, 1e-3)] * 3


def test_multipath_layer_options_reach_its_parts():
    torch.manual_seed(0)
    cands = [nn.Conv2d(4, 4, 1) for _ in range(3)]
    assert len(MultiPathLayer(cands, 4, 3, shadow_bn=False).norm.bns) == 1
    plain = MultiPathLayer(cands, 4, 3).eval()
    residual = MultiPathLayer(cands, 4, 3, residual=True).eval()
    residual.load_state_dict(plain.state_dict())
    x = torch.randn(2, 4, 5, 5)
    torch.testing.assert_close(residual(x, (0, 2)) - plain(x, (0, 2)), x)
    torch.testing.assert_close(residual.forward_weighted(x, torch.tensor([0.2, 0.3, 0.5]))
                               - plain.forward_weighted(x, torch.tensor([0.2, 0.3, 0.5])), x)


def test_weighted_forward_normalises_with_the_one_path_bn():
    layer = MultiPathLayer([nn.Conv2d(4, 4, 1) for _ in range(3)], 4, 3).train()
    layer.forward_weighted(torch.randn(2, 4, 5, 5), torch.tensor([0.2, 0.3, 0.5]))
    assert [int(bn.num_batches_tracked) for bn in layer.norm.bns] == [1, 0, 0]
