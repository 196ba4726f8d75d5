"""Supplementary Table 2 from result files: each method's found architectures, their ground truth,
the search cost the runs measured themselves, and mean +- std over seeds."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from ..errors import ConfigError
from ..jsonio import load_json
from ..spaces import parse_arch, s4_canonical, s4_unique_archs


def found_architecture(result: dict) -> tuple[str, str, float, str]:
    """(method, architecture, measured seconds, device) of a darts.json or pareto.json result."""
    device = result.get("provenance", {}).get("device", "unknown")
    if result.get("method") == "darts":
        return f"DARTS ({result.get('order', 'first')}-order)", result["derived_arch"], float(
            result["search_seconds"]), device
    if "nsga2" in result:
        evo = (result.get("evolution") or {}).get("best")
        pick = evo or max(result["nsga2"]["picks"], key=lambda p: p["acc"])
        seconds = float(result.get("search_seconds") or 0.0) + float(result.get("supernet_train_seconds") or 0.0)
        method = "MixPath (evolution)" if evo else "MixPath (NSGA-II best)"
        return method, pick["arch"], seconds, device
    raise ConfigError("a result file must be a darts.json or a pareto.json")


def seed_of(result: dict) -> int | None:
    if "seed" in result:
        return int(result["seed"])
    config = result.get("provenance", {}).get("config") or {}
    for key in ("evolution", "nsga2"):
        if isinstance(config.get(key), dict) and "seed" in config[key]:
            return int(config[key]["seed"])
    return None


def build_table(paths: Sequence[str | Path], truth, with_rank: bool = False) -> dict:
    """Rows per result file and a summary per method (mean +- sample std over seeds)."""
    rows = []
    for path in paths:
        result = load_json(path, ConfigError)
        method, arch_text, seconds, device = found_architecture(result)
        arch = parse_arch(arch_text)
        row = {"file": str(path), "method": method, "seed": seed_of(result), "arch": arch.to_string(),
               "truth_acc": truth.accuracy(arch), "search_hours": seconds / 3600.0, "device": device}
        if with_rank and arch.space == "S4":
            accs = sorted((truth.accuracy(s4_canonical(g[0])) for g in s4_unique_archs().values()), reverse=True)
            row["rank_of_34"] = 1 + sum(a > row["truth_acc"] for a in accs)
        rows.append(row)
    summary = {}
    for method in dict.fromkeys(r["method"] for r in rows):
        accs = np.array([r["truth_acc"] for r in rows if r["method"] == method])
        hours = np.array([r["search_hours"] for r in rows if r["method"] == method])
        summary[method] = {"runs": len(accs), "mean": float(accs.mean()),
                           "std": float(accs.std(ddof=1)) if len(accs) > 1 else 0.0,
                           "search_hours_mean": float(hours.mean()),
                           "devices": sorted({r["device"] for r in rows if r["method"] == method})}
    return {"truth": truth.name, "rows": rows, "summary": summary}


def to_markdown(table: dict, optimum: float | None = None) -> str:
    """Table 2 as markdown: the summary, then every run."""
    lines = [f"Ground truth: {table['truth']}" + (f"; known optimum {optimum:.2f}%" if optimum else ""), "",
             "| method | runs | top-1 (%) mean +- std | search cost (h, mean) | device |", "|---|---|---|---|---|"]
    for method, s in table["summary"].items():
        lines.append(f"| {method} | {s['runs']} | {s['mean']:.2f} +- {s['std']:.2f} | {s['search_hours_mean']:.3f} | "
                     f"{', '.join(s['devices'])} |")
    rank = any("rank_of_34" in r for r in table["rows"])
    lines += ["", "| method | seed | architecture | top-1 (%) | search cost (h) |" + (" rank of 34 |" if rank else ""),
              "|---|---|---|---|---|" + ("---|" if rank else "")]
    for r in table["rows"]:
        lines.append(f"| {r['method']} | {r['seed']} | {r['arch']} | {r['truth_acc']:.2f} | {r['search_hours']:.3f} |"
                     + (f" {r.get('rank_of_34', '')} |" if rank else ""))
    return "\n".join(lines) + "\n"
