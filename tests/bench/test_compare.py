import json
import subprocess
import sys

import pytest

from mixpath_bench.bench.compare import build_table, found_architectures, to_markdown
from mixpath_bench.bench.truth import TableTruth
from mixpath_bench.spaces import s4_canonical, s4_unique_archs

from ..conftest import ROOT


def searched(label, picks, seconds):
    """A pareto.json `SearchResult` entry (only the fields Table 2 reads are meaningful)."""
    return {"searcher": label, "label": label, "picks": picks, "front": picks, "best": max(picks, key=lambda p: p["acc"]),
            "history": picks, "evaluations": len(picks), "cost_seconds": seconds, "extra": {}}


def found_of(files):
    return [row for p in files for row in found_architectures(json.loads(p.read_text()), p)]


@pytest.fixture()
def results(tmp_path):
    archs = sorted({s4_canonical(g[0]).to_string() for g in s4_unique_archs().values()})
    truth = {a: 80.0 + i * 0.3 for i, a in enumerate(archs)}  # distinct values
    (tmp_path / "truth.csv").write_text("arch,acc\n" + "".join(f"{a},{v}\n" for a, v in truth.items()))
    files = []
    for seed, arch in enumerate(["S4:1000", "S4:0010", "S4:1100"]):  # 1000 and 0010 are isomorphic
        p = tmp_path / f"darts{seed}.json"
        pick = {"key": arch, "arch": arch}  # DARTS: its derived architecture, no supernet accuracy
        darts = {"searcher": "darts", "label": "DARTS (first-order)", "picks": [pick], "front": [], "best": pick,
                 "history": [], "evaluations": 0, "cost_seconds": 3600.0 * (seed + 1), "extra": {}}
        p.write_text(json.dumps({"space": "S4", "searchers": {"darts": darts}, "supernet_train_seconds": None,
                                 "provenance": {"device": "cpu", "config": {"searchers": {"darts": {"seed": seed}}}}}))
        files.append(p)
    for seed, arch in enumerate([archs[-1], archs[-1], archs[-2]]):
        p = tmp_path / f"pareto{seed}.json"
        searchers = {
            "nsga2": searched("MixPath NSGA-II (most accurate pick)", [{"arch": "S4:0003", "acc": 1.0},
                                                                       {"arch": "S4:3000", "acc": 2.0}], 600.0),
            "evolution": searched("MixPath evolution", [{"arch": arch, "acc": 90.0}], 1800.0),
            # any registered searcher's result is handled by its label, with no case of its own
            "annealing": searched("simulated annealing", [{"arch": "S4:1100", "acc": 50.0}], 0.0),
        }
        p.write_text(json.dumps({"space": "S4", "searchers": searchers, "search_seconds": 1800.0,
                                 "supernet_train_seconds": 1800.0,
                                 "provenance": {"device": "cpu", "config": {"searchers": {n: {"seed": seed} for n in searchers}}}}))
        files.append(p)
    return files, truth, tmp_path


def test_table2_from_fixture_results(results):
    files, truth, tmp_path = results
    table = build_table(found_of(files), TableTruth(tmp_path / "truth.csv"), with_rank=True)
    darts = table["summary"]["DARTS (first-order)"]
    mix = table["summary"]["MixPath evolution"]
    d_accs = [truth["S4:1000"], truth["S4:1000"], truth["S4:1100"]]
    m_accs = [max(truth.values())] * 2 + [sorted(truth.values())[-2]]
    import numpy as np

    assert darts["mean"] == pytest.approx(np.mean(d_accs)) and darts["std"] == pytest.approx(np.std(d_accs, ddof=1))
    assert mix["mean"] == pytest.approx(np.mean(m_accs)) and mix["search_hours_mean"] == pytest.approx(1.0)
    assert darts["search_hours_mean"] == pytest.approx(2.0)
    ranks = [r["rank_of_34"] for r in table["rows"] if r["method"] == "MixPath evolution"]
    assert ranks == [1, 1, 2]
    nsga = [r for r in table["rows"] if r["method"].startswith("MixPath NSGA-II")]
    assert [r["arch"] for r in nsga] == ["S4:3000"] * 3  # its most accurate pick
    assert table["summary"]["MixPath NSGA-II (most accurate pick)"]["search_hours_mean"] == pytest.approx(2400 / 3600)
    assert table["summary"]["simulated annealing"]["mean"] == pytest.approx(truth["S4:1100"])
    assert {s["family"] for m, s in table["summary"].items()} == {"darts", "supernet"}
    assert [r["seed"] for r in table["rows"]] == [0, 1, 2] + [0] * 3 + [1] * 3 + [2] * 3
    # one row per network: DARTS' S4:0010 is reported as the canonical S4:1000, with its hash
    assert table["rows"][1]["arch"] == "S4:1000" and table["rows"][1]["network"] == table["rows"][0]["network"]
    md = to_markdown(table, optimum=94.29)
    assert "known optimum 94.29%" in md and "| MixPath evolution | 3 |" in md and "rank of 34" in md


