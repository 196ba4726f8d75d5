"""The experiment pipeline, cut down (5 architectures, digits at 8x8, 1-2 epochs), end to end on CPU."""
import json
import re
import subprocess
import sys

import numpy as np
import pytest
from scipy import stats

from mixpath_bench.bench.ranking import paired_difference
from mixpath_bench.pipeline.stages.ranking import ranking_verdict
from mixpath_bench.pipeline.stages.truth import seed_noise_summary

from ..conftest import ROOT

SUPERNET = """_base_ = '{root}/configs/supernet/s4_nb101_mnist5k.py'
model = dict(network=dict(stem_channels=8), data_preprocessor=dict(mean=[120.0], std=[90.0], crop_padding=1))
train_dataloader = dict(batch_size=64, dataset=dict(name='digits', size=8))
val_dataloader = dict(dataset=dict(name='digits', size=8))
train_cfg = dict(max_epochs=2, val_interval=2)
param_scheduler = dict(T_max=2)
"""
SEARCH = """supernet_config = 'replaced by the experiment'
evaluator = dict(calib_batches=1, calib_batch_size=128, val_batch_size=500)
searchers = dict(nsga2=dict(population=4, generations=1, objectives=[('acc', 'max'), ('madds', 'min')], k=2),
                 random=dict(), evolution=dict(budget=6, population=4, sample_size=2), local=dict(budget=6))
"""
EXPERIMENT = """supernet_config = '{d}/supernet.py'
device = 'cpu'
workers = 2
ground_truth = dict(seeds=[0, 1], max_archs=5, holdout=0.2, recipe=dict(epochs=1, batch_size=64))
supernets = dict(seeds=[0, 1])
ranking = dict(calib_batches=1, calib_batch_size=128, n_boot=50, top_k=2, proxy_batch=16, protocol='reference',
               reference_samples=60, reference_drop=3, reference_draws=2)
search = dict(config='{d}/search.py', seeds=[0, 1])
darts = dict(config='{d}/darts.py', seeds=[0])
analysis = dict(samples=16, combos=4)
m_sweep = dict(m=[3], epochs=1, calib_batches=1, calib_batch_size=128, n_boot=20, top_k=2)
"""


def run_tool(*args, check=True):
    proc = subprocess.run([sys.executable, str(ROOT / "tools/experiment.py"), *map(str, args)], capture_output=True,
                          text=True, timeout=900, cwd=ROOT)
    if check:
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


@pytest.fixture(scope="module")
def experiment(tmp_path_factory):
    d = tmp_path_factory.mktemp("experiment")
    (d / "supernet.py").write_text(SUPERNET.format(root=ROOT))
    (d / "search.py").write_text(SEARCH)
    (d / "darts.py").write_text("supernet_config = 'replaced'\nsearchers = dict(darts=dict(epochs=1, batch_size=64))\n")
    (d / "exp.py").write_text(EXPERIMENT.format(d=d))
    work = d / "work"
    first = run_tool(d / "exp.py", "--work-dir", work, "--until", "supernets")  # an interruption between stages
    second = run_tool(d / "exp.py", "--work-dir", work)
    return d, work, first.stdout, second.stdout


def test_stages_resume_after_interruption_between_stages(experiment):
    _, work, first, second = experiment
    assert "== truth: running" in first and "== supernets: running" in first and "== ranking" not in first
    assert "10 to train" in first  # 5 architectures x 2 seeds
    assert "== truth: inputs unchanged" in second and "== supernets: inputs unchanged" in second
    for stage in ("ranking", "search", "darts", "table2", "analysis", "msweep"):
        assert f"== {stage}: running" in second
        assert json.loads((work / stage / "stage.json").read_text())["done"] is True
    assert "[sbn/seed1]" in first and "Saving checkpoint" in first  # per-epoch progress from the training processes


def test_report_names_the_source_of_every_section(experiment):
    _, work, _, _ = experiment
    report = (work / "report.md").read_text()
    sections = re.split(r"\n## ", report)[1:]
    assert [s.split("\n")[0][:2] for s in sections] == ["Su", "1.", "2.", "3.", "4.", "5.", "6."]
    for section in sections:
        sources = re.findall(r"Source: (.*)\.\n", section)
        assert sources, section[:80]
        for name in re.findall(r"`([^`]+)`", sources[0]):
            assert (work / name).is_file(), name
    for image in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", report):
        assert (work / image).stat().st_size > 1000, image
    results = json.loads((work / "results.json").read_text())
    assert set(results["stages"]) == {"truth", "supernets", "ranking", "search", "darts", "table2", "analysis",
                                      "msweep"}
    assert results["provenance"]["git_commit"] and results["provenance"]["packages"]["torch"]


