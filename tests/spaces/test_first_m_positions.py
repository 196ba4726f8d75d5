"""The reference code's space for m < 4: paths only through the first m candidate nodes, beside ours."""
import numpy as np
import pytest

from mixpath_bench.bench.protocol import reference_choices
from mixpath_bench.spaces import ArchError, get_space, parse_arch


@pytest.mark.parametrize("m, encodings, networks", [(1, 3, 3), (2, 15, 9), (3, 63, 19), (4, 255, 34)])
def test_first_m_positions_hold_the_same_networks_in_fewer_encodings(m, encodings, networks):
    ours, theirs = get_space("S4", m), get_space("S4", m, first_m=True)
    assert theirs.size() == encodings
    assert {theirs.canonical_key(a) for a in theirs.enumerate()} == {ours.canonical_key(a) for a in ours.enumerate()}
    assert len({theirs.canonical_key(a) for a in theirs.enumerate()}) == networks
    rng = np.random.default_rng(0)
    assert all(not any(theirs.sample(rng).layers[0][m:]) for _ in range(200))


def test_an_encoding_beyond_the_first_m_nodes_is_refused_in_one_line():
    space = get_space("S4", 2, first_m=True)
    with pytest.raises(ArchError, match="beyond the first 2"):
        space.validate(parse_arch("S4:0012"))
    assert space.validate(parse_arch("S4:3200")).to_string() == "S4:3200"
    with pytest.raises(ArchError, match="no node positions"):
        get_space("S1", 2, first_m=True)


def test_reference_choices_are_encodings_of_the_first_m_space():
    space = get_space("S4", 3, first_m=True)
    choices, _ = reference_choices(3, 1000, 0)
    assert {c.arch(space).to_string() for c in choices} == {a.to_string() for a in space.enumerate()}


def test_the_supernet_trains_only_first_m_paths():
    from mixpath_bench.models import build_network

    net = build_network(dict(type="S4Supernet", m=2, first_m_positions=True, stem_channels=4, num_stacks=1,
                             cells_per_stack=1))
    assert net.space.size() == 15
    with pytest.raises(Exception, match="first_m_positions must be True or False"):
        build_network(dict(type="S4Supernet", m=2, first_m_positions="yes"))
