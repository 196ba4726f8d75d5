import numpy as np

from mixpath_bench.spaces import Arch, get_space, graph_hash, prune, s4_canonical, s4_hash, s4_spec, s4_unique_archs
from mixpath_bench.spaces.nasbench import ModelSpec


def test_255_encodings_are_34_unique_architectures():
    groups = s4_unique_archs()
    assert sum(len(g) for g in groups.values()) == 255
    assert len(groups) == 34
    sizes = sorted(len({s4_canonical(a) for a in g}) for g in groups.values())
    assert sizes == [1] * 34  # hash classes == op multisets
    # 1..4 ops chosen with repetition from 3: 3 + 6 + 10 + 15
    assert sorted(collections_count(groups)) == [1] * 3 + [2] * 6 + [3] * 10 + [4] * 15


def collections_count(groups):
    return [sum(v > 0 for v in g[0].layers[0]) for g in groups.values()]


def test_pruned_spec_drops_off_nodes():
    spec = s4_spec(Arch("S4", ((0, 2, 0, 3),)))
    assert spec.ops == ("input", "conv3x3-bn-relu", "maxpool3x3", "conv1x1-bn-relu", "output")
    assert spec.matrix == ((0, 1, 1, 0, 0), (0, 0, 0, 1, 0), (0, 0, 0, 1, 0), (0, 0, 0, 0, 1), (0, 0, 0, 0, 0))


def test_hash_is_invariant_to_vertex_permutation():
    rng = np.random.default_rng(0)
    for _ in range(50):
        n = int(rng.integers(3, 9))
        matrix = np.triu(rng.integers(0, 2, (n, n)), 1)
        labels = [int(v) for v in rng.integers(0, 3, n)]
        perm = rng.permutation(n)
        pm = matrix[np.ix_(perm, perm)]
        assert graph_hash(matrix, labels) == graph_hash(pm, [labels[i] for i in perm])


def test_hash_distinguishes_ops_and_matches_symmetric_encodings():
    assert s4_hash(Arch("S4", ((1, 0, 0, 0),))) == s4_hash(Arch("S4", ((0, 0, 0, 1),))) is not None
    assert s4_hash(Arch("S4", ((1, 0, 0, 0),))) != s4_hash(Arch("S4", ((2, 0, 0, 0),)))
    assert s4_hash(Arch("S4", ((1, 2, 0, 0),))) == s4_hash(Arch("S4", ((0, 2, 1, 0),)))


def test_prune_removes_dangling_vertex():
    full = ModelSpec(((0, 1, 1, 0), (0, 0, 0, 1), (0, 0, 0, 0), (0, 0, 0, 0)),
                     ("input", "conv3x3-bn-relu", "maxpool3x3", "output"))
    pruned = prune(full)
    assert pruned.ops == ("input", "conv3x3-bn-relu", "output")


def test_enumerate_respects_m():
    assert len(get_space("S4", 1).enumerate()) == 12
    assert len(s4_unique_archs(m=1)) == 3