def test_numbers_in_report_match_their_sources(experiment):
    _, work, _, _ = experiment
    report = (work / "report.md").read_text()
    truth = json.loads((work / "truth/truth.json").read_text())
    assert len(truth["archs"]) == 5 and np.array(truth["per_seed"]).shape == (5, 2)
    assert f"{truth['noise']['seed_noise_std']:.2f} pp" in report
    rank = json.loads((work / "ranking/rank.json").read_text())
    assert [(e["variant"], e["seed"]) for e in rank["checkpoints"]] == [("sbn", 0), ("sbn", 1), ("bn", 0), ("bn", 1)]
    assert [e["shadow_bn"] for e in rank["checkpoints"]] == [True, True, False, False]
    assert rank["checkpoints"][0]["calibrated"] != rank["checkpoints"][1]["calibrated"]  # two supernet seeds
    tau = rank["checkpoints"][1]["correlation"]["calibrated"]["kendall_tau"]
    assert f"| sbn | 1 | yes | after | {tau:.3f} [" in report
    # every metric is the mean over the two seeds of the per-seed values computed from rank.json's scores
    metrics = json.loads((work / "ranking/metrics.json").read_text())["variants"]["sbn"]["calibrated"]
    sbn = [e["calibrated"] for e in rank["checkpoints"][:2]]
    taus = [stats.kendalltau(s, rank["truth_acc"]).statistic for s in sbn]
    assert metrics["seeds"] == 2 and metrics["metrics"]["kendall_tau"]["per_seed"] == pytest.approx(taus)
    assert metrics["metrics"]["kendall_tau"]["value"] == pytest.approx(np.mean(taus))
    assert len(metrics["metrics"]) == 10
    # baselines on the same list: the parameter count scorer is the stand-alone size of each network
    base = json.loads((work / "ranking/baselines.json").read_text())
    assert set(base["scores"]) == {"params", "madds", "grad_norm", "snip", "synflow", "jacov", "naswot"}
    assert base["scores"]["params"] == rank["params"] and len(rank["params"]) == 5
    p_tau = stats.kendalltau(base["scores"]["params"], rank["truth_acc"]).statistic
    assert base["metrics"]["params"]["metrics"]["kendall_tau"]["value"] == pytest.approx(p_tau)
    diff = base["supernet_minus_baseline"]["params"]["kendall_tau"]["difference"]
    assert diff == pytest.approx(np.mean(taus) - p_tau)
    assert f"{diff:+.3f} [" in report and "### Baselines a supernet must beat" in report
    # the reference protocol beside ours: 'ours' is the tau of the calibrated scores above
    proto = json.loads((work / "ranking/protocol.json").read_text())
    assert proto["variants"]["sbn"]["ours"]["mean"] == pytest.approx(np.mean(taus))
    assert [r["seed"] for r in proto["runs"]] == [0, 1, 0, 1] and "### The reference protocol beside ours" in report
    # every encoding of the 5 networks scored as given, both ways; the truth on training images is the holdout
    truth_json = json.loads((work / "truth/truth.json").read_text())
    assert proto["training_truth_available"] and len(truth_json["training_images"]["per_seed"]) == 5
    run0 = proto["runs"][0]
    assert len(run0["encodings"]) == len(run0["scores"]["test"]["calibrated"]) > 5
    assert any("cut-down list" in n for n in proto["notes"])
    # the m sweep: each m ranks the networks its space holds (m=3: 4 of the 5), SBN and BN on the same ones
    sweep = json.loads((work / "msweep/msweep.json").read_text())
    assert {m: len(r["archs"]) for m, r in sweep["m"].items()} == {"3": 4}
    m3 = json.loads((work / "msweep/m3/rank.json").read_text())
    assert [e["variant"] for e in m3["checkpoints"]] == ["sbn", "bn"] and [e["m"] for e in m3["checkpoints"]] == [3, 3]
    tau = stats.kendalltau(m3["checkpoints"][0]["calibrated"], m3["truth_acc"]).statistic
    assert sweep["m"]["3"]["sbn"]["metrics"]["kendall_tau"]["value"] == pytest.approx(tau)
    assert "## 6. Number of active paths m" in report
    table = json.loads((work / "table2/table2.json").read_text())
    methods = {r["method"] for r in table["rows"]}
    assert methods == {"MixPath evolution", "MixPath NSGA-II (most accurate pick)", "MixPath random search",
                       "MixPath local search", "DARTS (first-order)"}
    local = [r for r in table["rows"] if r["method"] == "MixPath local search"]
    # search seeds within supernet seeds: seeds 0 and 1 on each of the two Shadow-BN supernets
    assert sorted(r["seed"] for r in local) == [0, 0, 1, 1]  # every searcher got the seed of its run
    assert len({r["checkpoint"] for r in local}) == 2 and all(r["checkpoint"].endswith(".pth") for r in local)
    assert (work / "search/supernet1/seed1/pareto.json").is_file()
    summary = table["summary"]
    assert (summary["MixPath local search"]["runs"], summary["MixPath local search"]["trainings"]) == (4, 2)
    assert (summary["DARTS (first-order)"]["runs"], summary["DARTS (first-order)"]["trainings"]) == (1, 1)
    assert "search seeds [0, 1, 0, 1] on 2 supernet training(s)" in report
    assert "undecided: 2 vs 1 independent training(s)" in report  # one DARTS run: no verdict
    assert all(r["rank_of_5"] >= 1 for r in table["rows"])


