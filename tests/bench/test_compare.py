import json
import subprocess
import sys

import pytest

from mixpath_bench.bench.compare import build_table, to_markdown
from mixpath_bench.bench.truth import TableTruth
from mixpath_bench.spaces import s4_canonical, s4_unique_archs

from ..conftest import ROOT


@pytest.fixture()
def results(tmp_path):
    archs = sorted({s4_canonical(g[0]).to_string() for g in s4_unique_archs().values()})
    truth = {a: 80.0 + i * 0.3 for i, a in enumerate(archs)}  # distinct values
    (tmp_path / "truth.csv").write_text("arch,acc\n" + "".join(f"{a},{v}\n" for a, v in truth.items()))
    files = []
    for seed, arch in enumerate(["S4:1000", "S4:0010", "S4:1100"]):  # 1000 and 0010 are isomorphic
        p = tmp_path / f"darts{seed}.json"
        p.write_text(json.dumps({"method": "darts", "order": "first", "seed": seed, "derived_arch": arch,
                                 "search_seconds": 3600.0 * (seed + 1), "provenance": {"device": "cpu"}}))
        files.append(p)
    for seed, arch in enumerate([archs[-1], archs[-1], archs[-2]]):
        p = tmp_path / f"pareto{seed}.json"
        p.write_text(json.dumps({"space": "S4", "nsga2": {"picks": [{"arch": "S4:3000", "acc": 1.0}]},
                                 "evolution": {"best": {"arch": arch, "acc": 90.0}}, "search_seconds": 1800.0,
                                 "supernet_train_seconds": 1800.0,
                                 "provenance": {"device": "cpu", "config": {"evolution": {"seed": seed}}}}))
        files.append(p)
    return files, truth, tmp_path


def test_table2_from_fixture_results(results):
    files, truth, tmp_path = results
    table = build_table(files, TableTruth(tmp_path / "truth.csv"), with_rank=True)
    darts = table["summary"]["DARTS (first-order)"]
    mix = table["summary"]["MixPath (evolution)"]
    d_accs = [truth["S4:1000"], truth["S4:1000"], truth["S4:1100"]]
    m_accs = [max(truth.values())] * 2 + [sorted(truth.values())[-2]]
    import numpy as np

    assert darts["mean"] == pytest.approx(np.mean(d_accs)) and darts["std"] == pytest.approx(np.std(d_accs, ddof=1))
    assert mix["mean"] == pytest.approx(np.mean(m_accs)) and mix["search_hours_mean"] == pytest.approx(1.0)
    assert darts["search_hours_mean"] == pytest.approx(2.0)
    ranks = [r["rank_of_34"] for r in table["rows"] if r["method"].startswith("MixPath")]
    assert ranks == [1, 1, 2]
    assert [r["seed"] for r in table["rows"]] == [0, 1, 2, 0, 1, 2]
    md = to_markdown(table, optimum=94.29)
    assert "known optimum 94.29%" in md and "| MixPath (evolution) | 3 |" in md and "rank of 34" in md


def test_compare_cli(results):
    files, _, tmp_path = results
    proc = subprocess.run([sys.executable, str(ROOT / "tools/compare.py"), *map(str, files), "--truth",
                           str(tmp_path / "truth.csv"), "--with-rank", "--out", str(tmp_path / "t2")],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (tmp_path / "t2.md").read_text() == proc.stdout.rstrip("\n") + "\n"
    assert json.loads((tmp_path / "t2.json").read_text())["truth"] == "table:truth.csv"
    bad = subprocess.run([sys.executable, str(ROOT / "tools/compare.py"), str(files[0]), "--truth", "standalone"],
                         capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert bad.returncode == 2 and "--truth standalone needs --config" in bad.stderr
