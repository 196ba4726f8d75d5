import numpy as np
import pytest

from mixpath_bench.search import (binary_tournament, equispaced_picks, non_dominated_fronts, select_survivors,
                                  weighted_crowding_distance)


def test_weighted_crowding_by_hand():
    F = np.array([[0.0, 4.0], [1.0, 3.0], [2.0, 1.0], [4.0, 0.0]])
    # objective 0 span 4: point1 gap (2-0)/4=0.5, point2 (4-1)/4=0.75
    # objective 1 span 4: point1 gap (4-1)/4=0.75, point2 (3-0)/4=0.75
    d = weighted_crowding_distance(F, np.array([2.0, 1.0]))
    assert np.isinf(d[0]) and np.isinf(d[3])
    assert d[1] == pytest.approx(2 * 0.5 + 0.75)
    assert d[2] == pytest.approx(2 * 0.75 + 0.75)
    d0 = weighted_crowding_distance(F, np.array([0.0, 1.0]))
    assert d0[1] == pytest.approx(0.75) and np.isinf(d0[0])


def test_unweighted_matches_pymoo():
    from pymoo.operators.survival.rank_and_crowding.metrics import calc_crowding_distance

    rng = np.random.default_rng(0)
    F = rng.random((12, 3))
    ours = weighted_crowding_distance(F, np.ones(3))
    ref = calc_crowding_distance(F)
    finite = np.isfinite(ref)
    # pymoo divides by the number of objectives
    np.testing.assert_allclose(ours[finite] / 3, ref[finite])
    assert (np.isinf(ours) == ~finite).all()


def test_survivors_take_fronts_then_crowding():
    F = np.array([[0, 3], [1, 2], [2, 1], [3, 0], [1.5, 1.5], [3, 3], [4, 4]], dtype=float)
    fronts = non_dominated_fronts(F)
    assert sorted(fronts[0].tolist()) == [0, 1, 2, 3, 4]
    chosen = select_survivors(F, 4, np.ones(2))
    assert set(chosen.tolist()) <= set(fronts[0].tolist()) and {0, 3} <= set(chosen.tolist())
    assert len(select_survivors(F, 6, np.ones(2))) == 6 and 5 in select_survivors(F, 6, np.ones(2))


def test_tournament_prefers_rank_then_crowding():
    rng = np.random.default_rng(0)
    # the worse-ranked individual wins only when drawn twice (probability 1/4)
    wins = [binary_tournament(np.array([0, 1]), np.array([0.0, 0.0]), rng) for _ in range(2000)]
    assert 0.2 < wins.count(1) / 2000 < 0.3
    # equal rank: the larger crowding distance wins unless the other one is drawn twice
    wins = [binary_tournament(np.array([0, 0]), np.array([0.1, 5.0]), rng) for _ in range(2000)]
    assert 0.2 < wins.count(0) / 2000 < 0.3


def test_equispaced_picks():
    F = np.stack([np.zeros(11), np.arange(11.0) ** 2], axis=1)  # values 0,1,4,...,100
    picks = equispaced_picks(F, 3)
    assert F[picks, 1].tolist() == [0.0, 49.0, 100.0]
    assert len(equispaced_picks(F[:2], 5)) == 2
