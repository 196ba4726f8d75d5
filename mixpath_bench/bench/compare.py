"""Supplementary Table 2 from result files: each method's found architectures, their ground truth,
the search cost the runs measured themselves, and mean +- std over seeds."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from ..errors import ConfigError
from ..jsonio import load_json
from ..spaces import parse_arch, s4_canonical, s4_unique_archs


def found_architectures(result: dict, all_methods: bool = False) -> list[tuple[str, str, float, str]]:
    """(method, architecture, measured seconds, device) found in a darts.json or pareto.json result.

    A pareto.json gives its single-objective result: the evolution's best, else NSGA-II's most
    accurate pick.  With `all_methods`, every searcher it holds: evolution, NSGA-II (most accurate
    pick) and random search (best).  A MixPath method's cost is the supernet's training time plus
    the seconds its own candidate evaluations took (recorded per candidate), or the whole search
    job's time for results written before per-candidate times existed.
    """
    device = result.get("provenance", {}).get("device", "unknown")
    if result.get("method") == "darts":
        return [(f"DARTS ({result.get('order', 'first')}-order)", result["derived_arch"],
                 float(result["search_seconds"]), device)]
    if "nsga2" not in result:
        raise ConfigError("a result file must be a darts.json or a pareto.json")
    supernet = float(result.get("supernet_train_seconds") or 0.0)

    def cost(section: dict) -> float:
        own = section.get("evaluation_seconds")
        return supernet + float(own if own is not None else result.get("search_seconds") or 0.0)

    rows = []
    evo = result.get("evolution") or {}
    if evo.get("best"):
        rows.append(("MixPath (evolution)", evo["best"]["arch"], cost(evo), device))
    if all_methods or not rows:
        pick = max(result["nsga2"]["picks"], key=lambda p: p["acc"])
        rows.append(("MixPath (NSGA-II best)", pick["arch"], cost(result["nsga2"]), device))
    rnd = result.get("random") or {}
    if all_methods and rnd.get("best"):
        rows.append(("random search (best)", rnd["best"]["arch"], cost(rnd), device))
    return rows


def seed_of(result: dict) -> int | None:
    if "seed" in result:
        return int(result["seed"])
    config = result.get("provenance", {}).get("config") or {}
    for key in ("evolution", "nsga2"):
        if isinstance(config.get(key), dict) and "seed" in config[key]:
            return int(config[key]["seed"])
    return None


def build_table(paths: Sequence[str | Path], truth, with_rank: bool = False, all_methods: bool = False,
                reference: Sequence[float] | None = None) -> dict:
    """Rows per (result file, method) and a summary per method (mean +- sample std over seeds).

    `with_rank` adds each found architecture's rank among the 34 unique S4 architectures, or
    among the accuracies in `reference` when given (then the key is ``rank_of_<len(reference)>``).
    """
    rows = []
    ranked = None
    if with_rank:
        ranked = sorted(reference, reverse=True) if reference is not None else sorted(
            (truth.accuracy(s4_canonical(g[0])) for g in s4_unique_archs().values()), reverse=True)
    for path in paths:
        result = load_json(path, ConfigError)
        for method, arch_text, seconds, device in found_architectures(result, all_methods):
            arch = parse_arch(arch_text)
            row = {"file": str(path), "method": method, "seed": seed_of(result), "arch": arch.to_string(),
                   "truth_acc": truth.accuracy(arch), "search_hours": seconds / 3600.0, "device": device}
            if ranked is not None and (reference is not None or arch.space == "S4"):
                row[f"rank_of_{len(ranked)}"] = 1 + sum(a > row["truth_acc"] for a in ranked)
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
    rank = next((k for r in table["rows"] for k in r if k.startswith("rank_of_")), None)
    lines += ["", "| method | seed | architecture | top-1 (%) | search cost (h) |" +
              (f" rank of {rank[8:]} |" if rank else ""), "|---|---|---|---|---|" + ("---|" if rank else "")]
    for r in table["rows"]:
        lines.append(f"| {r['method']} | {r['seed']} | {r['arch']} | {r['truth_acc']:.2f} | {r['search_hours']:.3f} |"
                     + (f" {r.get(rank, '')} |" if rank else ""))
    return "\n".join(lines) + "\n"
