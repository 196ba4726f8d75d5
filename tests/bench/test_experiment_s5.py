"""The experiment pipeline on S5 (DARTS' cells, m=3), cut down: digits at 8x8, a 3-cell supernet, one
epoch each, end to end on CPU - ground truth with the published DARTS_V2 cell included, SBN and BN
supernets, ranking, every searcher, DARTS in its own space, Table 2, SBN analysis."""
import json
import re
import subprocess
import sys

from mixpath_bench.spaces import get_space, parse_arch

from ..conftest import ROOT

EXPERIMENT = """supernet_config = '{root}/configs/supernet/s5_mnist5k.py'
supernet_options = {{'model.network.init_channels': 4, 'model.network.layers': 3,
                    'model.data_preprocessor.mean': [120.0], 'model.data_preprocessor.std': [90.0],
                    'train_dataloader.dataset.name': 'digits', 'train_dataloader.dataset.size': 8,
                    'val_dataloader.dataset.name': 'digits', 'val_dataloader.dataset.size': 8,
                    'train_cfg.max_epochs': 1, 'param_scheduler.T_max': 1}}
device = 'cpu'
workers = 2
ground_truth = dict(seeds=[0, 1], num_archs=2, include=['darts_v2'], recipe=dict(epochs=1, batch_size=128))
supernets = dict(seeds=[0])
ranking = dict(calib_batches=1, calib_batch_size=128, n_boot=20, top_k=2, proxy_batch=8)
search = dict(config='{d}/search.py', seeds=[0, 1])
darts = dict(config='{root}/configs/darts/s5_mnist5k.py', seeds=[0], epochs=1)
analysis = dict(samples=8, combos=2)
"""
SEARCH = """supernet_config = 'replaced by the experiment'
evaluator = dict(calib_batches=1, calib_batch_size=128, val_batch_size=500)
searchers = dict(nsga2=dict(population=4, generations=1, objectives=[('acc', 'max'), ('madds', 'min')], k=2),
                 random=dict(budget=4), evolution=dict(budget=4, population=4, sample_size=2), local=dict(budget=4))
"""


def test_the_cut_down_experiment_runs_end_to_end_on_s5(tmp_path):
    (tmp_path / "search.py").write_text(SEARCH)
    (tmp_path / "exp.py").write_text(EXPERIMENT.format(root=ROOT, d=tmp_path))
    work = tmp_path / "work"
    proc = subprocess.run([sys.executable, str(ROOT / "tools/experiment.py"), str(tmp_path / "exp.py"), "--work-dir",
                           str(work)], capture_output=True, text=True, timeout=900, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    space = get_space("S5", 3)
    truth = json.loads((work / "truth/truth.json").read_text())
    darts_v2 = space.canonical(parse_arch("S5:04-14-04-14-14-03-03-26-01-11-23-11-01-23-23-11")).to_string()
    assert len(truth["archs"]) == 3 and darts_v2 in truth["archs"] and truth["named"] == {darts_v2: "darts_v2"}
    report = (work / "report.md").read_text()
    assert "darts_v2 (included)" in report and "## 5. What Shadow BN does" in report
    rank = json.loads((work / "ranking/rank.json").read_text())
    assert [e["shadow_bn"] for e in rank["checkpoints"]] == [True, False] and len(rank["madds"]) == 3
    # every searcher and DARTS returned valid S5 networks, each seed from its own job
    rows = json.loads((work / "table2/table2.json").read_text())["rows"]
    assert {(r["method"], r["seed"]) for r in rows} == {
        (m, s) for m in ("MixPath NSGA-II (most accurate pick)", "MixPath random search", "MixPath evolution",
                         "MixPath local search") for s in (0, 1)} | {("DARTS (first-order)", 0)}
    for row in rows:
        space.validate(row["arch"])
        assert 0 <= row["truth_acc"] <= 100
    darts = json.loads((work / "darts/seed0/darts.json").read_text())
    assert get_space("S5", 1).validate(darts["derived_arch"])
    assert re.search(r"search: 2 search\(es\) as jobs of the local executor on 1 Shadow-BN supernet", proc.stdout)
    for seed in (0, 1):
        pareto = json.loads((work / f"search/seed{seed}/pareto.json").read_text())
        assert pareto and (work / f"search/seed{seed}/search.log").is_file()
    # a seed run as a job equals the same seed run alone by the search tool (one thread, as the job had)
    alone = tmp_path / "alone"
    env = {**__import__("os").environ, "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, str(ROOT / "tools/search.py"), str(tmp_path / "search.py"),
           str(work / "supernets/sbn/seed0/epoch_1.pth"), "--seed", "1", "--device", "cpu", "--work-dir", str(alone),
           "--cfg-options", f"supernet_config={work / 'supernet_config.json'}"]
    solo = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=ROOT, env=env)
    assert solo.returncode == 0, solo.stdout[-3000:] + solo.stderr[-3000:]
    picks = lambda path: {name: [(p["key"], p["acc"]) for p in s["picks"]]  # noqa: E731
                          for name, s in json.loads(path.read_text())["searchers"].items()}
    assert picks(alone / "pareto.json") == picks(work / "search/seed1/pareto.json")
