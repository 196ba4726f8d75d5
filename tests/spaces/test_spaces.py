import collections
import json

import numpy as np
import pytest

from mixpath_bench.spaces import Arch, ArchError, get_space, parse_arch, subset_count


@pytest.mark.parametrize("name,m,choices", [("S1", 1, 8), ("S1", 2, 36), ("S1", 3, 92), ("S1", 4, 162),
                                            ("S2", 2, 10), ("S3", 1, 256), ("S4", 4, 255)])
def test_layer_choices_match_supplementary_table_1(name, m, choices):
    assert get_space(name, m).layer_choices() == choices


def test_space_sizes():
    assert get_space("S1", 4).size() == 162**12
    assert get_space("S2").size() == 10**18
    assert get_space("S3").size() == 256**18
    assert get_space("S4").size() == 255
    assert subset_count(8, 3) == 92


@pytest.mark.parametrize("name,m", [("S1", 1), ("S1", 3), ("S2", 2), ("S3", 1), ("S4", 2), ("S4", 4)])
def test_samples_are_valid_and_deterministic(name, m):
    space = get_space(name, m)
    a = [space.sample(np.random.default_rng(7)) for _ in range(2)]
    assert a[0] == a[1]
    rng = np.random.default_rng(0)
    for _ in range(200):
        space.validate(space.sample(rng))


def test_sampling_draws_k_uniformly_then_k_distinct():
    space = get_space("S1", 4)
    rng = np.random.default_rng(0)
    counts = collections.Counter(len(space.kind.sample(rng)) for _ in range(8000))
    for k in range(1, 5):
        assert abs(counts[k] / 8000 - 0.25) < 0.03
    cands = collections.Counter(i for _ in range(4000) for i in space.kind.sample(rng))
    assert max(cands.values()) / min(cands.values()) < 1.15


def test_string_and_json_round_trip():
    rng = np.random.default_rng(1)
    for name in ("S1", "S2", "S3", "S4"):
        arch = get_space(name).sample(rng)
        assert parse_arch(arch.to_string()) == arch
        assert Arch.from_json(json.loads(json.dumps(arch.to_json()))) == arch
        assert parse_arch(json.dumps(arch.to_json())) == arch
        assert hash(arch) == hash(parse_arch(str(arch)))


@pytest.mark.parametrize("text,fragment", [
    ("1203", "lacks the space prefix"),
    ("S9:1203", "unknown search space"),
    ("S4:12a3", "layer 0 is '12a3'"),
    ("S4:0000", "layer 0 (0000) has 0 nodes on"),
    ("S4:1204", "layer 0 (1204) names an operation outside 0..3"),
    ("S4:12", "layer 0 (12) has 2 nodes"),
    ("S1:0-1-2-3", "has 4 layers; S1 has 12"),
    ("S1:0-1-2-3-4-5-6-7-0-1-2-8", "layer 11 (8) names candidate(s) outside 0..7"),
    ("S1:0-1-2-3-4-5-6-7-0-1-2-10", "layer 11 (10) must list distinct candidates in increasing order"),
    ("S1:0-1-2-3-4-5-6-7-0-1-2-", "layer 11 is ''"),
])
def test_malformed_strings_fail_with_position(text, fragment):
    with pytest.raises(ArchError) as err:
        parse_arch(text)
    assert fragment in str(err.value)


def test_m_limits_active_paths():
    with pytest.raises(ArchError, match="allowed 1..2"):
        get_space("S1", 2).parse("S1:012-0-0-0-0-0-0-0-0-0-0-0")
    with pytest.raises(ArchError, match="allows m in 1..4"):
        get_space("S4", 5)