def test_changed_inputs_rerun_only_that_stage_and_killed_stage_resumes(experiment):
    d, work, _, _ = experiment
    out = run_tool(d / "exp.py", "--work-dir", work, "--cfg-options", "analysis.samples=17").stdout
    assert "== analysis: inputs changed" in out and "== truth: inputs unchanged" in out
    assert "== search: inputs unchanged" in out and "== ranking: inputs unchanged" in out
    # a search stage killed after its first seed: the record says unfinished, seed 1's results are gone
    record = json.loads((work / "search/stage.json").read_text())
    before = json.loads((work / "search/seed0/pareto.json").read_text())
    (work / "search/stage.json").write_text(json.dumps({**record, "done": False}))
    for f in (work / "search/seed1").iterdir():
        f.unlink()
    out = run_tool(d / "exp.py", "--work-dir", work, "--cfg-options", "analysis.samples=17").stdout
    assert "== search: resuming an interrupted run" in out
    after = json.loads((work / "search/seed0/pareto.json").read_text())
    assert after["searchers"] == before["searchers"] and (work / "search/seed1/pareto.json").is_file()
    # a changed stage is moved aside, never deleted; outputs name files relative to the work dir
    out = run_tool(d / "exp.py", "--work-dir", work, "--cfg-options", "analysis.samples=18").stdout
    assert "== analysis: inputs changed; the previous run is kept in" in out
    kept = [p for p in work.iterdir() if p.name.startswith("analysis.replaced-")]
    assert kept and all((p / "sbn_analysis.json").is_file() for p in kept)
    outputs = json.loads((work / "supernets/stage.json").read_text())["outputs"]["variants"]["sbn"]
    assert [c.split("/")[:3] for c in outputs["checkpoints"]] == [["supernets", "sbn", "seed0"],
                                                                   ["supernets", "sbn", "seed1"]]


def test_logging_settings_do_not_change_the_supernets_key(experiment):
    from mixpath_bench.pipeline.runner import Experiment

    d, work, _, _ = experiment
    keys = [Experiment(d / "exp.py", work, options=opts, log=lambda s: None).key("supernets")[0]
            for opts in ({}, {"supernet_options": {"default_hooks.logger.interval": 7, "log_level": "DEBUG"}},
                         {"supernet_options": {"train_cfg.max_epochs": 3}})]
    assert keys[0] == keys[1] != keys[2]


