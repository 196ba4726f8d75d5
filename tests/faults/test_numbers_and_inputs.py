"""Numbers nobody should trust are refused in one line before any result is made from them, options
are checked by the same rules in every tool, and a ground-truth file edited in place is a new input."""
import math

import numpy as np
import pytest

from mixpath_bench.bench.ranking import kendall_tau
from mixpath_bench.bench.truth import TableTruth
from mixpath_bench.errors import UserError

from ..conftest import ROOT

DEMO = ROOT / "configs/experiment/demo.py"
ROWS = "arch,acc\nS4:1000,90.1\nS4:2000,91.5\nS4:3000,88.0\nS4:1100,92.3\n"


def table(tmp_path, text):
    path = tmp_path / "truth.csv"
    path.write_text(text)
    return path


@pytest.mark.parametrize("bad, words", [
    ("S4:1000,nan", "[0, 100]"), ("S4:1000,inf", "[0, 100]"), ("S4:1000,-500", "[0, 100]"),
    ("S4:1000,101", "[0, 100]"), ("S4:0001,95.0", "one network with two accuracies"),
])
def test_a_truth_table_with_a_number_nobody_should_trust_is_refused(tmp_path, bad, words):
    # the hazard: one NaN in the truth makes every tau NaN, and a run would end "successfully" with it
    assert math.isnan(kendall_tau([1, 2, 3, 4], [90.1, 91.5, float("nan"), 92.3]))
    path = table(tmp_path, ROWS + bad + "\n")
    with pytest.raises(UserError, match=words.replace("[", r"\[").replace("]", r"\]")) as info:
        TableTruth(path)
    assert "\n" not in str(info.value)


def test_fractions_instead_of_percent_are_refused(tmp_path):
    path = table(tmp_path, "arch,acc\nS4:1000,0.901\nS4:2000,0.915\nS4:3000,0.880\n")
    with pytest.raises(UserError, match="fractions, not percentages"):
        TableTruth(path)
    # an isomorphic encoding listed twice with the same value is one network, accepted
    same = TableTruth(table(tmp_path, ROWS + "S4:0001,90.1\n"))
    assert len(same.values) == 4


@pytest.mark.parametrize("options, words", [
    ({"ground_truth.seeds": [0, 0]}, "seeds must be distinct"),
    ({"ranking.n_boot": 0}, "n_boot"),
    ({"ranking.n_boot": 5}, "n_boot must be >= 20"),
    ({"ranking.top_k": 1000}, "top_k=1000 but the list has 34 networks"),
    ({"ground_truth.holdout": 0.7}, "holdout must be a fraction"),
    ({"m_sweep.n_boot": 1}, "n_boot must be >= 20"),
])
def test_experiment_settings_are_bounded_by_what_the_data_allows(tmp_path, options, words):
    from mixpath_bench.pipeline.runner import Experiment

    work = tmp_path / "work"
    with pytest.raises(UserError, match=words) as info:
        Experiment(DEMO, work, options, log=lambda _: None)
    assert "\n" not in str(info.value) and not work.exists()


@pytest.mark.parametrize("option, words", [
    ({"evaluator.calib_batches": 0}, "evaluator.calib_batches must be a positive integer"),
    ({"searchers.nsga2.generations": "abc"}, "generations must be a number"),
    ({"searchers.random.seed": 1.5}, "seed must be a whole number"),
    ({"searchers.random.seed": -1}, "seed must be a non-negative integer"),
    ({"constraints.min_acc": float("nan")}, "min_acc must be a non-negative finite number"),
])
def test_search_options_follow_the_rank_tools_rules(option, words):
    from mixpath_bench.pipeline.search_job import load_search_config

    with pytest.raises(UserError, match=words) as info:
        load_search_config(str(ROOT / "configs/search/s4_mnist5k.py"), option)
    assert "\n" not in str(info.value)


def test_last_checkpoint_that_is_not_text_or_names_another_runs_file_is_refused(tmp_path):
    from mixpath_bench.pipeline.sbn_job import resolve_checkpoint

    other = tmp_path / "other_run"
    other.mkdir()
    (other / "epoch_3.pth").write_bytes(b"another run's weights")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "last_checkpoint").write_text(str(other / "epoch_3.pth"))
    with pytest.raises(UserError, match="not in"):  # never the other run's file
        resolve_checkpoint(mine)
    (mine / "last_checkpoint").write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(UserError, match="not a readable text file") as info:
        resolve_checkpoint(mine)
    assert "\n" not in str(info.value)


def test_a_truth_file_edited_in_place_changes_the_stage_key(tmp_path):
    from mixpath_bench.pipeline.runner import Experiment

    path = table(tmp_path, ROWS)
    exp = Experiment(DEMO, tmp_path / "work", {"ground_truth.source": str(path), "ground_truth.metric": "val_acc",
                                               "ground_truth.holdout": 0.0}, log=lambda _: None)
    before, _ = exp.key("truth")
    assert exp.key("truth")[0] == before  # the same content: the same key (digest cached by size and time)
    path.write_text(ROWS.replace("90.1", "70.1"))  # the same path, new numbers
    after, inputs = exp.key("truth")
    assert after != before and inputs["inputs"]["source_content"]
    assert np.isfinite(TableTruth(path).values[next(iter(TableTruth(path).values))])


def test_a_stage_record_naming_a_file_outside_the_work_dir_is_refused(tmp_path):
    from mixpath_bench.pipeline.runner import Experiment

    outside = tmp_path / "outside.json"
    outside.write_text("{}")
    exp = Experiment(DEMO, tmp_path / "work", log=lambda _: None)
    (tmp_path / "work").mkdir()
    assert exp.ctx.path("truth/truth.json") == tmp_path / "work" / "truth/truth.json"
    for rel in ("../outside.json", str(outside), "linked.json"):
        if rel == "linked.json":
            (tmp_path / "work" / rel).symlink_to(outside)
        with pytest.raises(UserError, match="outside the work dir") as info:
            exp.ctx.path(rel)
        assert "\n" not in str(info.value) and "delete" not in str(info.value)


@pytest.mark.parametrize("option", ["model.network.shadow_bn=False", "model.network.m=2", "model.network.m=-5",
                                    "model.network.num_classes=7"])
def test_an_option_the_checkpoint_record_overrides_is_refused_not_ignored(tiny_supernet, option):
    import subprocess
    import sys

    base = ["train_dataloader.dataset.name=digits", "val_dataloader.dataset.name=digits"]
    run = [sys.executable, str(ROOT / "tools/evaluate.py"), str(ROOT / "configs/supernet/s4_nb101_mnist5k.py"),
           str(tiny_supernet), "--arch", "S4:1000", "--calib-batches", "1", "--cfg-options", *base]
    proc = subprocess.run(run + [option], capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert proc.returncode == 2 and "would be ignored" in proc.stderr, proc.stderr[-1500:]
    assert len(proc.stderr.strip().splitlines()) == 1 and "S4:1000" not in proc.stdout
    same = subprocess.run(run + ["model.network.stem_channels=8"], capture_output=True, text=True, timeout=600,
                          cwd=ROOT)  # what the checkpoint records: accepted
    assert same.returncode == 0 and "S4:1000" in same.stdout, same.stderr[-1500:]
