"""S5, DARTS' cell space with multi-path edges: encoding, sizes, identity, variation, genotypes."""
from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from mixpath_bench.spaces import (Arch, ArchError, DartsCellLayer, Genotype, arch_to_genotype, get_space,
                                  genotype_to_arch, parse_arch)

# cnn/genotypes.py of github.com/quark0/darts at f276dd346a09ae3160f8e3aca5c7b193fda1da37 (data only)
DARTS_V2 = Genotype(
    normal=[("sep_conv_3x3", 0), ("sep_conv_3x3", 1), ("sep_conv_3x3", 0), ("sep_conv_3x3", 1),
            ("sep_conv_3x3", 1), ("skip_connect", 0), ("skip_connect", 0), ("dil_conv_3x3", 2)],
    normal_concat=[2, 3, 4, 5],
    reduce=[("max_pool_3x3", 0), ("max_pool_3x3", 1), ("skip_connect", 2), ("max_pool_3x3", 1),
            ("max_pool_3x3", 0), ("skip_connect", 2), ("skip_connect", 2), ("max_pool_3x3", 1)],
    reduce_concat=[2, 3, 4, 5])
DARTS_V2_ARCH = "S5:04-14-04-14-14-03-03-26-01-11-23-11-01-23-23-11"


def test_darts_v2_round_trips_unchanged():
    arch = genotype_to_arch(DARTS_V2)
    assert arch.to_string() == DARTS_V2_ARCH and parse_arch(DARTS_V2_ARCH, m=1) == arch
    assert arch_to_genotype(arch) == DARTS_V2 and arch_to_genotype(DARTS_V2_ARCH) == DARTS_V2
    assert genotype_to_arch(tuple(DARTS_V2)) == arch  # any 4-sequence in DARTS' field order


def test_genotype_refusals_are_one_line():
    multi = DARTS_V2_ARCH.replace("S5:04-", "S5:045-", 1)
    cases = [
        (lambda: arch_to_genotype(multi), r"has no DARTS genotype: normal cell edge 0 sums 2 operations"),
        (lambda: genotype_to_arch(DARTS_V2._replace(reduce_concat=[4, 5])), r"reduce_concat is \[4, 5\]"),
        (lambda: genotype_to_arch(DARTS_V2._replace(normal=[("sep_conv_7x7", 0)] + DARTS_V2.normal[1:])),
         "names operation 'sep_conv_7x7'"),
        (lambda: genotype_to_arch(DARTS_V2._replace(normal=DARTS_V2.normal[:7])),
         "genotype normal has 7 .* a cell has 8: exactly two per node"),  # a node with one input
        (lambda: genotype_to_arch(DARTS_V2._replace(reduce=DARTS_V2.reduce + [("skip_connect", 1)])),
         "genotype reduce has 9 "),  # a node with three inputs
        (lambda: genotype_to_arch(DARTS_V2._replace(normal=[("sep_conv_3x3", 5)] + DARTS_V2.normal[1:])),
         "edge 0: node 0 takes inputs 0..1, got input 5"),  # an input index out of range
        (lambda: genotype_to_arch(DARTS_V2._replace(normal=[("sep_conv_3x3", -1)] + DARTS_V2.normal[1:])),
         "node 0 takes inputs 0..1, got input -1"),
        (lambda: genotype_to_arch(DARTS_V2._replace(normal=[("sep_conv_3x3", "0")] + DARTS_V2.normal[1:])),
         r"pair 0 \(node 0\) must be \(operation name, input index\)"),
        (lambda: genotype_to_arch(DARTS_V2._replace(normal=[("sep_conv_3x3",)] + DARTS_V2.normal[1:])),
         "pair 0 .* must be"),
        (lambda: genotype_to_arch(DARTS_V2._replace(normal="sep_conv_3x3")), "normal has no list of"),
        (lambda: genotype_to_arch([1, 2]), "a DARTS genotype is"),
    ]
    for call, message in cases:
        with pytest.raises(ArchError, match=message) as info:
            call()
        assert "\n" not in str(info.value)


@pytest.mark.parametrize("text, m, message", [
    ("S5:08-14-04-14-14-03-03-26-01-11-23-11-01-23-23-11", 3, "normal cell edge 0 names an unknown operation"),
    ("S5:04-14-04-14-14-03-03-26-01-11-23-11-01-23-23-61", 3, "reduce cell edge 7: node 3 takes inputs 0..4, got input 6"),
    ("S5:04-14-34-14-14-03-03-26-01-11-23-11-01-23-23-11", 3, "edge 2: node 1 takes inputs 0..2, got input 3"),
    ("S5:04-14-04-14-14-03-03-26-01-11-23-11-01-23-23", 3, "has 15 layers; S5 has 16 .*exactly 2 input edges"),
    ("S5:04-14-04-14-14-03-03-26-01-11-23-11-01-23-23-11-11", 3, "has 17 layers; S5 has 16"),
    ("S5:04-04-04-14-14-03-03-26-01-11-23-11-01-23-23-11", 3, "node 0 takes input 0 twice"),
    ("S5:0-14-04-14-14-03-03-26-01-11-23-11-01-23-23-11", 3, "edge 0 .* has no operation"),
    ("S5:054-14-04-14-14-03-03-26-01-11-23-11-01-23-23-11", 3, "distinct operations in increasing order"),
    ("S5:045-14-04-14-14-03-03-26-01-11-23-11-01-23-23-11", 1, r"edge 0 sums 2 operations; this space allows 1\.\.1 \(m=1\)"),
    ("S5:01234-14-04-14-14-03-03-26-01-11-23-11-01-23-23-11", None, r"sums 4 operations; this space allows 1\.\.3"),
])
def test_validation_names_the_mistake_in_one_line(text, m, message):
    with pytest.raises(ArchError, match=message) as info:
        parse_arch(text, m=m)
    assert "\n" not in str(info.value)