def test_old_result_files_are_refused_with_one_line(results, tmp_path):
    _, _, folder = results
    old = tmp_path / "old.json"
    old.write_text(json.dumps({"space": "S4", "nsga2": {"picks": []}}))
    from mixpath_bench.errors import ConfigError

    with pytest.raises(ConfigError, match="older mixpath-bench"):
        found_of([old])
    old.write_text(json.dumps({"method": "darts", "derived_arch": "S4:1000"}))  # a darts.json of before
    with pytest.raises(ConfigError, match="older mixpath-bench"):
        found_of([old])


def test_compare_cli(results):
    files, _, tmp_path = results
    proc = subprocess.run([sys.executable, str(ROOT / "tools/compare.py"), *map(str, files), "--truth",
                           str(tmp_path / "truth.csv"), "--with-rank", "--work-dir", str(tmp_path / "t2")],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (tmp_path / "t2" / "table2.md").read_text() == proc.stdout.rstrip("\n") + "\n"
    assert json.loads((tmp_path / "t2" / "table2.json").read_text())["truth"] == "table:truth.csv"
    bad = subprocess.run([sys.executable, str(ROOT / "tools/compare.py"), str(files[0]), "--truth", "standalone"],
                         capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert bad.returncode == 2 and "--truth standalone needs --config" in bad.stderr


def test_table2_takes_several_searchers_that_train_their_own_weights(results):
    """A second searcher that trains its own weights (registered at run time, a family of its own) is read like
    DARTS, and the verdict sets every supernet searcher against each of the two."""
    from mixpath_bench.pipeline.stages.table2 import search_verdict
    from mixpath_bench.search.registry import SEARCHERS, register_searcher

    files, _, tmp_path = results

    @register_searcher("toy_own_weights")
    class ToyOwnWeights:
        trains_weights, family = True, "toy"

    try:
        extra = []
        for seed, arch in enumerate(["S4:2000", "S4:0200", "S4:2200"]):
            pick = {"key": arch, "arch": arch}
            entry = {"searcher": "toy_own_weights", "label": "toy trainer", "picks": [pick], "front": [], "best": pick,
                     "history": [], "evaluations": 0, "cost_seconds": 60.0, "extra": {}}
            p = tmp_path / f"toy{seed}.json"
            config = {"searchers": {"toy_own_weights": {"seed": seed}}}
            p.write_text(json.dumps({"space": "S4", "searchers": {"toy_own_weights": entry},
                                     "supernet_train_seconds": None, "provenance": {"device": "cpu", "config": config}}))
            extra.append(p)
        table = build_table(found_of(files + extra), TableTruth(tmp_path / "truth.csv"), with_rank=True)
    finally:
        SEARCHERS.pop("toy_own_weights")
    assert {m: s["family"] for m, s in table["summary"].items() if s["family"] != "supernet"} == {
        "DARTS (first-order)": "darts", "toy trainer": "toy"}
    text = search_verdict(table["summary"], table["rows"])
    assert text.count("supernet searches ended clearly above") == 2
    assert " of 3 supernet searches ended clearly above DARTS (first-order), " in text
    assert " of 3 supernet searches ended clearly above toy trainer, " in text
    for method in ("MixPath evolution", "MixPath NSGA-II (most accurate pick)", "simulated annealing"):
        assert text.count(f"; {method} ") == 2  # against each of the two
