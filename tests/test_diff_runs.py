import json
import subprocess
import sys

from mixpath_bench.pipeline.diff import diff_runs

from .conftest import ROOT


def write(path, obj):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj))


def test_equal_numbers_with_other_timings_and_paths_are_the_same_run(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    write(a / "ranking/rank.json", {"taus": [0.5, 0.25], "seconds": 3.0, "checkpoint": "/x/a.pth"})
    write(b / "ranking/rank.json", {"taus": [0.5, 0.25], "seconds": 9.0, "checkpoint": "/y/b.pth"})
    write(a / "ranking/stage.json", {"key": "1"})
    write(b / "ranking/stage.json", {"key": "2"})
    files, diffs = diff_runs(a, b)
    assert files == ["ranking/rank.json"] and diffs == []
    write(b / "ranking/rank.json", {"taus": [0.5, 0.2500001], "seconds": 9.0})
    write(b / "truth/truth.json", {"acc": [1.0]})
    _, diffs = diff_runs(a, b)
    assert diffs == ["truth/truth.json: only in b", "ranking/rank.json.taus[1]: 0.25 != 0.2500001"]
    proc = subprocess.run([sys.executable, str(ROOT / "tools/diff_runs.py"), str(a), str(b)], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 1 and "1 result files compared, 2 differences" in proc.stdout


def test_inputs_and_bookkeeping_are_not_compared(tmp_path):
    from mixpath_bench.pipeline.diff import result_files

    for name in ("supernet_config.json", ".digests.json", "truth/truth.json", "truth/stage.json"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("{}")
    assert list(result_files(tmp_path)) == ["truth/truth.json"]
