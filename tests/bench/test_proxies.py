"""Zero-cost proxies: hand-computed values on tiny networks, determinism, no side effects, and the
demo's S4 networks; plus an independent check against the `alethiometer` package when it is
importable (it is not a dependency: see docs/ranking_baselines.md)."""
import copy
import math

import numpy as np
import pytest
import torch
from torch import nn

from mixpath_bench.bench import proxies as P
from mixpath_bench.bench.proxies import PROXIES, proxy_scores
from mixpath_bench.models.standalone import build_standalone
from mixpath_bench.data import embedded_images
from mixpath_bench.data.augment import BatchAugmentPreprocessor
from mixpath_bench.errors import ConfigError
from mixpath_bench.spaces import Arch

# configs/supernet/s4_nb101_mnist5k_12px.py (the demo): 1 channel, 12x12, 16 stem channels, 1 cell per stack
DEMO_NET = dict(type="S4Supernet", num_classes=10, m=4, shadow_bn=True, in_chans=1, stem_channels=16,
                cells_per_stack=1)
W1 = [[1.0, -2.0], [0.5, 1.0]]
W2 = [[1.0, 0.0], [-1.5, 2.0]]
X = [[1.0, 2.0], [-1.0, 0.5]]
Y = [0, 1]


def two_layer_net():
    net = nn.Sequential(nn.Linear(2, 2, bias=False), nn.Linear(2, 2, bias=False))
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor(W1))
        net[1].weight.copy_(torch.tensor(W2))
    return net


def hand_gradients():
    """dL/dW1, dL/dW2 of z = W2 W1 x, L = mean cross-entropy, by the chain rule (no autograd)."""
    w1, w2, x = np.array(W1), np.array(W2), np.array(X)
    d1, d2 = np.zeros((2, 2)), np.zeros((2, 2))
    for xn, yn in zip(x, Y):
        h = w1 @ xn
        z = w2 @ h
        g = np.exp(z) / np.exp(z).sum() - np.eye(2)[yn]  # dCE/dz
        g /= len(Y)  # mean over the batch
        d2 += np.outer(g, h)
        d1 += np.outer(w2.T @ g, xn)
    return d1, d2


def test_grad_norm_snip_synflow_by_hand():
    net = two_layer_net()
    x, y = torch.tensor(X), torch.tensor(Y)
    d1, d2 = hand_gradients()
    assert P.grad_norm(net, x, y) == pytest.approx(np.linalg.norm(d1) + np.linalg.norm(d2), rel=1e-6)
    assert P.snip(net, x, y) == pytest.approx(np.abs(np.array(W1) * d1).sum() + np.abs(np.array(W2) * d2).sum(),
                                              rel=1e-6)
    # synflow of a bias-free linear chain: each layer's sum |W * dR/dW| is R = 1' |W2| |W1| 1 (per-layer
    # conservation of synaptic flow), so the score is 2R; R = 1' [[1, 0], [1.5, 2]] [[1, 2], [0.5, 1]] 1
    r = np.ones(2) @ np.abs(W2) @ np.abs(W1) @ np.ones(2)
    assert r == 10.5  # |W1| 1 = [3, 1.5]; |W2| [3, 1.5] = [3, 7.5]
    assert P.synflow(net, x, y) == 2 * r


def test_synflow_ignores_batchnorm_and_signs():
    """BN is an identity and only |W| counts: a BN layer with odd statistics and flipped signs change nothing."""
    net = two_layer_net()
    with_bn = nn.Sequential(net[0], nn.BatchNorm1d(2), net[1])
    with torch.no_grad():
        with_bn[1].running_mean.fill_(5.0)
        with_bn[1].weight.fill_(-3.0)
        with_bn[2].weight.neg_()
    assert P.synflow(with_bn, torch.tensor(X), torch.tensor(Y)) == 21.0


class Square(nn.Module):
    """f(x) = x * x: the Jacobian of sum(f(x_i)) w.r.t. x_i is 2 x_i."""

    def forward(self, x):
        return (x * x).flatten(1)


def test_jacov_by_hand():
    # Jacobians 2*[1, 0, 0] and 2*[0, 1, 0]: correlation -0.5, eigenvalues 0.5 and 1.5
    x = torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    e = np.array([0.5, 1.5]) + 1e-5
    assert P.jacov(Square(), x, torch.zeros(2, dtype=torch.long)) == pytest.approx(-np.sum(np.log(e) + 1 / e),
                                                                                     rel=1e-9)


class TwoReLUs(nn.Module):
    """The images are the pre-activations: units 0-3 go through one ReLU, units 4-5 through another."""

    def __init__(self):
        super().__init__()
        self.a, self.b = nn.ReLU(), nn.ReLU()

    def forward(self, x):
        return torch.cat([self.a(x[:, :4]), self.b(x[:, 4:])], 1)


def test_naswot_kernel_by_hand():
    # codes (input > 0; an input of exactly 0 is off):  ReLU a         ReLU b
    x = torch.tensor([[1.0, 2.0, -1.0, 0.0, 3.0, -2.0],  # 1 1 0 0        1 0
                      [4.0, -1.0, 2.0, -3.0, 1.0, 1.0],  # 1 0 1 0        1 1
                      [1.0, 1.0, 1.0, 1.0, -1.0, -1.0]])  # 1 1 1 1        0 0
    # N_A = 6; Hamming distances: d12 = 2 + 1, d13 = 2 + 1, d23 = 2 + 2
    expected = np.array([[6, 3, 3], [3, 6, 2], [3, 2, 6]], dtype=float)
    np.testing.assert_array_equal(P.relu_kernel(TwoReLUs(), x), expected)
    assert P.naswot(TwoReLUs(), x, torch.zeros(3, dtype=torch.long)) == pytest.approx(math.log(
        6 * (36 - 4) - 3 * (18 - 6) + 3 * (6 - 18)), rel=1e-12)  # log det = log 120


