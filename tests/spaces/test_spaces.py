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
    changed = space.mutate(a, rng, 1.0)
    space.validate(changed)
    c, d = space.crossover(a, b, rng)
    for x, y, u, v in zip(c.layers, d.layers, a.layers, b.layers):
        assert {x, y} == {u, v}


def test_vector_round_trip():
    space = get_space("S2")
    arch = space.sample(np.random.default_rng(0))
    vec = space.to_vector(arch)
    assert vec.shape == (18,) and space.from_vector(vec) == arch
