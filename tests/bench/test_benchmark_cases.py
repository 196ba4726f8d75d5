"""The benchmark's cases come from the table of spaces and the reference table: a toy space with a
reference supernet, registered at run time, is offered by `tools/benchmark.py` (``--only t9``,
``--t9-config``) and run as a part of `tools/gpu_check.py`, with no edit of either tool."""
import importlib.util
from pathlib import Path

import numpy as np
import pytest

from mixpath_bench.bench import reference
from mixpath_bench.bench.reference import REFERENCE_SUPERNETS, ReferenceSupernet, benchmark_cases
from mixpath_bench.bench.speed import BenchmarkSettings, default_configs
from mixpath_bench.pipeline import gpu_check
from mixpath_bench.spaces import SpaceEntry, register_space, space_names, unregister_space
from mixpath_bench.spaces.spaces import SubsetLayer

from ..conftest import ROOT


def _tool(name):
    spec = importlib.util.spec_from_file_location(f"benchmark_cases_{name}", ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def toy_case(monkeypatch):
    """'T9' in the table of spaces, with a reference supernet: the benchmark's third case."""
    register_space(SpaceEntry("T9", lambda m: SubsetLayer(5, m), default_m=2, max_m=3, num_layers=3,
                              description="toy", supernet="T9Supernet", num_classes=7, input_size=(1, 8, 8)))
    monkeypatch.setitem(REFERENCE_SUPERNETS, "T9", ReferenceSupernet(
        "T9", "toy_search", lambda channels: {}, lambda m, rng: {}, "configs/supernet/t9_full.py",
        "configs/supernet/t9_small.py"))
    try:
        yield "T9"
    finally:
        unregister_space("T9")


def test_the_cases_are_the_spaces_with_a_reference_supernet():
    assert benchmark_cases() == [s for s in space_names() if s in REFERENCE_SUPERNETS] == list(REFERENCE_SUPERNETS)
    assert reference.EVALUATION_SPACE in benchmark_cases()
    for space, ref in REFERENCE_SUPERNETS.items():
        assert (ROOT / ref.config).is_file() and (ROOT / ref.small_config).is_file()
        assert ref.file == f"{ref.folder}/{ref.module}.py"
        assert ref.choice(2, np.random.default_rng(0))
    # the documented spellings
    args = _tool("benchmark").build_parser().parse_args(
        ["--only", "s1", "s4", "--s1-config", "a.py", "--s4-config", "b.py"])
    assert (args.only, args.s1_config, args.s4_config) == (["s1", "s4"], "a.py", "b.py")
    assert gpu_check.part_names() == ("gpu_tests", "benchmark_s1", "benchmark_s4", "benchmark_eval", "quality")


def test_a_registered_space_is_benchmarked_with_no_edit_of_the_tools(toy_case, tmp_path):
    assert benchmark_cases()[-1] == "T9" and default_configs()["t9"] == "configs/supernet/t9_full.py"
    tool = _tool("benchmark")
    parser = tool.build_parser()
    args = parser.parse_args([])
    assert args.only == ["s1", "s4", "t9", "eval"] and args.t9_config == "configs/supernet/t9_full.py"
    settings = tool.settings_from(parser.parse_args(["--only", "t9", "--t9-config", "x.py", "--batch", "4"]))
    assert settings == BenchmarkSettings(only=("t9",), batch=4, configs={
        "s1": "configs/supernet/s1_cifar10.py", "s4": "configs/supernet/s4_nb101_cifar10.py", "t9": "x.py"})

    assert "benchmark_t9" in _tool("gpu_check").build_parser().parse_args(["--parts", "benchmark_t9"]).parts
    assert gpu_check.part_names()[-3:] == ("benchmark_t9", "benchmark_eval", "quality")
    commands = gpu_check.part_commands(gpu_check.GpuCheckSettings(root=ROOT, out=tmp_path, reference=tmp_path))
    cmd, limit, written = commands["benchmark_t9"]
    assert cmd[cmd.index("--only") + 1] == "t9" and written == "benchmark_t9.json" and limit == 75
    assert "--reference" not in cmd  # no checkout at tmp_path


def test_the_reference_rows_need_every_cases_file_in_the_checkout(tmp_path):
    settings = gpu_check.GpuCheckSettings(root=ROOT, out=tmp_path, reference=tmp_path, quick=True)
    for ref in REFERENCE_SUPERNETS.values():
        cmd = gpu_check.part_commands(settings)["benchmark_s1"][0]
        assert "--reference" not in cmd
        (tmp_path / ref.folder).mkdir()
        (tmp_path / ref.file).write_text("")
    cmd = gpu_check.part_commands(settings)["benchmark_s1"][0]
    assert cmd[cmd.index("--reference") + 1] == str(tmp_path)
    evaluation = gpu_check.part_commands(settings)["benchmark_eval"][0]
    assert evaluation[evaluation.index("--s1-config") + 1] == "configs/supernet/s1_mnist5k.py"
    assert Path(ROOT / evaluation[evaluation.index("--s1-config") + 1]).is_file()