def test_bad_configs_fail_with_one_line(tmp_path, experiment):
    from mixpath_bench.errors import UserError
    from mixpath_bench.pipeline.runner import Experiment

    d = experiment[0]
    bad = tmp_path / "bad.py"
    bad.write_text(f"supernet_config = '{d}/supernet.py'\nranking = dict(calib_batchs=2)\n")
    proc = run_tool(bad, "--work-dir", tmp_path / "never", check=False)  # the tool: one line on stderr, status 2
    assert proc.returncode == 2 and "ranking: unknown key(s) calib_batchs" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and not (tmp_path / "never").exists()
    proc = run_tool(tmp_path / "missing.py", check=False)
    assert proc.returncode == 2 and "does not exist" in proc.stderr
    # every section and the files it names are checked before the first stage runs: the tool's Experiment(...)
    # raises the one-line error it prints (in-process here, a subprocess each would cost a minute)
    for text, message in ((f"search = dict(config='{d}/nowhere.py')", "nowhere.py does not exist"),
                          ("search = dict(seeds=[0])", "search needs config"),
                          ("workers = 'two'", "workers must be a positive integer"),
                          ("supernets = dict(amp='no')", "supernets.amp must be True or False, got 'no'"),
                          ("supernets = dict(variants=dict(a=dict(shadow_bn='no')))",
                           "variants.a.shadow_bn must be True or False"),
                          ("supernets = dict(variants=dict(a=dict(shadow_bn=True)))", "one with shadow_bn=False"),
                          ("ranking = dict(calib_batches=0)", "calib_batches, calib_batch_size, n_boot, top_k"),
                          ("ranking = dict(baselines=['params', 'zen'])", "ranking.baselines: unknown scorer 'zen'"),
                          ("ranking = dict(protocol='paper')", "protocol must be 'ours' or 'reference'"),
                          ("supernets = dict(seeds=[1, 1])", "seeds must name at least one seed, each once"),
                          ("supernets = dict(seed=1, seeds=[2])", "give supernets.seeds or supernets.seed"),
                          ("m_sweep = dict(m=[5])", "m_sweep.m: S4 allows m in 1..4, got m=5"),
                          ("ground_truth = dict(max_archs=5)\nranking = dict(top_k=2)\nm_sweep = dict(m=[1])",
                           "with m=1 holds fewer than 3 of the experiment's networks"),
                          ("ground_truth = dict(seeds=[0, 'x'])", "ground_truth.seeds[1] must be an integer"),
                          ("ground_truth = dict(recipe=dict(epoch=3))", "ground_truth: recipe:")):
        bad.write_text(f"supernet_config = '{d}/supernet.py'\n{text}\n")
        with pytest.raises(UserError) as err:
            Experiment(bad, tmp_path / "never", log=lambda _: None)
        assert message in str(err.value) and "\n" not in str(err.value), (text, str(err.value))
        assert not (tmp_path / "never").exists()
    # supernet_options reach every stage through a merged copy of the supernet config in the work dir
    proc = run_tool(ROOT / "configs/experiment/s1_cifar10.py", "--work-dir", tmp_path / "s1", "--until", "truth",
                    "--cfg-options", f"supernet_options.data_root={tmp_path / 'nowhere'}", check=False)
    assert proc.returncode == 2 and f"CIFAR-10 folder {tmp_path / 'nowhere'} does not exist" in proc.stderr
    merged = json.loads((tmp_path / "s1" / "supernet_config.json").read_text())  # data, never executed
    assert merged["data_root"] == str(tmp_path / "nowhere")


def test_seed_noise_summary_by_hand():
    per_seed = np.array([[90.0, 92.0], [80.0, 80.0], [70.0, 71.0], [60.0, 58.0]])
    s = seed_noise_summary(per_seed, n_boot=20)
    noise = np.sqrt(np.mean([2.0, 0.0, 0.5, 2.0]))
    assert s["seed_noise_std"] == pytest.approx(noise)
    assert s["spread_std"] == pytest.approx(np.std([91, 80, 70.5, 59], ddof=1))
    assert s["spread_over_noise"] == pytest.approx(s["spread_std"] / noise)
    assert s["seed_vs_seed"]["kendall_tau"] == pytest.approx(1.0)
    assert "seed_noise_std" not in seed_noise_summary(per_seed[:, :1])


def test_paired_difference_and_verdicts():
    truth = np.arange(10.0)
    same = paired_difference(truth, truth, truth, n_boot=50)
    assert same["difference"] == 0.0 and same["ci95"] == (0.0, 0.0)
    rng = np.random.default_rng(0)
    worse = paired_difference(truth, rng.permutation(truth), truth, n_boot=200)
    assert worse["difference"] > 0 and worse["ci95"][0] > 0

    def verdict(lo, hi):
        return ranking_verdict({"calibrated": {"kendall_tau": {"difference": 0.1, "ci95": (lo, hi)}}})

    assert "SBN ranked better" in verdict(0.05, 0.3)
    assert "worse" in verdict(-0.4, -0.1) and "contradicts" in verdict(-0.4, -0.1)
    assert "No measurable difference" in verdict(-0.1, 0.3)


def test_sbn_ratio_verdict_follows_the_numbers():
    from mixpath_bench.pipeline.stages.analysis import sbn_ratio_verdict

    def layer(mean, var):
        return {"ratios": {"mean": {"1": 1.0, "2": mean[0], "4": mean[1]}, "var": {"1": 1.0, "2": var[0], "4": var[1]}}}

    good = sbn_ratio_verdict({"layers": [layer((2.1, 3.8), (4.2, 15.0))]})
    assert "running mean is about k" in good and "running variance is about k^2" in good
    low_var = sbn_ratio_verdict({"layers": [layer((2.1, 3.8), (3.0, 9.0))]})
    assert "running mean is about k" in low_var and "running variance is not about k^2" in low_var