def test_m1_size_is_dartss_count_of_cells():
    """DARTS (Liu et al. 2019, sec. 2.4): each discretised cell allows prod_{k=1..4} (k+1)k/2 x 7^2
    ~ 1e9 DAGs; a network is a normal and a reduction cell."""
    darts_cells = math.prod((k + 1) * k // 2 * 7**2 for k in range(1, 5))
    assert darts_cells == 1_037_664_180
    s5 = get_space("S5", 1)
    assert s5.num_networks() == darts_cells**2
    assert s5.size() == (darts_cells * 2**4) ** 2  # each node's two inputs in either order


def test_sizes_per_m():
    ops_per_edge = {m: sum(math.comb(7, k) for k in range(1, m + 1)) for m in range(1, 8)}
    assert [ops_per_edge[m] for m in (1, 2, 3, 7)] == [7, 28, 63, 127]
    for m, n in ops_per_edge.items():
        cell = (1 * 3 * 6 * 10) * n**8
        assert get_space("S5", m).num_networks() == cell**2
    assert get_space("S5").m == 3 and get_space("S5").num_networks() == (180 * 63**8) ** 2


@pytest.mark.parametrize("nodes, ops, m", [(2, 3, 1), (2, 3, 2), (3, 2, 2), (2, 2, 2)])
def test_counts_by_brute_force_on_small_cells(nodes, ops, m):
    """A small cell of the same kind: every encoding listed, networks counted by a graph identity
    written here (each node's multiset of (input, op set) pairs), and by the kind's closed forms."""
    kind = DartsCellLayer(m, nodes=nodes, ops=ops)
    subsets = [c for k in range(1, m + 1) for c in itertools.combinations(range(1, ops + 1), k)]
    raw = [edges for edges in itertools.product(
        *[[(i, *s) for i in range(j + 2) for s in subsets] for j in range(nodes) for _ in range(2)])]
    valid = [c for c in raw if kind.check(c) is None]
    graphs = {tuple(frozenset(c[2 * j: 2 * j + 2]) for j in range(nodes)) for c in valid}
    assert sorted(valid) == sorted(kind.options()) and len(valid) == kind.count()
    assert len(graphs) == kind.count_networks() == len({kind.key(c) for c in valid})


def test_sampling_identity_vectors_and_variation():
    rng = np.random.default_rng(0)
    for m in (1, 3):
        space = get_space("S5", m)
        for _ in range(30):
            arch = space.sample(rng)
            assert space.validate(arch) is arch and len(arch.layers) == 16
            assert all(1 <= k <= m for k in space.num_active(arch)) and len(space.num_active(arch)) == 16
            assert space.from_vector(space.to_vector(arch)) == arch and len(space.to_vector(arch)) == 8
            assert space.canonical(space.canonical(arch)) == space.canonical(arch)
            neighbours = space.neighbours(arch)
            assert neighbours and all(space.validate(b) for b in neighbours)
            assert all(space.canonical_key(b) != space.canonical_key(arch) for b in neighbours)
            assert space.validate(space.mutate(arch, rng, 0.5)) and space.validate(space.mutate(arch, rng, 1.0, "redraw"))
            c, d = space.crossover(arch, space.sample(rng), rng)
            assert space.validate(c) and space.validate(d)


def test_a_nodes_input_order_is_one_network_its_ops_a_set():
    space = get_space("S5")
    a = parse_arch(DARTS_V2_ARCH)
    swapped = Arch("S5", (a.layers[1], a.layers[0]) + a.layers[2:])
    assert swapped != a and space.canonical_key(swapped) == space.canonical_key(a)
    assert space.canonical(a) == space.canonical(swapped)
    other_op = Arch("S5", ((0, 5),) + a.layers[1:])
    assert space.canonical_key(other_op) != space.canonical_key(a)
    assert space.describe(a) == "N: 5 sep3 2 skip 1 dil3 | R: 5 max 3 skip"  # DARTS_V2's cells, counted by hand
    assert space.describe("S5:0345-147-04-14-14-03-03-26-01-11-23-11-01-23-23-11").startswith("N: 5 sep3 3 skip 1 sep5 1 dil3 1 dil5 |")
    with pytest.raises(ValueError, match="too many"):
        space.enumerate()
