"""The search job behind `tools/search.py`: every searcher a config names, on one supernet.

The config's ``searchers`` dict names registered searchers (`mixpath_bench.search.SEARCHERS`:
``nsga2``, ``random``, ``evolution``, ``local``) with their settings, run in that order.  A
searcher that takes a budget and is given none gets the number of distinct networks the first
searcher evaluated (random search at NSGA-II's budget).  Each checkpoints into the work dir
(``<name>.json``) after every generation / 10 evaluations; ``resume=True`` continues each one where
it stopped and reuses finished ones.  ``pareto.json`` holds every `SearchResult` with provenance,
``pareto.png`` the fronts (supplementary Fig. 1).
"""
from __future__ import annotations

import inspect
import time
from pathlib import Path
from typing import Any, Callable

from mmengine.config import Config

from ..engine.checkpoint import load_checkpoint_file, train_seconds
from ..engine.config import check_keys, construct, load_config
from ..package_data import config_reference
from ..errors import CheckpointError, ConfigError
from ..jsonio import json_round_trip, load_json, save_json_atomic
from ..progress import tee_log
from ..provenance import file_sha256, provenance
from ..search import SEARCHERS, Constraints, SearchError, build_searcher
from ..search.registry import check_settings
from ..bench.evaluator import SupernetEvaluator, build_evaluator
from .plots import plot_pareto
from .stage import LOGGING_KEYS, config_digest

SEARCH_KEYS = {"supernet_config", "evaluator", "constraints", "searchers"}


def load_search_config(path: str | Path, options: dict | None = None) -> Config:
    """A search config: which supernet config, evaluator settings, and the searchers to run."""
    cfg = load_config(path, options, allowed=SEARCH_KEYS)
    for key in ("supernet_config", "searchers"):
        if not cfg.get(key):
            raise ConfigError(f"search config {path} needs '{key}'"
                              + (f" (a dict of searchers: {', '.join(sorted(SEARCHERS))})" if key == "searchers" else ""))
    cfg.supernet_config = str(config_reference(cfg.supernet_config, path, "supernet_config"))
    check_keys(Config(dict(cfg.evaluator or {})), {"calib_batches", "calib_batch_size", "val_batch_size",
                                                    "input_size", "with_uncalibrated", "amp", "channels_last"})
    construct(Constraints, dict(cfg.get("constraints") or {}), "constraints")
    for i, (name, settings) in enumerate(dict(cfg.searchers).items()):
        check_settings(name, dict(settings or {}))
        if i == 0 and "budget" in _params(name) and (settings or {}).get("budget") is None:
            raise ConfigError(f"searchers.{name}: the first searcher needs a budget (it sets the others' default)")
    return cfg


def _params(name: str) -> set[str]:
    return set(inspect.signature(SEARCHERS[name]).parameters)


def search_evaluator(cfg: Config, checkpoint: str, device: str = "cpu",
                     supernet_cfg: Config | None = None) -> SupernetEvaluator:
    """The evaluator a search config asks for (calibrated accuracy only, unless it says otherwise).

    `supernet_cfg`: its supernet config, already loaded (else read from ``cfg.supernet_config``)."""
    return build_evaluator(supernet_cfg or load_config(cfg.supernet_config), checkpoint, device=device,
                           **{"with_uncalibrated": False, **dict(cfg.evaluator or {})})


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
    if not Path(checkpoint).is_file():
        raise CheckpointError(f"checkpoint {checkpoint} does not exist")
    work = Path(work_dir)
    work.mkdir(parents=True, exist_ok=True)
    log = tee_log(log, work / "search.log")
    supernet_cfg = load_config(cfg.supernet_config)  # read once: for the resume check and the evaluator
    check_source(work, {"checkpoint_sha256": file_sha256(checkpoint),
                        "evaluator": json_round_trip(dict(cfg.evaluator or {})),
                        "supernet_config": config_digest(supernet_cfg, LOGGING_KEYS)}, resume)
    evaluator = evaluator or search_evaluator(cfg, checkpoint, device, supernet_cfg=supernet_cfg)
    space = evaluator.space

    constraints = construct(Constraints, dict(cfg.get("constraints") or {}), "constraints")
    results = {}
    budget = None
    for name, settings in dict(cfg.searchers).items():
        searcher = build_searcher(name, space, dict(settings or {}), constraints=constraints, budget=budget)
        results[name] = searcher.run(evaluator, work / f"{name}.json", resume, log)
        budget = budget or results[name].evaluations

    summary = {
        "space": space.name, "m": space.m, "checkpoint": str(checkpoint),
        "searchers": {name: r.to_json() for name, r in results.items()},
        "search_seconds": time.perf_counter() - start,
        "supernet_train_seconds": train_seconds(load_checkpoint_file(checkpoint)),
        "provenance": provenance(cfg.to_dict(), device),
    }
    save_json_atomic(work / "pareto.json", summary)
    plot_pareto({r.label: r.front for r in results.values()}, work / "pareto.png",
                {r.label: r.history for r in results.values()},
                title=f"{space.name}, distinct networks evaluated:\n"
                + ", ".join(f"{n} {r.evaluations}" for n, r in results.items()))
    log(f"search: wrote {work / 'pareto.json'} and {work / 'pareto.png'}")
    return summary


def check_source(work: Path, source: dict, resume: bool) -> None:
    """Resuming reuses the searchers' evaluations: only for the same supernet checkpoint (by content),
    evaluator settings and supernet config.  ``source.json`` in the work dir records them."""
    path = work / "source.json"
    if resume and path.is_file():
        recorded = load_json(path, SearchError)
        changed = [k for k in source if recorded.get(k) != source[k]]
        if changed:
            raise SearchError(f"{work} was searched with another {' and '.join(k.replace('_sha256', '') for k in changed)}"
                              "; its evaluations do not apply: use another work dir, or drop --resume to start over")
    save_json_atomic(path, source)
