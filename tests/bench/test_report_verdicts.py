"""Report verdicts say what their numbers support: Table 2's "clearly" comes from the paired interval of the
per-seed differences (Welch's t-test where the runs share fewer than two seeds; never from touching mean +- std
ranges), and the m-sweep text names a control only when m = 1 ran."""
import pytest

from mixpath_bench.pipeline.stages.table2 import paired_interval, search_verdict, welch_p


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


def rows(method, accs, seeds=(0, 1, 2)):
    return [{"method": method, "seed": s, "truth_acc": a} for s, a in zip(seeds, accs)]


def test_paired_interval_by_hand():
    # differences 1.0, 1.2, 0.8: mean 1.0, sd 0.2, t(0.975, 2) = 4.303 -> half-width 4.303 * 0.2 / sqrt(3) = 0.497
    r = rows("a", [91.0, 88.2, 93.8]) + rows("b", [90.0, 87.0, 93.0])
    low, high, n = paired_interval(r, "a", "b")
    assert n == 3 and low == pytest.approx(1.0 - 0.4969, abs=1e-3) and high == pytest.approx(1.0 + 0.4969, abs=1e-3)
    assert paired_interval(rows("a", [91.0], (0,)) + rows("b", [90.0], (0,)), "a", "b") is None
    assert paired_interval(rows("a", [91.0, 92.0], (0, 1)) + rows("b", [90.0, 89.0], (2, 3)), "a", "b") is None


def test_a_consistent_per_seed_gain_is_clear_though_the_ranges_overlap():
    """Seeds move both searchers together (88-94%): unpaired, +1 pp is noise (Welch p = 0.7); paired, every seed
    gains about 1 pp and the interval excludes zero."""
    mix, darts = [91.0, 88.2, 93.8], [90.0, 87.0, 93.0]
    summ = {"nsga2": summary(sum(mix) / 3, 2.8, 3), "DARTS": summary(sum(darts) / 3, 3.0, 3, "darts")}
    assert welch_p(summ["nsga2"], summ["DARTS"]) > 0.5
    text = search_verdict(summ, rows("nsga2", mix) + rows("DARTS", darts))
    assert "1 of 1 supernet searches ended clearly above DARTS" in text and "paired over 3 seeds: [+0.50, +1.50]" in text
    mixed = [91.0, 86.0, 95.0]  # differences +1, -1, +2: the interval holds zero
    text = search_verdict(summ, rows("nsga2", mixed) + rows("DARTS", darts))
    assert "0 of 1 supernet searches ended clearly above DARTS, 0 clearly below" in text


ONE_DARTS = ("**1 of 2 supernet searches ended clearly above DARTS, 0 clearly below** (the 95% interval of the "
             "per-seed difference excludes zero; Welch's t-test, p < 0.05, where the runs share fewer than two seeds): "
             "DARTS 80.00; nsga2 95.00 (+15.00 pp, Welch p 0.000); evolution 90.00 (+10.00 pp, Welch p n/a (one run)). "
             "The paper's Table 2 has MixPath 14.8 pp above DARTS (94.22 +- 0.06 vs 79.42 +- 0.23); this run agrees "
             "with that direction.")


def test_one_searcher_that_trains_its_weights_keeps_the_report_text():
    """The text the demo report shows (pinned as written before several such searchers were allowed)."""
    summ = {"nsga2": summary(95.0, 0.1, 3), "evolution": summary(90.0, 0.5, 1), "DARTS": summary(80.0, 0.2, 3, "darts")}
    assert search_verdict(summ) == ONE_DARTS


def test_every_supernet_search_against_every_searcher_that_trains_its_weights():
    """Two searchers that train their own weights: one verdict part each, every supernet searcher in both."""
    summ = {"nsga2": summary(95.0, 0.1, 3), "evolution": summary(90.0, 0.5, 1),
            "DARTS": summary(80.0, 0.2, 3, "darts"), "DARTS (second-order)": summary(96.0, 0.1, 3, "darts"),
            "ENAS": summary(85.0, 0.3, 3, "enas")}
    text = search_verdict(summ)
    parts = text.split(". The paper's Table 2")[0].split("**")[1::2]
    assert parts == ["1 of 2 supernet searches ended clearly above DARTS, 0 clearly below",
                     "0 of 2 supernet searches ended clearly above DARTS (second-order), 1 clearly below",
                     "1 of 2 supernet searches ended clearly above ENAS, 0 clearly below"]
    assert "DARTS (second-order) 96.00; nsga2 95.00 (-1.00 pp, Welch p " in text
    assert "ENAS 85.00; nsga2 95.00 (+10.00 pp, Welch p" in text and "evolution 90.00 (+5.00 pp" in text
    assert text.startswith(ONE_DARTS.split(". The paper's")[0] + ". **0 of 2")
    assert text.endswith("this run is mixed.")  # clearly above one, clearly below another
    without = {k: v for k, v in summ.items() if k != "DARTS (second-order)"}
    assert search_verdict(without).endswith("this run agrees with that direction.")
    assert search_verdict({k: v for k, v in summ.items() if v["family"] != "supernet"}).startswith("Table 2 needs both")


def test_paired_seeds_per_searcher_that_trains_its_weights():
    """Each comparison pairs the seeds of its own two methods."""
    mix, darts, enas = [91.0, 88.2, 93.8], [90.0, 87.0, 93.0], [92.0, 89.0, 95.0]
    summ = {"nsga2": summary(sum(mix) / 3, 2.8, 3), "DARTS": summary(sum(darts) / 3, 3.0, 3, "darts"),
            "ENAS": summary(sum(enas) / 3, 3.0, 3, "enas")}
    text = search_verdict(summ, rows("nsga2", mix) + rows("DARTS", darts) + rows("ENAS", enas))
    assert "1 of 1 supernet searches ended clearly above DARTS" in text
    assert "paired over 3 seeds: [+0.50, +1.50]" in text
    assert "0 of 1 supernet searches ended clearly above ENAS, 1 clearly below" in text
    assert text.endswith("this run is mixed.")
