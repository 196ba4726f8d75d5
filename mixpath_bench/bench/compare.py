"""Supplementary Table 2 from result files: each method's found architectures, their ground truth,
the search cost the runs measured themselves, and mean +- std over seeds."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from ..errors import ConfigError
from ..jsonio import load_json
from ..spaces import get_space, parse_arch, s4_canonical, s4_unique_archs


def found_architectures(result: dict) -> list[dict]:
    """What a darts.json or pareto.json result found: one entry per method.

    Each entry: ``method`` (the searcher's label), ``family`` (``darts`` or ``supernet``),
    ``arch``, measured ``seconds`` and ``device``.  A pareto.json gives every searcher it ran
    (its single-objective best; NSGA-II: its most accurate pick).  A supernet searcher's cost is
    the supernet's training time plus the seconds its own candidate evaluations took (measured
    per candidate, so a resumed run counts them too).
    """
    device = result.get("provenance", {}).get("device", "unknown")
    if result.get("method") == "darts":
        return [{"method": f"DARTS ({result.get('order', 'first')}-order)", "family": "darts",
                 "arch": result["derived_arch"], "seconds": float(result["search_seconds"]), "device": device}]
    if "searchers" not in result:
        if "nsga2" in result:
            raise ConfigError("this pareto.json was written by an older mixpath-bench (no 'searchers' section); "
                              "re-run tools/search.py")
        raise ConfigError("a result file must be a darts.json or a pareto.json")
    supernet = float(result.get("supernet_train_seconds") or 0.0)
    configured = (result.get("provenance", {}).get("config") or {}).get("searchers") or {}
    rows = []
    for name, searched in result["searchers"].items():
        best = max(searched["picks"], key=lambda p: p["acc"]) if searched["picks"] else searched["best"]
        if best is None:
            continue
        seed = (configured.get(name) or {}).get("seed")
        rows.append({"method": searched["label"], "family": "supernet", "arch": best["arch"],
                     "seconds": supernet + float(searched["cost_seconds"]), "device": device,
                     "seed": None if seed is None else int(seed)})
    return rows


def seed_of(result: dict, found: dict) -> int | None:
    """The seed of a found architecture's run: its searcher's configured seed, else the result's."""
    if found.get("seed") is not None:
        return found["seed"]
    return int(result["seed"]) if "seed" in result else None


def build_table(paths: Sequence[str | Path], truth, with_rank: bool = False,
                reference: Sequence[float] | None = None) -> dict:
    """Rows per (result file, method) and a summary per method (mean +- sample std over seeds).

    Architectures are identified by the space's `canonical_key` (S4: one row per network, whatever
    encoding a method returned).  `with_rank` adds each found architecture's rank among the 34
    unique S4 architectures, or
    among the accuracies in `reference` when given (then the key is ``rank_of_<len(reference)>``).
    """
    rows = []
    ranked = None
    if with_rank:
        ranked = sorted(reference, reverse=True) if reference is not None else sorted(
            (truth.accuracy(s4_canonical(g[0])) for g in s4_unique_archs().values()), reverse=True)
    for path in paths:
        result = load_json(path, ConfigError)
        for found in found_architectures(result):
            arch = parse_arch(found["arch"])
            space = get_space(arch.space)
            row = {"file": str(path), "method": found["method"], "family": found["family"], "seed": seed_of(result, found),
                   "arch": space.canonical(arch).to_string(), "network": space.canonical_key(arch),
                   "truth_acc": truth.accuracy(arch), "search_hours": found["seconds"] / 3600.0,
                   "device": found["device"]}
            if ranked is not None and (reference is not None or arch.space == "S4"):
                row[f"rank_of_{len(ranked)}"] = 1 + sum(a > row["truth_acc"] for a in ranked)
            rows.append(row)
    summary = {}
    for method in dict.fromkeys(r["method"] for r in rows):
        accs = np.array([r["truth_acc"] for r in rows if r["method"] == method])
        hours = np.array([r["search_hours"] for r in rows if r["method"] == method])
        summary[method] = {"family": next(r["family"] for r in rows if r["method"] == method),
                           "runs": len(accs), "mean": float(accs.mean()),
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
    rank = next((k for r in table["rows"] for k in r if k.startswith("rank_of_")), None)
    lines += ["", "| method | seed | architecture | top-1 (%) | search cost (h) |" +
              (f" rank of {rank[8:]} |" if rank else ""), "|---|---|---|---|---|" + ("---|" if rank else "")]
    for r in table["rows"]:
        lines.append(f"| {r['method']} | {r['seed']} | {r['arch']} | {r['truth_acc']:.2f} | {r['search_hours']:.3f} |"
                     + (f" {r.get(rank, '')} |" if rank else ""))
    return "\n".join(lines) + "\n"