def test_describe_s4_cells():
    from mixpath_bench.spaces import get_space

    assert get_space("S4").describe("S4:2210") == "1x1 + 3x3 x2"
    assert get_space("S4").describe("S4:3000") == "pool"


@pytest.mark.parametrize("path", sorted((ROOT / "configs/experiment").glob("*.py")), ids=lambda p: p.stem)
def test_shipped_experiment_configs_load(path, monkeypatch):
    from mixpath_bench.pipeline.runner import load_experiment_config
    from mixpath_bench.pipeline.search_job import load_search_config
    from mixpath_bench.engine.config import load_config

    monkeypatch.chdir(ROOT)
    cfg = load_experiment_config(path)
    load_config(cfg.supernet_config)
    load_search_config(cfg.search.config)
    assert list(load_search_config(cfg.darts.config).searchers) == ["darts"]
    assert set(cfg.supernets.variants) == {"sbn", "bn"} and cfg.analysis.samples == 64


def test_nasbench101_ground_truth_stage(tmp_path, experiment):
    from mixpath_bench.spaces import parse_arch, s4_hash, s4_unique_archs

    from .nb101_fixture import write_tfrecord

    d = experiment[0]
    hashes = list(s4_unique_archs())
    rows = [(h, [(0.80 + 0.004 * i, 0.79)] * 3) for i, h in enumerate(hashes)]
    tfrecord = write_tfrecord(tmp_path / "nasbench_only108.tfrecord", rows)
    # the experiment holds out training images for stand-alone truth: a setting that does nothing here
    refused = run_tool(d / "exp.py", "--work-dir", tmp_path / "w", "--until", "truth", "--cfg-options",
                       f"ground_truth.source={tfrecord}", check=False)
    assert refused.returncode != 0 and "holdout=0.2 applies to stand-alone training only" in refused.stdout + refused.stderr
    assert not (tmp_path / "w" / "truth").exists()
    run_tool(d / "exp.py", "--work-dir", tmp_path / "w", "--until", "truth", "--cfg-options",
             f"ground_truth.source={tfrecord}", "ground_truth.metric=val_acc", "ground_truth.holdout=0")
    truth = json.loads((tmp_path / "w/truth/truth.json").read_text())
    expected = {h: 100 * (0.80 + 0.004 * i) for i, h in enumerate(hashes)}
    assert len(truth["archs"]) == 5 and truth["seeds"] == []
    for arch, acc in zip(truth["archs"], truth["acc"]):
        assert acc == pytest.approx(expected[s4_hash(parse_arch(arch))])
    report = (tmp_path / "w/report.md").read_text()
    assert "Seed noise: not measured" in report and "nasbench101:val_acc" in report


def test_baseline_protocol_and_m_sweep_verdicts_follow_the_numbers():
    from mixpath_bench.pipeline.stages.msweep import msweep_verdict
    from mixpath_bench.pipeline.stages.ranking import baselines_verdict, protocol_verdict

    def vs(better):
        return {"kendall_tau": {"better": better}}

    b = {"supernet_minus_baseline": {"params": vs("a"), "snip": vs("undecided"), "synflow": vs("b")}}
    text = baselines_verdict(b)
    assert "better than 1 of 3 baselines (parameters)" in text and "worse than 1 (synflow)" in text
    rows = {"ours": 0.5, "sampled_choices": -0.07, "test_split": 0.03, "truth_on_training_images": 0.01,
            "one_repeat": 0.0, "drop_by_uncalibrated": -0.02, "reference": -0.04}
    p = {"variants": {"sbn": {r: {"mean": 0.5 + d, "moves_tau_by": d} for r, d in rows.items() if r != "ours"}}}
    p["variants"]["sbn"]["ours"] = {"mean": 0.5, "moves_tau_by": 0.0}
    text = protocol_verdict(p)
    assert "tau 0.500 with ours, 0.460 with the reference protocol (-0.040)" in text and "'1,000 distinct random path choices" in text and "(-0.070)" in text
    sweep = {"m": {"1": {"sbn_minus_bn": vs("undecided")}, "2": {"sbn_minus_bn": vs("a")},
                   "3": {"sbn_minus_bn": vs("b")}}}
    assert "m=2: better; m=3: worse" in msweep_verdict(sweep) and "m=1" not in msweep_verdict(sweep)
