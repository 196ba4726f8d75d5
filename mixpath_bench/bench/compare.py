"""Supplementary Table 2 from search results: each method's found architectures, their ground truth,
the search cost the runs measured themselves, and mean +- std over seeds.  Every searcher is read
the same way, from its `SearchResult` in a pareto.json (DARTS included)."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ..errors import ConfigError
from ..search.registry import searcher_family
from ..spaces import get_space, parse_arch
from .searchers import register_searchers


def found_architectures(result: dict, file: str = "") -> list[dict]:
    """What a pareto.json result (`tools/search.py`, DARTS included) found: one entry per searcher.

    Each entry: ``method`` (the searcher's label), ``family`` (the searcher class's: ``supernet``
    or, for searchers that train their own weights, e.g. ``darts``), ``arch``, measured
    ``seconds``, ``device``, ``seed`` and the ``file`` it came from.  Each searcher gives its
    most accurate pick (NSGA-II: of its K picks; DARTS: its derived architecture).  A supernet
    searcher's cost is the supernet's training time plus the seconds its own candidate
    evaluations took (measured per candidate, so a resumed run counts them too); a searcher that
    trains its own weights costs its whole run.
    """
    if "searchers" not in result:
        if "nsga2" in result or result.get("method") == "darts":
            raise ConfigError("this result file was written by an older mixpath-bench (no 'searchers' section); "
                              "re-run tools/search.py")
        raise ConfigError("a result file must be a pareto.json written by tools/search.py")
    register_searchers()  # each searcher class says its family
    device = result.get("provenance", {}).get("device", "unknown")
    supernet = float(result.get("supernet_train_seconds") or 0.0)
    configured = (result.get("provenance", {}).get("config") or {}).get("searchers") or {}
    rows = []
    for name, searched in result["searchers"].items():
        picks = searched["picks"]
        best = max(picks, key=lambda p: p.get("acc", float("-inf"))) if picks else searched["best"]
        if best is None:
            continue
        seed = (configured.get(name) or {}).get("seed")
        rows.append({"method": searched["label"], "family": searcher_family(searched["searcher"]), "arch": best["arch"],
                     "seconds": supernet + float(searched["cost_seconds"]), "device": device,
                     "seed": None if seed is None else int(seed), "file": str(file),
                     # the trained supernet the search scored with (None: the searcher trained its own weights)
                     "checkpoint": result.get("checkpoint")})
    return rows


def build_table(found: Sequence[dict], truth, with_rank: bool = False,
                reference: Sequence[float] | None = None) -> dict:
    """Rows per found architecture (`found_architectures` entries) and a summary per method (mean +-
    sample std over seeds).

    Architectures are identified by the space's `canonical_key` (S4: one row per network, whatever
    encoding a method returned).  `with_rank` adds each found architecture's rank among the
    accuracies in `reference` (the key is ``rank_of_<len(reference)>``), by default the truth of
    every network of an enumerable space.
    """
    rows = []
    for f in found:
        arch = parse_arch(f["arch"])
        space = get_space(arch.space)
        rows.append({"file": f["file"], "method": f["method"], "family": f["family"], "seed": f["seed"],
                     "checkpoint": f.get("checkpoint"),
                     "arch": space.canonical(arch).to_string(), "network": space.canonical_key(arch),
                     "truth_acc": truth.accuracy(arch), "search_hours": f["seconds"] / 3600.0, "device": f["device"]})
    ranked = None
    if with_rank and rows:
        ranked = reference if reference is not None else network_truths(parse_arch(found[0]["arch"]), truth)
    if ranked is not None:
        ranked = sorted(ranked, reverse=True)
        for row in rows:
            row[f"rank_of_{len(ranked)}"] = 1 + sum(a > row["truth_acc"] for a in ranked)
    summary = {}
    for method in dict.fromkeys(r["method"] for r in rows):
        accs = np.array([r["truth_acc"] for r in rows if r["method"] == method])
        hours = np.array([r["search_hours"] for r in rows if r["method"] == method])
        mine = [r for r in rows if r["method"] == method]
        # independent trainings behind the runs: a supernet search's distinct supernet checkpoints (search seeds
        # on one checkpoint share its training); a searcher that trains its own weights: one per run
        shared = all(r.get("checkpoint") for r in mine)
        trainings = len({r["checkpoint"] for r in mine}) if shared else len(mine)
        # the unit of chance is a training: the mean over the search seeds of each supernet checkpoint
        per_training = ([float(np.mean([r["truth_acc"] for r in mine if r["checkpoint"] == c]))
                         for c in dict.fromkeys(r["checkpoint"] for r in mine)] if shared
                        else [float(r["truth_acc"]) for r in mine])
        summary[method] = {"family": mine[0]["family"], "runs": len(accs), "trainings": trainings,
                           "per_training": per_training, "mean": float(accs.mean()),
                           "std": float(accs.std(ddof=1)) if len(accs) > 1 else 0.0,
                           "search_hours_mean": float(hours.mean()),
                           "devices": sorted({r["device"] for r in rows if r["method"] == method})}
    return {"truth": truth.name, "rows": rows, "summary": summary}


def network_truths(arch, truth) -> list[float] | None:
    """The truth of every distinct network of `arch`'s space (S4: its 34); None for a space too
    large to enumerate."""
    space = get_space(arch.space)
    if space.size() > 10**6:
        return None
    networks = {}
    for a in space.enumerate():
        networks.setdefault(space.canonical_key(a), space.canonical(a))
    return [truth.accuracy(a) for a in networks.values()]


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
