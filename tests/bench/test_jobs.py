"""tools/search.py and tools/rank.py end to end on a tiny supernet trained for 2 epochs on CPU."""
import json
import subprocess
import sys

import numpy as np
import pytest
from scipy import stats

from mixpath_bench.spaces import get_space, parse_arch, s4_canonical, s4_hash, s4_unique_archs

from ..conftest import ROOT
from .nb101_fixture import write_tfrecord

SMALL_SEARCH = ["searchers.nsga2.population=4", "searchers.nsga2.generations=2", "searchers.evolution.budget=8",
                "searchers.evolution.population=4", "searchers.evolution.sample_size=2", "evaluator.calib_batches=1"]


def run(tool, *args):
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / tool), *map(str, args)], capture_output=True,
                          text=True, timeout=600, cwd=ROOT)
    return proc


def test_search_cli_end_to_end_and_resume(tiny_supernet, tiny_supernet_bn, tmp_path):
    args = ["configs/search/s4_mnist5k.py", tiny_supernet, "--work-dir", tmp_path,
            "--cfg-options", *SMALL_SEARCH]
    proc = run("search.py", *args)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads((tmp_path / "pareto.json").read_text())
    assert (tmp_path / "pareto.png").stat().st_size > 10_000
    found = result["searchers"]
    assert list(found) == ["nsga2", "random", "evolution", "local"]
    assert result["space"] == "S4" and len(found["nsga2"]["picks"]) == 4  # 4 picks when >= 4 networks were seen
    budget = found["nsga2"]["evaluations"]
    assert found["random"]["evaluations"] == found["local"]["evaluations"] == budget  # NSGA-II's budget
    assert found["evolution"]["evaluations"] == 8
    space = get_space("S4")
    for name, res in found.items():  # budgets count networks: no network twice in any history
        keys = [space.canonical_key(parse_arch(h["arch"])) for h in res["history"]]
        assert len(keys) == len(set(keys)) == res["evaluations"], name
        assert res["cost_seconds"] == pytest.approx(sum(h["seconds"] for h in res["history"]))
    prov = result["provenance"]
    assert prov["git_commit"] and prov["packages"]["torch"] and prov["device"] and prov["config"]["searchers"]
    for pick in found["nsga2"]["picks"]:
        assert {"arch", "key", "acc", "acc_uncalibrated", "madds", "params", "seconds"} <= set(pick)
    again = run("search.py", *args[:-len(SMALL_SEARCH) - 1], "--resume", "--cfg-options", *SMALL_SEARCH)
    assert again.returncode == 0, again.stderr[-3000:]
    assert json.loads((tmp_path / "pareto.json").read_text())["searchers"] == found
    # resuming with another supernet would reuse evaluations that do not apply to it
    other = run("search.py", "configs/search/s4_mnist5k.py", tiny_supernet_bn, "--work-dir", tmp_path,
                "--resume", "--cfg-options", *SMALL_SEARCH)
    assert other.returncode == 2 and "was searched with another checkpoint" in other.stderr
    assert json.loads((tmp_path / "pareto.json").read_text())["searchers"] == found


