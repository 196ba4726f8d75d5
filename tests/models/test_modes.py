"""Layers and cells own their modes: DARTS' weighted forward and the detection feature taps.

The references below are computed the way the DARTS and detection adapters used to compute
them, by walking the modules' children; the modules' own methods must give the same tensors.
"""
import numpy as np
import pytest
import torch
from torch import nn

from mixpath_bench.models import MIXNET_M_LAYERS, MIXNET_M_STAGE_ENDS, S1Supernet, S4Supernet, create_network
from mixpath_bench.nn import ChoiceBlock, PathSumBlock
from mixpath_bench.spaces import Arch, get_space


def randomise_bns(net: nn.Module) -> None:
    """Non-trivial BN affine parameters and running statistics, so a wrong BN shows."""
    with torch.no_grad():
        for mod in net.modules():
            if isinstance(mod, nn.BatchNorm2d):
                mod.weight.uniform_(0.5, 1.5)
                mod.bias.uniform_(-0.2, 0.2)
                mod.running_mean.uniform_(-0.1, 0.1)
                mod.running_var.uniform_(0.5, 1.5)


def one_hot(codes, width: int) -> torch.Tensor:
    return nn.functional.one_hot(torch.tensor(codes), width).float()


def old_s4_relaxed(net: S4Supernet, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """DARTS' relaxation (now darts/relaxation.py) before cells owned it."""
    x = net.stem(x)
    for i, cell in enumerate(net.cells):
        out = 0
        for pos in range(4):
            for op in range(3):
                out = out + w[pos, op + 1] * cell.nodes[pos][op](x)
        x = torch.relu(cell.norm(cell.out_conv(out), 1))
        if i in net.pool_after:
            x = nn.functional.max_pool2d(x, 2)
    return net.classifier(x.mean((2, 3)))


def old_s1_relaxed(net: S1Supernet, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    x = net.stem(x)
    for layer, wl in zip(net.layers, w):
        out = sum(wl[c] * cand(x) for c, cand in enumerate(layer.candidates))
        out = layer.norm(out, 1)
        x = out + x if layer.residual else out
    return net.classifier(net.head(x).mean((2, 3)))


def old_block_with_tap(block: nn.Module, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """det/backbone.py before blocks declared their taps."""
    if isinstance(block, PathSumBlock):
        out = tap = None
        for path in block.paths:
            h = path.depthwise(path.expand(x))
            y = path.project(path.se(h))
            out, tap = (y, h) if out is None else (out + y, tap + h)
        out = block.norm(out)
    else:
        body = block.body
        tap = body.act(body.bn(body.depthwise(body.expand(x), block.choice)))
        out = block.norm(body.project(body.se(tap)))
    return (out + x if block.residual else out), tap


@torch.no_grad()
def test_s4_weighted_forward_one_hot_equals_discrete():
    torch.manual_seed(0)
    net = S4Supernet(in_chans=1, stem_channels=8, cells_per_stack=1, shadow_bn=False)
    randomise_bns(net)
    net.eval()
    x = torch.randn(3, 1, 8, 8)
    rng = np.random.default_rng(0)
    for _ in range(4):
        arch = get_space("S4").sample(rng)
        w = one_hot(arch.layers[0], 4)
        cell = net.cells[0]
        assert torch.equal(cell.forward_weighted(net.stem(x), w), cell(net.stem(x), arch.layers[0]))
        assert torch.equal(net.forward_weighted(x, w), net(x, arch))
    soft = torch.softmax(torch.randn(4, 4), -1)
    assert torch.equal(net.forward_weighted(x, soft), old_s4_relaxed(net, x, soft))
    with pytest.raises(ValueError, match="4 x 4"):
        net.cells[0].forward_weighted(net.stem(x), soft[:3])


@torch.no_grad()
def test_s1_weighted_forward_one_hot_equals_discrete():
    torch.manual_seed(0)
    net = S1Supernet(width=0.25, shadow_bn=False)
    randomise_bns(net)
    net.eval()
    x = torch.randn(1, 3, 8, 8)
    arch = get_space("S1", 1).sample(np.random.default_rng(1))
    w = one_hot([layer[0] for layer in arch.layers], 8)
    h = net.stem(x)
    assert torch.equal(net.layers[0].forward_weighted(h, w[0]), net.layers[0](h, arch.layers[0]))
    assert torch.equal(net.forward_weighted(x, w), net(x, arch))
    soft = torch.softmax(torch.randn(12, 8), -1)
    assert torch.equal(net.forward_weighted(x, soft), old_s1_relaxed(net, x, soft))
    with pytest.raises(ValueError, match="7 weights for 8 candidates"):
        net.layers[0].forward_weighted(h, soft[0, :7])


def s3_arch() -> Arch:
    return get_space("S3").sample(np.random.default_rng(0))


@pytest.mark.parametrize("arch", [Arch("S2", ((0, 1),) * 18), Arch("S2", ((3,),) * 18), s3_arch()],
                         ids=["S2-two-paths", "S2-one-path", "S3"])
@torch.no_grad()
def test_block_taps_equal_the_depthwise_outputs(arch):
    torch.manual_seed(0)
    supernet = create_network(f"{arch.space}Supernet", num_classes=10, m=2 if arch.space == "S2" else 1)
    randomise_bns(supernet)
    net = supernet.export(arch).eval()
    # the depthwise outputs as forward hooks see them (summed over a block's paths)
    seen: dict[int, torch.Tensor] = {}

    def remember(index):
        def hook(_module, _inputs, output):
            seen[index] = output if index not in seen else seen[index] + output
        return hook

    for i, block in enumerate(net.blocks):
        if isinstance(block, PathSumBlock):
            for path in block.paths:
                path.depthwise.register_forward_hook(remember(i))
        else:
            assert isinstance(block, ChoiceBlock)
            block.body.act.register_forward_hook(remember(i))
    x = net.stem(torch.randn(1, 3, 64, 64))
    for i, block in enumerate(net.blocks):
        seen.clear()
        plain = block(x)
        hooked = seen[i]
        out, tap = block.forward_tap(x)
        old_out, old_tap = old_block_with_tap(block, x)
        assert torch.equal(out, old_out) and torch.equal(tap, old_tap)
        assert torch.equal(out, plain) and torch.equal(tap, hooked)
        x = out


def test_declared_feature_info():
    net = create_network("S2Supernet", num_classes=10).export(Arch("S2", ((0,),) * 18))
    ins = [24] + [layer[0] for layer in MIXNET_M_LAYERS[:-1]]  # the old det.backbone.stage_channels()
    assert [t.block for t in net.feature_info] == list(MIXNET_M_STAGE_ENDS)
    assert [t.num_chs for t in net.feature_info] == [ins[i] * MIXNET_M_LAYERS[i][2] for i in MIXNET_M_STAGE_ENDS]
    assert [t.reduction for t in net.feature_info] == [4, 8, 16, 32]
    assert net.feature_info[0].module == "blocks.1" and isinstance(net.get_submodule("blocks.1"), nn.Module)
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        h = net.stem(x)
        for i, block in enumerate(net.blocks):
            h, tap = block.forward_tap(h)
            if i in MIXNET_M_STAGE_ENDS:
                info = net.feature_info[MIXNET_M_STAGE_ENDS.index(i)]
                assert tap.shape[1] == info.num_chs and 64 // tap.shape[-1] == info.reduction
