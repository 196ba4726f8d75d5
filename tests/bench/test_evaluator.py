import copy

import numpy as np
import pytest
import torch
from mmengine.registry import MODELS

from mixpath_bench.data import embedded_images
from mixpath_bench.engine import MixPathClassifier  # noqa: F401 - registers the classifier
from mixpath_bench.engine.calibrate import calibrate_bn
from mixpath_bench.bench.evaluator import SupernetEvaluator
from mixpath_bench.models import S4Supernet
from mixpath_bench.spaces import Arch


def test_calibration_is_an_exact_average_over_batches_and_only_touches_the_path():
    torch.manual_seed(0)
    net = S4Supernet(in_chans=1, stem_channels=8, cells_per_stack=1)
    arch = Arch("S4", ((2, 0, 3, 0),))
    unused = net.cells[0].nodes[1][0].projection[1]  # position 1 is off
    used = net.cells[0].norm.select(2)
    for bn in (unused, used):
        bn.running_mean.fill_(7.0)
    seen = []
    used.register_forward_hook(lambda m, inp, out: seen.append(inp[0].detach().clone()))
    batches = [torch.randn(5, 1, 8, 8) * (i + 1) + i for i in range(4)]
    n = calibrate_bn(net, batches, arch)
    assert n > 0 and net.training  # calibrated BNs counted; train mode restored
    # exact average over the 4 equally sized batches: mean of batch means / unbiased variances
    means = torch.stack([x.mean((0, 2, 3)) for x in seen])
    variances = torch.stack([x.transpose(0, 1).flatten(1).var(1, unbiased=True) for x in seen])
    torch.testing.assert_close(used.running_mean, means.mean(0))
    torch.testing.assert_close(used.running_var, variances.mean(0))
    assert torch.all(unused.running_mean == 7.0)
    assert used.momentum == 0.1 and used.num_batches_tracked.item() == 4


def tiny_classifier():
    torch.manual_seed(0)
    return MODELS.build(dict(
        type="MixPathClassifier",
        network=dict(type="S4Supernet", num_classes=10, m=4, in_chans=1, stem_channels=8, cells_per_stack=1),
        data_preprocessor=dict(type="BatchAugmentPreprocessor", mean=[33.6], std=[73.8])))


def batches(split, size=64):
    ds = embedded_images("digits", split, size=8)
    return [{"inputs": ds.images[i:i + size], "data_samples": ds.labels[i:i + size]} for i in range(0, len(ds), size)]


def test_evaluator_scores_caches_and_restores_bn_state():
    model = tiny_classifier()
    model.train()
    with torch.no_grad():  # give the shared BNs some statistics
        for b in batches("train")[:3]:
            d = model.data_preprocessor(b, True)
            model(d["inputs"], mode="tensor", arch=model.space.sample(np.random.default_rng(0)))
    before = {k: v.clone() for k, v in model.state_dict().items()}
    ev = SupernetEvaluator(model, batches("train")[:4], batches("val"), (1, 8, 8), with_uncalibrated=True)
    arch = Arch("S4", ((1, 2, 0, 0),))
    s = ev.score(arch)
    want = standalone_scores(model, arch, batches("train")[:4], batches("val"))
    assert (s.acc, s.acc_uncalibrated) == want and s.madds > 0 and s.params > 0
    assert ev.score(arch) is s and ev.evaluated == 1
    after = model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
    out = ev([arch, Arch("S4", ((3, 0, 0, 0),))])
    assert out[0] == s.to_json() and ev.evaluated == 2
    assert ev.complexity(arch) == {"madds": s.madds, "params": s.params}


def standalone_scores(model, arch, calib, val):
    """(calibrated, uncalibrated) top-1 of `arch` computed without the evaluator or calibrate_bn.

    The stand-alone export holds exactly the BNs the architecture uses (SBN_k for k active nodes),
    so "calibration" here is: reset every BN of the export and average its statistics over the
    calibration batches.  The evaluator scores the space's canonical encoding, so this does too.
    """
    model = copy.deepcopy(model)
    pre = model.data_preprocessor
    net = model.network.export(model.space.canonical(arch))

    def top1():
        net.eval()
        hits = total = 0
        with torch.no_grad():
            for b in val:
                d = pre(b, False)
                hits += int((net(d["inputs"]).argmax(1) == d["data_samples"]).sum())
                total += len(d["data_samples"])
        return 100.0 * hits / total

    raw = top1()
    for bn in net.modules():
        if isinstance(bn, torch.nn.BatchNorm2d):
            bn.reset_running_stats()
            bn.momentum = None
    net.train()
    with torch.no_grad():
        for b in calib:
            net(pre(b, False)["inputs"])
    return top1(), raw


@pytest.mark.parametrize("nodes", [(0, 0, 2, 0), (3, 0, 0, 1), (1, 2, 0, 3), (2, 3, 1, 2)],
                         ids=["k1", "k2", "k3", "k4"])
def test_evaluator_scores_every_number_of_active_nodes_like_its_standalone_network(nodes):
    model = tiny_classifier()
    rng = np.random.default_rng(1)
    with torch.no_grad():  # distinct shared statistics and affine parameters in every SBN_k
        model.train()
        for b in batches("train")[:2]:
            d = model.data_preprocessor(b, True)
            for k in range(1, 5):
                arch = model.space.sample(rng)
                while sum(1 for c in arch.layers[0] if c) != k:
                    arch = model.space.sample(rng)
                model(d["inputs"], mode="tensor", arch=arch)
        for cell in model.network.cells:
            for j, bn in enumerate(cell.norm.bns, start=1):
                bn.weight.uniform_(0.2 * j, 0.4 * j)
                bn.bias.uniform_(-0.5 * j, 0.5 * j)
    calib, val = batches("train")[:4], batches("val")
    want = standalone_scores(model, Arch("S4", (nodes,)), calib, val)
    ev = SupernetEvaluator(model, calib, val, (1, 8, 8), with_uncalibrated=True)
    ev.complexity = lambda arch: {"madds": 0, "params": 0}  # counting is tested above; skip fvcore here
    s = ev.score(Arch("S4", (nodes,)))
    assert (s.acc, s.acc_uncalibrated) == want
