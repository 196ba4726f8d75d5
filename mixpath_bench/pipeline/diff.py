"""Do two experiment work dirs hold the same numbers?  Timings, paths and provenance aside.

`diff_runs(a, b)` compares every JSON result file that both work dirs hold below their stage
folders (truth, supernets' outputs, rank.json, pareto.json, darts.json, table2.json,
sbn_analysis.json, ...) value by value, exactly, skipping keys that are wall times, file paths or
provenance; it returns the differences as ``path: a != b`` lines.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

#: Keys whose values are measurements of time or of the machine, or where files were: not results.
SKIPPED = {"seconds", "search_seconds", "train_seconds", "supernet_train_seconds", "cost_seconds", "search_hours",
           "search_hours_mean", "seconds_this_run", "provenance", "time", "checkpoint", "work_dir", "log", "file",
           "devices", "device", "key", "inputs", "outputs", "evaluation_seconds", "config", "settings", "source"}
#: Files that hold only bookkeeping (or inputs: the merged supernet config, the digests of input files).
SKIPPED_FILES = {"stage.json", "results.json", "source.json", ".digests.json", "supernet_config.json"}


def result_files(work: Path) -> dict[str, Path]:
    """Work-dir-relative name -> path of every result JSON (not caches, not checkpoints' folders' logs)."""
    out = {}
    for path in sorted(work.rglob("*.json")):
        rel = path.relative_to(work).as_posix()
        if path.name in SKIPPED_FILES or rel.startswith("standalone_cache/") or ".replaced-" in rel \
                or "/vis_data/" in rel:  # MMEngine's time-stamped training logs
            continue
        out[rel] = path
    return out


def diff_values(a, b, where: str, out: list[str]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k in SKIPPED:
                continue
            if k not in a or k not in b:
                out.append(f"{where}.{k}: only in {'b' if k not in a else 'a'}")
            else:
                diff_values(a[k], b[k], f"{where}.{k}", out)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append(f"{where}: {len(a)} != {len(b)} entries")
        for i, (x, y) in enumerate(zip(a, b)):
            diff_values(x, y, f"{where}[{i}]", out)
    elif isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return
    elif a != b:
        out.append(f"{where}: {a!r} != {b!r}")


def diff_runs(a: str | Path, b: str | Path) -> tuple[list[str], list[str]]:
    """(files compared, differences) between the result JSON files of work dirs `a` and `b`."""
    fa, fb = result_files(Path(a)), result_files(Path(b))
    out = [f"{name}: only in {'a' if name in fa else 'b'}" for name in sorted(set(fa) ^ set(fb))]
    common = sorted(set(fa) & set(fb))
    for name in common:
        diff_values(json.loads(fa[name].read_text()), json.loads(fb[name].read_text()), name, out)
    return common, out
