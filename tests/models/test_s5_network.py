"""S5's stand-alone network: DARTS' CIFAR evaluation network, measured against the original."""
from __future__ import annotations

import json

import pytest
import torch

from mixpath_bench.errors import ConfigError
from mixpath_bench.models import DartsNetworkCIFAR, count_darts_parameters, create_model
from mixpath_bench.models.named import load_arch_spec
from mixpath_bench.models.standalone import build_standalone
from mixpath_bench.package_data import arch_dir
from mixpath_bench.spaces import arch_to_genotype, parse_arch

from ..spaces.test_s5 import DARTS_V2, DARTS_V2_ARCH

# Parameters of the original network, counted by running the original code itself: cnn/model.py's
# NetworkCIFAR(36, 10, 20, auxiliary=True, genotype) of github.com/quark0/darts at commit
# f276dd346a09ae3160f8e3aca5c7b193fda1da37 (genotypes.DARTS_V1 / DARTS_V2), counted with its own
# utils.count_parameters_in_MB x 1e6 (parameters whose name lacks 'auxiliary'), in a throwaway
# script outside the repository (one shim: numpy >= 2 refuses np.sum(generator), so the script
# gave utils an np.sum over a list); torch 2.x, CPU.  With the auxiliary head: 3,645,840 / 3,825,768.
ORIGINAL_PARAMS = {"darts_v1": 3_169_414, "darts_v2": 3_349_342}
ORIGINAL_PARAMS_WITH_AUX = {"darts_v1": 3_645_840, "darts_v2": 3_825_768}


@pytest.mark.parametrize("name", sorted(ORIGINAL_PARAMS))
def test_parameters_equal_the_originals_exactly(name):
    net = create_model(name)
    assert isinstance(net, DartsNetworkCIFAR) and len(net.cells) == 20 and net.auxiliary_head is not None
    assert count_darts_parameters(net) == ORIGINAL_PARAMS[name]
    assert sum(p.numel() for p in net.parameters()) == ORIGINAL_PARAMS_WITH_AUX[name]
    assert [i for i, c in enumerate(net.cells) if c.reduction] == [6, 13]
    record = json.loads((arch_dir() / f"{name}.json").read_text())
    assert record["params"] == ORIGINAL_PARAMS[name] and "f276dd346a09ae3160f8e3aca5c7b193fda1da37" in record["description"]


def test_named_darts_v2_is_the_published_genotype():
    arch = load_arch_spec("darts_v2")["arch"]
    assert arch == DARTS_V2_ARCH and arch_to_genotype(arch) == DARTS_V2


def test_build_standalone_export_and_reference_for_s5():
    """'export' is the S5 supernet's own export (a BN after each edge's sum); 'reference' is DARTS' network
    at the supernet's size (no per-edge BN, no auxiliary head); a record may name DARTS' network itself."""
    arch = parse_arch(DARTS_V2_ARCH)
    small = {"type": "S5Supernet", "num_classes": 4, "init_channels": 8, "layers": 5, "m": 2}
    export, reference = (build_standalone(arch, small, kind) for kind in ("export", "reference"))
    for net in (export, reference):
        assert isinstance(net, DartsNetworkCIFAR) and net.classifier.out_features == 4 and len(net.cells) == 5
        assert net.auxiliary_head is None
    assert export.cells[0].norms is not None and reference.cells[0].norms is None
    assert isinstance(build_standalone(arch, None, "export"), DartsNetworkCIFAR)  # the space's default network
    named = {"type": "DartsNetworkCIFAR", "num_classes": 4, "init_channels": 8, "layers": 5, "auxiliary": True}
    assert build_standalone(arch, named, "reference").auxiliary_head is not None
    with pytest.raises(TypeError, match="unexpected keyword argument 'widht'") as info:
        build_standalone(arch, {**small, "widht": 2}, "export")
    assert "\n" not in str(info.value)
    for kind in ("reference",):
        with pytest.raises(ConfigError, match="unexpected keyword argument 'widht'"):
            build_standalone(arch, {**small, "widht": 2}, kind)
    with pytest.raises(ConfigError, match="auxiliary must be True or False"):
        build_standalone(arch, {**named, "auxiliary": "no"}, "export")
    with pytest.raises(ConfigError, match="unexpected keyword argument 'm'"):
        build_standalone(arch, {**named, "m": 2}, "export")


def test_forward_aux_drop_path_and_multi_path_edges():
    torch.manual_seed(0)
    multi = parse_arch("S5:0345-147-04-14-14-03-03-26-01-11-23-11-01-23-23-11")
    net = DartsNetworkCIFAR(multi, num_classes=3, init_channels=8, layers=6, drop_path_prob=0.3)
    x = torch.randn(2, 3, 32, 32)
    net.train()
    logits, aux = net.forward_aux(x)
    assert logits.shape == aux.shape == (2, 3)
    (logits.sum() + aux.sum()).backward()
    assert len(net.cells[0].edges[0]) == 3  # an edge of 3 summed operations
    net.eval()
    assert net.forward_aux(x)[1] is None
    assert torch.equal(net(x), net(x))  # no drop path outside training
    plain = DartsNetworkCIFAR(multi, num_classes=3, init_channels=8, layers=6, auxiliary=False)
    assert plain.auxiliary_head is None and count_darts_parameters(plain) == sum(p.numel() for p in plain.parameters())