def test_search_config_mistakes(tiny_supernet, tmp_path):
    from mixpath_bench.errors import UserError
    from mixpath_bench.pipeline.search_job import load_search_config

    proc = run("search.py", "configs/search/s4_mnist5k.py", tiny_supernet, "--work-dir", tmp_path,
               "--cfg-options", "searchers.nsga2.populaton=4")  # the tool: one line, status 2
    assert proc.returncode == 2 and "searchers.nsga2: unknown key(s) populaton" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    proc = run("search.py", "configs/search/s4_mnist5k.py", tmp_path / "none.pth")
    assert proc.returncode == 2 and "does not exist" in proc.stderr
    # searchers that score with a supernet need its checkpoint; DARTS does not (tests/search/test_darts.py)
    proc = run("search.py", "configs/search/s4_mnist5k.py", "--work-dir", tmp_path)
    assert proc.returncode == 2 and "score candidates with a supernet: give its checkpoint" in proc.stderr
    old = tmp_path / "old_darts.py"
    old.write_text("supernet_config = 'configs/supernet/s4_nb101_mnist5k.py'\ndarts = dict(epochs=1)\n")
    # the config's own mistakes, as the tool reads it (in-process: a subprocess each costs seconds)
    for path, options, message in (
            ("configs/search/s4_mnist5k.py", {"searchers.annealing.seed": 0},
             "unknown searcher 'annealing'; registered: darts, evolution, local, nsga2, random"),
            ("configs/darts/s4_mnist5k.py", {"searchers.darts.supernet": "x"},  # supplied by the job, never a config
             "searchers.darts: unknown key(s) supernet"),
            ("configs/darts/s4_mnist5k.py", {"searchers.darts.device": "x"}, "searchers.darts: unknown key(s) device"),
            (old, {}, "config key(s) 'darts' are not read by anything")):  # like any unknown key
        with pytest.raises(UserError) as err:
            load_search_config(ROOT / path if isinstance(path, str) else path, options)
        assert message in str(err.value) and "\n" not in str(err.value)
    assert not (tmp_path / "pareto.json").exists()


def test_rank_cli_compares_sbn_and_bn_against_nasbench101(tiny_supernet, tiny_supernet_bn, tmp_path):
    rng = np.random.default_rng(0)
    rows = [(h, [(0.8 + 0.1 * rng.random(), 0.8)] * 3) for h in s4_unique_archs()]
    tfrecord = write_tfrecord(tmp_path / "nasbench_only108.tfrecord", rows)
    proc = run("rank.py", "configs/supernet/s4_nb101_mnist5k.py", tiny_supernet,
               tiny_supernet_bn, "--truth", tfrecord, "--work-dir", tmp_path / "rank", "--calib-batches", "1")
    assert proc.returncode == 0, proc.stderr[-3000:]
    res = json.loads((tmp_path / "rank" / "rank.json").read_text())
    assert len(res["archs"]) == 34 and len({s4_hash(s4_canonical(__import__("mixpath_bench").spaces.parse_arch(a)))
                                            for a in res["archs"]}) == 34
    assert [c["shadow_bn"] for c in res["checkpoints"]] == [True, False]
    truth = dict(rows)  # the ground truth is the mean of the 3 repeats' validation accuracy, in %
    assert res["truth_acc"] == pytest.approx([100 * truth[s4_hash(s4_canonical(parse_arch(a)))][0][0]
                                              for a in res["archs"]])
    for c in res["checkpoints"]:
        for kind in ("calibrated", "uncalibrated"):
            corr, scores = c["correlation"][kind], c[kind]
            # recomputed from the written scores with scipy (tau-b; NaN only for constant scores)
            assert corr["kendall_tau"] == pytest.approx(stats.kendalltau(scores, res["truth_acc"]).statistic,
                                                        nan_ok=True)
            assert corr["spearman_rho"] == pytest.approx(stats.spearmanr(scores, res["truth_acc"]).statistic,
                                                         nan_ok=True)
            lo, hi = corr["kendall_tau_ci95"]
            assert corr["n"] == len(scores) == 34 and (lo <= hi or np.isnan(corr["kendall_tau"]))
    assert res["truth"] == "nasbench101:val_acc"
    assert (tmp_path / "rank" / "rank.png").is_file()


def test_rank_cli_with_table_and_bad_truth(tiny_supernet, tmp_path):
    table = tmp_path / "truth.csv"
    archs = sorted({s4_canonical(g[0]) for g in s4_unique_archs().values()})
    table.write_text("arch,acc\n" + "".join(f"{a},{50 + i}\n" for i, a in enumerate(archs)))
    proc = run("rank.py", "configs/supernet/s4_nb101_mnist5k.py", tiny_supernet, "--truth", table,
               "--work-dir", tmp_path / "r", "--calib-batches", "1")
    assert proc.returncode == 0, proc.stderr[-3000:]
    proc = run("rank.py", "configs/supernet/s4_nb101_mnist5k.py", tiny_supernet, "--truth",
               tmp_path / "truth.txt", "--work-dir", tmp_path / "r2")
    assert proc.returncode == 2 and "truth.txt' is none of: 'standalone'" in proc.stderr