def test_mutation_and_crossover_stay_in_space():
    space = get_space("S1", 3)
    rng = np.random.default_rng(3)
    a, b = space.sample(rng), space.sample(rng)
    assert space.mutate(a, rng, 0.0) == a
    for operator in ("local", "redraw"):
        changed = space.mutate(a, rng, 1.0, operator)
        space.validate(changed)
    changed = space.mutate(a, rng, 1.0)  # local: every layer takes one move, so every layer differs
    assert all(x != y for x, y in zip(changed.layers, a.layers))
    c, d = space.crossover(a, b, rng)
    for x, y, u, v in zip(c.layers, d.layers, a.layers, b.layers):
        assert {x, y} == {u, v}
    assert c != a and d != b  # 12 layers: some were exchanged
    with pytest.raises(ArchError, match="unknown mutation operator"):
        space.mutate(a, rng, 1.0, "flip")


def test_s4_mutation_changes_exactly_one_node_and_never_all_off():
    space = get_space("S4")
    rng = np.random.default_rng(0)
    for parent in space.enumerate():
        for _ in range(4):
            child = space.mutate(parent, rng, 1.0)
            space.validate(child)
            assert sum(x != y for x, y in zip(child.layers[0], parent.layers[0])) == 1
            assert space.canonical_key(child) != space.canonical_key(parent)  # another network
    # every single-node change is reachable: 4 positions x 3 other values, minus all-off
    assert len(space.neighbours(space.parse("S4:2200"))) == 12
    assert len(space.neighbours(space.parse("S4:1000"))) == 2 + 3 * 3


def test_s4_crossover_exchanges_node_positions():
    space = get_space("S4")
    a, b = space.parse("S4:1200"), space.parse("S4:0033")
    rng = np.random.default_rng(0)
    children = set()
    for _ in range(200):
        c, d = space.crossover(a, b, rng)
        space.validate(c), space.validate(d)
        for x, y, u, v in zip(c.layers[0], d.layers[0], a.layers[0], b.layers[0]):
            assert {x, y} == {u, v}  # each position comes from one parent, the other child gets the other
        children |= {c.to_string(), d.to_string()}
    assert {"S4:0200", "S4:1203", "S4:0230", "S4:1033", "S4:0003"} <= children
    assert not {"S4:0000", "S4:1233"} & children  # the all-off sibling of 1233 is invalid: that mask is redrawn


def test_subset_layer_local_moves():
    kind = get_space("S1", 3).kind
    moves = kind.moves((0, 5))
    assert len(moves["swap"]) == 2 * 6 and len(moves["add"]) == 6 and len(moves["drop"]) == 2
    assert all(len(set(v) ^ {0, 5}) == 2 and len(v) == 2 for v in moves["swap"])
    assert all(set(v) > {0, 5} and len(v) == 3 for v in moves["add"])
    assert sorted(moves["drop"]) == [(0,), (5,)]
    assert kind.moves((0, 1, 2))["add"] == [] and kind.moves((4,))["drop"] == []  # within 1..m
    for values in kind.moves((1, 4, 7)).values():
        assert all(kind.check(v) is None for v in values)


def test_group_kernel_layer_moves_change_one_group():
    kind = get_space("S3").kind
    moves = kind.moves((0, 1, 2, 3))["kernel"]
    assert len(moves) == 4 * 3 and all(sum(x != y for x, y in zip(v, (0, 1, 2, 3))) == 1 for v in moves)


def test_canonical_key_counts_networks():
    s4 = get_space("S4")
    assert len({s4.canonical_key(a) for a in s4.enumerate()}) == s4.num_networks() == 34
    assert len({s4.canonical(a) for a in s4.enumerate()}) == 34
    assert s4.canonical_key(s4.parse("S4:1200")) == s4.canonical_key(s4.parse("S4:0021"))
    assert s4.canonical(s4.parse("S4:0102")) == s4.parse("S4:2100")
    assert get_space("S4", 2).num_networks() == 3 + 6
    s1 = get_space("S1", 2)
    a = s1.sample(np.random.default_rng(0))
    assert s1.canonical_key(a) == a.to_string() and s1.canonical(a) == a and s1.num_networks() == 36 ** 12


def test_vector_round_trip():
    space = get_space("S2")
    arch = space.sample(np.random.default_rng(0))
    vec = space.to_vector(arch)
    assert vec.shape == (18,) and space.from_vector(vec) == arch