def test_naswot_needs_relus():
    with pytest.raises(ConfigError, match="naswot needs nn.ReLU"):
        P.naswot(nn.Sequential(nn.Linear(2, 2)), torch.tensor(X), torch.tensor(Y))


def test_unknown_name_is_a_one_line_config_error():
    with pytest.raises(ConfigError) as info:
        proxy_scores(DEMO_NET, None, [], torch.zeros(1, 1, 12, 12), torch.zeros(1), names=("snip", "zen"))
    msg = str(info.value)
    assert "\n" not in msg and "'zen'" in msg and all(name in msg for name in PROXIES)


@pytest.fixture(scope="module")
def batch():
    data = embedded_images("mnist5k", "train", size=12)
    return data.images[:32], data.labels[:32]


PRE = BatchAugmentPreprocessor(mean=[33.6], std=[73.8], crop_padding=2)
ARCHS = [Arch("S4", ((1, 3, 0, 0),)), Arch("S4", ((2, 1, 1, 0),)), Arch("S4", ((3, 3, 3, 3),))]
# Pinned values (torch 2.x, CPU) of the demo's stand-alone networks with seed 0 on mnist5k train[:32];
# regenerate with proxy_scores(DEMO_NET, PRE, ARCHS, *batch) after a deliberate change of definition.
PINNED = {"grad_norm": [3.243856, 3.343249, 3.306451], "snip": [0.8805172, 1.552613, 0.9813368],
          "synflow": [3.499226e8, 1.976807e10, 3.845509e7], "jacov": [-39.89927, -39.98945, -40.19242],
          "naswot": [270.8321, 288.2138, 275.3057]}


def test_demo_networks_deterministic_finite_no_side_effects(batch):
    images, labels = batch
    torch.manual_seed(123)
    state = torch.get_rng_state()
    logs = []
    scores = proxy_scores(DEMO_NET, PRE, ARCHS, images, labels, log=logs.append)
    assert torch.equal(torch.get_rng_state(), state)  # the caller's random state is untouched
    assert list(scores) == list(PROXIES) and logs and logs[-1].startswith("proxies (") and "3/3" in logs[-1]
    assert all(len(v) == 3 and all(math.isfinite(s) for s in v) for v in scores.values())
    again = proxy_scores(DEMO_NET, PRE, ARCHS[2:], images, labels, log=logs.append)  # alone: same network
    assert again == {name: v[2:] for name, v in scores.items()}
    other = proxy_scores(DEMO_NET, PRE, ARCHS[:1], images, labels, seed=1, log=logs.append)
    assert all(other[name][0] != scores[name][0] for name in PROXIES)
    # one proxy alone = the same proxy among the others (they don't influence each other); and the
    # preprocessor is applied as transform(images, False)
    alone = proxy_scores(DEMO_NET, None, ARCHS[:1], PRE.transform(images, False), labels, names=["naswot"],
                         log=logs.append)
    assert alone == {"naswot": scores["naswot"][:1]}
    for name in PROXIES:
        assert scores[name] == pytest.approx(PINNED[name], rel=1e-4), name


def test_proxies_leave_the_network_alone(batch):
    images, labels = batch
    x = PRE.transform(images, False)
    torch.manual_seed(0)
    net = build_standalone(ARCHS[1], DEMO_NET, "reference").eval()
    before = copy.deepcopy(net.state_dict())
    state = torch.get_rng_state()
    first = {name: f(net, x, labels) for name, f in PROXIES.items()}
    assert not net.training and all(p.grad is None and p.dtype == torch.float32 for p in net.parameters())
    assert all(torch.equal(before[k], v) for k, v in net.state_dict().items())
    assert torch.equal(torch.get_rng_state(), state)
    assert {name: f(net, x, labels) for name, f in reversed(PROXIES.items())} == first


def test_agrees_with_alethiometer(batch):
    """grad_norm, snip and synflow agree with alethiometer; its NASWOT puts the net in eval mode (BN
    with fresh running statistics), ours keeps training mode as Mellor et al.'s code: equal in eval mode."""
    zc = pytest.importorskip("alethiometer")
    images, labels = batch
    x = PRE.transform(images[:16], False)
    y = labels[:16]
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=16)
    for arch in ARCHS:
        torch.manual_seed(0)
        net = build_standalone(arch, DEMO_NET, "reference")
        theirs = zc.calc_zc_metrics(["grad_norm", "snip", "synflow", "nwot_relu"], copy.deepcopy(net), loader,
                                    torch.device("cpu"))
        assert P.grad_norm(net, x, y) == pytest.approx(theirs["grad_norm"], rel=1e-5)
        assert P.snip(net, x, y) == pytest.approx(theirs["snip"], rel=1e-5)
        assert P.synflow(net, x, y) == pytest.approx(theirs["synflow"], rel=1e-9)
        assert P.naswot(EvalMode(net), x, y) == pytest.approx(theirs["nwot_relu"], rel=1e-5)
        assert P.naswot(net, x, y) != pytest.approx(theirs["nwot_relu"], rel=1e-3)


class EvalMode(nn.Module):
    """`net`, kept in eval mode whatever `.train()` asks."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def train(self, mode=True):
        return super().train(False)

    def forward(self, x):
        return self.net(x)
