"""The search job behind `tools/search.py`: NSGA-II, random search at equal budget, evolution.

Each searcher checkpoints into the work dir (``nsga2.json``, ``random.json``, ``evolution.json``)
after every generation / 10 evaluations; ``resume=True`` continues each one where it stopped and
reuses finished ones.  ``pareto.json`` holds the results with provenance, ``pareto.png`` the
supplementary Fig. 1 comparison (NSGA-II vs random search).
"""
from __future__ import annotations

import inspect
import time
from pathlib import Path
from typing import Any, Callable

from mmengine.config import Config

from ..engine.checkpoint import load_checkpoint_file, train_seconds
from ..engine.config import check_keys, load_config
from ..errors import ConfigError
from ..jsonio import save_json_atomic
from ..provenance import provenance
from ..search import Constraints, NSGA2Search, RandomSearch, RegularizedEvolution
from .evaluator import SupernetEvaluator, build_evaluator
from .plots import plot_pareto

SEARCH_KEYS = {"supernet_config", "evaluator", "nsga2", "random_search", "evolution"}


def construct(cls: type, kwargs: dict, section: str, **fixed: Any) -> Any:
    """``cls(**fixed, **kwargs)`` with unknown keys reported as a config error naming the section."""
    allowed = set(inspect.signature(cls).parameters) - set(fixed)
    unknown = sorted(set(kwargs) - allowed)
    if unknown:
        raise ConfigError(f"{section}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}")
    return cls(**fixed, **kwargs)


def load_search_config(path: str | Path, options: dict | None = None) -> Config:
    """A search config: which supernet config, evaluator settings, and the searchers to run."""
    cfg = load_config(path, options, allowed=SEARCH_KEYS)
    for key in ("supernet_config", "nsga2"):
        if cfg.get(key) is None:
            raise ConfigError(f"search config {path} needs '{key}'")
    check_keys(Config(dict(cfg.evaluator or {})), {"calib_batches", "calib_batch_size", "val_batch_size",
                                                    "input_size", "with_uncalibrated", "amp", "channels_last"})
    return cfg


def search_evaluator(cfg: Config, checkpoint: str, device: str = "cpu") -> SupernetEvaluator:
    """The evaluator a search config asks for (calibrated accuracy only, unless it says otherwise)."""
    return build_evaluator(load_config(cfg.supernet_config), checkpoint, device=device,
                           **{"with_uncalibrated": False, **dict(cfg.evaluator or {})})


def evaluation_seconds(state: dict) -> float:
    """Seconds a searcher spent evaluating candidates (recorded per candidate, so resumes count too)."""
    return float(sum(m.get("seconds", 0.0) for m in state["metrics"].values()))


def run_search_job(config: str | Path, checkpoint: str, work_dir: str | Path, resume: bool = False,
                   device: str = "cpu", options: dict | None = None, evaluator: SupernetEvaluator | None = None,
                   log: Callable[[str], None] = print) -> dict:
    """Run every configured searcher on the supernet `checkpoint`; returns the ``pareto.json`` content.

    `evaluator`: one built by `search_evaluator` for the same config and checkpoint, to share its
    cache between several runs (scores are deterministic, so results are the same as without it;
    each searcher's cost still counts every candidate it asked for at its measured price).
    """
    start = time.perf_counter()
    cfg = load_search_config(config, options)
    work = Path(work_dir)
    work.mkdir(parents=True, exist_ok=True)
    evaluator = evaluator or search_evaluator(cfg, checkpoint, device)
    space = evaluator.space

    ns_cfg = dict(cfg.nsga2)
    constraints = construct(Constraints, dict(ns_cfg.pop("constraints", {}) or {}), "nsga2.constraints")
    nsga = construct(NSGA2Search, ns_cfg, "nsga2", space=space, constraints=constraints)
    results = {"nsga2": nsga.run(evaluator, work / "nsga2.json", resume, log)}
    budget = len(results["nsga2"]["metrics"])
    if cfg.get("random_search") is not None:
        rs = construct(RandomSearch, dict(cfg.random_search), "random_search", space=space, budget=budget,
                       objectives=nsga.objectives, constraints=constraints)
        results["random"] = rs.run(evaluator, work / "random.json", resume, log)
    if cfg.get("evolution") is not None:
        evo = construct(RegularizedEvolution, dict(cfg.evolution), "evolution", space=space, constraints=constraints)
        results["evolution"] = evo.run(evaluator, work / "evolution.json", resume, log)

    summary = {
        "space": space.name, "m": space.m, "checkpoint": str(checkpoint),
        "nsga2": {"picks": results["nsga2"]["picks"], "pareto": results["nsga2"]["pareto"],
                  "evaluations": budget, "rejected": results["nsga2"]["rejected"],
                  "evaluation_seconds": evaluation_seconds(results["nsga2"])},
        "search_seconds": time.perf_counter() - start,
        "supernet_train_seconds": train_seconds(load_checkpoint_file(checkpoint)),
        "provenance": provenance(cfg.to_dict(), device),
    }
    if "random" in results:
        summary["random"] = {"pareto": results["random"]["pareto"], "best": results["random"]["best"],
                             "evaluations": len(results["random"]["metrics"]),
                             "evaluation_seconds": evaluation_seconds(results["random"])}
    if "evolution" in results:
        summary["evolution"] = {"best": results["evolution"]["best"],
                                "evaluations": len(results["evolution"]["metrics"]),
                                "evaluation_seconds": evaluation_seconds(results["evolution"])}
    save_json_atomic(work / "pareto.json", summary)
    fronts = {"NSGA-II": summary["nsga2"]["pareto"]}
    clouds = {"NSGA-II": list(results["nsga2"]["metrics"].values())}
    if "random" in summary:
        fronts["random search"] = summary["random"]["pareto"]
        clouds["random search"] = list(results["random"]["metrics"].values())
    plot_pareto(fronts, work / "pareto.png", clouds, title=f"{space.name}: NSGA-II vs random search "
                f"({budget} evaluations each)")
    log(f"search: wrote {work / 'pareto.json'} and {work / 'pareto.png'}")
    return summary

