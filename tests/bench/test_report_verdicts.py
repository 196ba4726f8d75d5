"""Report verdicts say what their numbers support: Table 2's "clearly" comes from a Welch t-test over the
runs (not from touching mean +- std ranges), and the m-sweep text names a control only when m = 1 ran."""
import pytest

from mixpath_bench.pipeline.stages.table2 import search_verdict, welch_p


def summary(mean, std, runs, family="supernet"):
    return {"mean": mean, "std": std, "runs": runs, "family": family}


def test_welch_p_by_hand():
    # equal variances and sizes: t = 1 / sqrt(0.25/3 * 2) = 2.449, df = 4 -> p = 0.0704
    assert welch_p(summary(91.0, 0.5, 3), summary(90.0, 0.5, 3)) == pytest.approx(0.0704, abs=2e-4)
    assert welch_p(summary(91.0, 0.5, 1), summary(90.0, 0.5, 3)) is None
    assert welch_p(summary(83.15, 0.0, 3), summary(87.28, 0.0, 3)) == 0.0


def test_ranges_that_just_miss_each_other_are_not_clearly_apart():
    # mean +- std: [90.02, 91.02] and [89.00, 90.00] are 0.02 pp apart; with three runs each that is p = 0.07
    text = search_verdict({"nsga2": summary(90.52, 0.5, 3), "DARTS": summary(89.5, 0.5, 3, "darts")})
    assert "0 of 1 supernet searches ended clearly above DARTS, 0 clearly below" in text
    text = search_verdict({"nsga2": summary(95.0, 0.1, 3), "DARTS": summary(80.0, 0.2, 3, "darts")})
    assert "1 of 1 supernet searches ended clearly above" in text and "agrees with that direction" in text
