import json

import pytest

from mixpath_bench.bench.standalone import StandaloneData, StandaloneRecipe, StandaloneTruth
from mixpath_bench.errors import ConfigError
from mixpath_bench.models.standalone import build_standalone
from mixpath_bench.data import embedded_images
from mixpath_bench.spaces import Arch

NET = dict(type="S4Supernet", num_classes=10, in_chans=1, stem_channels=8, cells_per_stack=1)
PRE = dict(type="BatchAugmentPreprocessor", mean=[33.6], std=[73.8], crop_padding=1)


def make_truth(tmp_path, logs):
    train = embedded_images("digits", "train", size=8)
    val = embedded_images("digits", "val", size=8)
    return StandaloneTruth(StandaloneData(NET, PRE, train, {"val": val}),
                           StandaloneRecipe(epochs=2, batch_size=64, lr=0.1), seeds=(0, 1), cache_dir=tmp_path,
                           log=logs.append)


def test_trains_caches_and_shares_isomorphic_results(tmp_path):
    logs = []
    truth = make_truth(tmp_path, logs)
    acc = truth.accuracy(Arch("S4", ((2, 0, 0, 0),)))
    assert 15 < acc <= 100  # better than chance (10%) after 2 epochs on digits
    assert len(logs) == 2  # two seeds trained
    assert truth.accuracy(Arch("S4", ((0, 0, 0, 2),))) == acc  # isomorphic: cached, nothing trained
    assert len(logs) == 2
    files = sorted(p.name for p in truth.folder.glob("*-seed*.json"))
    assert len(files) == 2 and json.loads((truth.folder / files[0]).read_text())["seconds"] > 0
    # a new instance (a resumed run) reuses the cache
    logs2 = []
    assert make_truth(tmp_path, logs2).accuracy(Arch("S4", ((2, 0, 0, 0),))) == acc and not logs2


def test_standalone_builders_say_which_network():
    """One route, two named networks: S4's reference network is NAS-Bench-101's (nasbench-pytorch), its
    export is the supernet's own; spaces without a reference network give their export either way."""
    import torch
    from nasbench_pytorch.model import Network

    from mixpath_bench.models.s4 import S4Standalone

    s4 = Arch("S4", ((1, 3, 0, 0),))
    ref, own = build_standalone(s4, NET, "reference"), build_standalone(s4, NET, "export")
    assert isinstance(ref, Network) and isinstance(own, S4Standalone)
    for net in (ref, own):
        assert net(torch.randn(2, 1, 8, 8)).shape == (2, 10)
    s1_net = dict(type="S1Supernet", width=0.25, num_classes=10)
    s1 = build_standalone(Arch("S1", ((0, 1),) * 12), s1_net, "reference")
    assert type(s1) is type(build_standalone(Arch("S1", ((0, 1),) * 12), s1_net, "export"))
    assert s1(torch.randn(2, 3, 32, 32)).shape == (2, 10)
    with pytest.raises(ConfigError, match="one of export, reference"):
        build_standalone(s4, NET, "nasbench")


def test_a_result_does_not_depend_on_what_ran_before(tmp_path):
    """Parallel workers run architectures in any order: each run's weights come from its seed alone."""
    first = make_truth(tmp_path / "a", [])
    first.result(Arch("S4", ((1, 0, 0, 0),)), 0)
    after_another = first.result(Arch("S4", ((2, 1, 0, 0),)), 1)
    alone = make_truth(tmp_path / "b", []).result(Arch("S4", ((2, 1, 0, 0),)), 1)
    assert after_another["val_acc"] == alone["val_acc"]
