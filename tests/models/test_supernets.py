import numpy as np
import pytest
import torch

from mixpath_bench.models import create_network, list_networks
from mixpath_bench.spaces import Arch

# (name, kwargs for a small CPU instance, input channels, input size, valid m values)
CASES = {
    "S1Supernet": (dict(width=0.25, num_classes=10), 3, 32, (1, 2, 3, 4)),
    "S2Supernet": (dict(num_classes=10), 3, 64, (1, 2, 3, 4)),
    "S3Supernet": (dict(num_classes=10), 3, 64, (1,)),
    "S4Supernet": (dict(stem_channels=8, num_classes=10), 3, 16, (1, 2, 3, 4)),
    "S5Supernet": (dict(init_channels=4, layers=5, num_classes=10), 3, 16, (1, 2, 3)),
}


def test_every_registered_supernet_has_a_case():
    assert {n for n in list_networks() if n.endswith("Supernet")} == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_forward_backward_every_m(name):
    kwargs, chans, size, ms = CASES[name]
    for m in ms:
        net = create_network(name, m=m, **kwargs)
        rng = np.random.default_rng(m)
        arch = net.space.sample(rng)
        while max(net.space.num_active(arch)) != m and m > 1:  # exercise the largest SBN
            arch = net.space.sample(rng)
        out = net(torch.randn(2, chans, size, size), arch)
        assert out.shape == (2, 10)
        out.sum().backward()
        assert all(p.grad is None or torch.isfinite(p.grad).all() for p in net.parameters())


@pytest.mark.parametrize("name", sorted(CASES))
def test_exported_standalone_equals_supernet_in_eval(name):
    kwargs, chans, size, ms = CASES[name]
    net = create_network(name, m=ms[-1], **kwargs)
    x = torch.randn(3, chans, size, size)
    # give every BN non-trivial statistics and affine parameters
    net.train()
    rng = np.random.default_rng(0)
    with torch.no_grad():
        for _ in range(3):
            net(x, net.space.sample(rng))
        for mod in net.modules():
            if isinstance(mod, torch.nn.BatchNorm2d) and mod.affine:  # S5's operations: BN without affine, as DARTS
                mod.weight.uniform_(0.5, 1.5)
                mod.bias.uniform_(-0.2, 0.2)
    net.eval()
    for _ in range(3):
        arch = net.space.sample(rng)
        standalone = net.export(arch).eval()
        with torch.no_grad():
            torch.testing.assert_close(standalone(x), net(x, arch), rtol=1e-5, atol=1e-5)
        n_super = sum(p.numel() for p in net.parameters())
        assert sum(p.numel() for p in standalone.parameters()) < n_super


def test_export_rejects_foreign_arch():
    net = create_network("S4Supernet", stem_channels=8)
    with pytest.raises(ValueError, match="belongs to space S1"):
        net.export(Arch("S1", ((0,),) * 12))


def test_s4_standalone_has_only_chosen_ops():
    net = create_network("S4Supernet", stem_channels=8)
    sa = net.export(Arch("S4", ((0, 3, 0, 0),)))
    assert not any(isinstance(m, torch.nn.Conv2d) and m.kernel_size == (3, 3) for m in sa.blocks.modules())
    assert any(isinstance(m, torch.nn.MaxPool2d) and m.kernel_size == 3 for m in sa.modules())


def test_unknown_network_and_argument():
    with pytest.raises(KeyError, match="unknown network 'S9Supernet'"):
        create_network("S9Supernet")
    with pytest.raises(TypeError, match="S1Supernet: .*unexpected keyword"):
        create_network("S1Supernet", widht=0.5)


@pytest.mark.parametrize("name", sorted(CASES))
def test_export_is_an_independent_copy_of_the_weights(name):
    """Changing the supernet after export leaves the export alone, and vice versa (no shared storage)."""
    kwargs, chans, size, ms = CASES[name]
    torch.manual_seed(0)
    net = create_network(name, m=ms[-1], **kwargs).eval()
    arch = net.space.sample(np.random.default_rng(3))
    standalone = net.export(arch).eval()
    tensors = lambda mod: list(mod.parameters()) + list(mod.buffers())  # noqa: E731
    super_ptrs = {t.untyped_storage().data_ptr() for t in tensors(net) if t.numel()}
    assert not any(t.untyped_storage().data_ptr() in super_ptrs for t in tensors(standalone) if t.numel())
    x = torch.randn(1, chans, size // 2, size // 2)  # half size: only independence is checked here
    with torch.no_grad():
        ref_standalone, ref_super = standalone(x).clone(), net(x, arch).clone()
        for t in tensors(net):
            if t.is_floating_point():
                t.add_(0.5)
        torch.testing.assert_close(standalone(x), ref_standalone, rtol=0, atol=0)
        assert not torch.allclose(net(x, arch), ref_super)  # the change did reach the supernet
        changed_super = net(x, arch).clone()
        for t in tensors(standalone):
            if t.is_floating_point():
                t.mul_(-1.0)
        torch.testing.assert_close(net(x, arch), changed_super, rtol=0, atol=0)
