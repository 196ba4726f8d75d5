import timm

from mixpath_bench.bench import arch_complexity, count_complexity
from mixpath_bench.models import S1Supernet, S2Supernet
from mixpath_bench.spaces import Arch


def test_fvcore_anchor_mixnet_m():
    madds, params = count_complexity(timm.create_model("mixnet_m"), (3, 224, 224))
    assert abs(madds / 1e6 - 355.6) < 0.5
    assert abs(params / 1e6 - 5.01) < 0.01


def test_s2_range_covers_paper_models():
    net = S2Supernet()
    small = arch_complexity(net, Arch("S2", ((0,),) * 18), (3, 224, 224))
    large = arch_complexity(net, Arch("S2", ((2, 3),) * 18), (3, 224, 224))
    assert small[0] < 349e6 < 378e6 < large[0]
    assert small[1] < 5.0e6 < large[1]


def test_more_paths_cost_more():
    net = S1Supernet()
    one = arch_complexity(net, Arch("S1", ((0,),) * 12), (3, 32, 32))
    two = arch_complexity(net, Arch("S1", ((0, 1),) * 12), (3, 32, 32))
    assert two[0] > one[0] and two[1] > one[1]
