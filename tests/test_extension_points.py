"""Adding a stage touches only its own module and its registration: the runner takes its config
section, runs it, and the report shows its section and verdict with no edit of report.py
(docs/design.md, "Where to add things", counts the places for every extension point)."""
from dataclasses import dataclass
from pathlib import Path

import pytest

from mixpath_bench.errors import ConfigError
from mixpath_bench.pipeline.report import write_report
from mixpath_bench.pipeline.runner import Experiment
from mixpath_bench.pipeline.stage import STAGES, Context, Stage, register_stage

from .conftest import ROOT

SUPERNET = """_base_ = '{root}/configs/supernet/s4_nb101_mnist5k.py'
model = dict(network=dict(stem_channels=8))
train_dataloader = dict(dataset=dict(name='digits', size=8))
val_dataloader = dict(dataset=dict(name='digits', size=8))
"""


@dataclass(frozen=True)
class ToySettings:
    factor: int = 2


@dataclass(frozen=True)
class ToyOutput:
    doubled: int  # of the number of architectures
    file: str


class ToyStage(Stage):
    name, section, Settings, Output = "toy", "toy", ToySettings, ToyOutput
    optional = True
    title = "A toy stage"

    def run(self, ctx: Context, settings: ToySettings, upstream: dict, folder: Path) -> ToyOutput:
        (folder / "toy.txt").write_text("toy")
        return ToyOutput(settings.factor * len(ctx.archs), ctx.rel(folder / "toy.txt"))

    def report(self, ctx, output, outputs):
        return [f"The toy stage counted {output.doubled}.", ""]

    def verdicts(self, ctx, output, outputs):
        return [f"**Toy verdict**: {output.doubled}"]

    def summary_source(self, output):
        return output.file


@pytest.fixture()
def toy_stage():
    register_stage(ToyStage)
    try:
        yield ToyStage
    finally:
        STAGES.pop("toy")


def write_configs(tmp_path: Path, toy: str | None) -> Path:
    (tmp_path / "supernet.py").write_text(SUPERNET.format(root=ROOT))
    exp = tmp_path / "exp.py"
    exp.write_text(f"supernet_config = '{tmp_path / 'supernet.py'}'\nground_truth = dict(max_archs=3)\n"
                   "ranking = dict(top_k=2)\n" + (f"toy = {toy}\n" if toy else ""))
    return exp


def test_a_new_stage_is_its_module_and_registration(tmp_path, toy_stage):
    exp = Experiment(write_configs(tmp_path, "dict(factor=3)"), tmp_path / "work", log=lambda _: None)
    assert "toy" in exp.stages and exp.settings["toy"] == ToySettings(3)
    record = exp.run_stage("toy")
    assert record.output == ToyOutput(9, "toy/toy.txt")
    assert exp.run_stage("toy").key == record.key  # reused by key like every stage
    write_report(exp.ctx, "exp.py", {}, {"toy": record}, 0.0, exp.stages)
    report = (tmp_path / "work" / "report.md").read_text()
    assert "## 1. A toy stage" in report and "The toy stage counted 9." in report
    summary = report.split("## Summary", 1)[1].split("## 1.", 1)[0]
    assert "- **Toy verdict**: 9" in summary and "`toy/toy.txt`" in summary


def test_a_new_stage_checks_its_section_like_every_stage(tmp_path, toy_stage):
    with pytest.raises(ConfigError, match=r"^toy: unknown key\(s\) factr; allowed: factor$"):
        Experiment(write_configs(tmp_path, "dict(factr=3)"), tmp_path / "work", log=lambda _: None)
    exp = Experiment(write_configs(tmp_path, None), tmp_path / "work", log=lambda _: None)
    assert "toy" not in exp.stages  # optional: off without its section


def test_an_unregistered_section_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="toy"):
        Experiment(write_configs(tmp_path, "dict(factor=3)"), tmp_path / "work", log=lambda _: None)


def test_a_record_of_another_stage_version_is_run_again_not_trusted(tmp_path, toy_stage):
    exp = Experiment(write_configs(tmp_path, "dict(factor=3)"), tmp_path / "work", log=lambda _: None)
    first = exp.run_stage("toy")
    record = tmp_path / "work" / "toy" / "stage.json"
    import json

    data = json.loads(record.read_text())
    data["outputs"] = {"file": "toy/toy.txt"}  # an older Output without 'doubled'
    record.write_text(json.dumps(data))
    lines = []
    again = Experiment(write_configs(tmp_path, "dict(factor=3)"), tmp_path / "work", log=lines.append)
    assert again.run_stage("toy").output == first.output
    assert any("written by another version of the stage; the previous run is kept in" in line for line in lines)
    assert list((tmp_path / "work").glob("toy.replaced-*"))
