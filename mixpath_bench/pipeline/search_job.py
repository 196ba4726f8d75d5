"""The search job behind `tools/search.py`: every searcher a config names, on one supernet config.

The config's ``searchers`` dict names registered searchers (`mixpath_bench.search.SEARCHERS`:
``nsga2``, ``random``, ``evolution``, ``local``, and ``darts``, which trains its own weights; all
registered by `bench.searchers.register_searchers`) with their settings, run in that order.
Searchers that score candidates with a trained supernet share one evaluator of the supernet
checkpoint; a config of searchers that train their own weights needs no checkpoint.  A searcher
that takes a budget and is given none gets the number of distinct networks the first searcher
evaluated (random search at NSGA-II's budget).  Each checkpoints into the work dir
(``<name>.json``); ``resume=True`` continues each one where it stopped and reuses finished ones.
``pareto.json`` holds every `SearchResult` with provenance, ``pareto.png`` the fronts
(supplementary Fig. 1), and a searcher with figures of its own adds them (DARTS: ``alphas.png``).
"""
from __future__ import annotations

import copy
import time
from pathlib import Path
from typing import Callable

from mmengine.config import Config

from ..engine.checkpoint import load_checkpoint_file, train_seconds
from ..engine.config import check_keys, construct, load_config
from ..engine.lock import lock_work_dir
from ..package_data import config_reference
from ..errors import CheckpointError, ConfigError
from ..jsonio import json_round_trip, load_json, save_json_atomic
from ..spaces import network_space
from ..progress import tee_log
from ..provenance import file_sha256, provenance
from ..search import SEARCHERS, Constraints, SearchError, build_searcher
from ..search.registry import check_settings, setting_types
from ..bench.evaluator import SupernetEvaluator, build_evaluator
from ..bench.searchers import register_searchers
from .plots import plot_pareto
from .stage import LOGGING_KEYS, config_digest

SEARCH_KEYS = {"supernet_config", "evaluator", "constraints", "searchers"}


def load_search_config(path: str | Path, options: dict | None = None) -> Config:
    """A search config: which supernet config, evaluator settings, and the searchers to run."""
    register_searchers()
    cfg = load_config(path, options, allowed=SEARCH_KEYS)
    for key in ("supernet_config", "searchers"):
        if not cfg.get(key):
            raise ConfigError(f"search config {path} needs '{key}'"
                              + (f" (a dict of searchers: {', '.join(sorted(SEARCHERS))})" if key == "searchers" else ""))
    cfg.supernet_config = str(config_reference(cfg.supernet_config, path, "supernet_config"))
    check_keys(Config(dict(cfg.get("evaluator") or {})), {"calib_batches", "calib_batch_size", "val_batch_size",
                                                    "input_size", "with_uncalibrated", "amp", "channels_last"})
    for key in ("calib_batches", "calib_batch_size", "val_batch_size"):  # the same rules as tools/rank.py's
        value = (cfg.get("evaluator") or {}).get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise ConfigError(f"evaluator.{key} must be a positive integer (candidates are scored after BN "
                              f"calibration on training batches), got {value!r}")
    construct(Constraints, dict(cfg.get("constraints") or {}), "constraints")
    for i, (name, settings) in enumerate(dict(cfg.searchers).items()):
        check_settings(name, dict(settings or {}))
        if i == 0 and "budget" in searcher_params(name) and (settings or {}).get("budget") is None:
            raise ConfigError(f"searchers.{name}: the first searcher needs a budget (it sets the others' default)")
    return cfg


def searcher_params(name: str) -> set[str]:
    """The keys a config may set for a registered searcher (its settings)."""
    register_searchers()
    return set(setting_types(SEARCHERS[name]))


def needs_checkpoint(cfg: Config) -> bool:
    """Does any of the config's searchers score candidates with a trained supernet?"""
    register_searchers()
    return any(not getattr(SEARCHERS[name], "trains_weights", False) for name in cfg.searchers)


def with_seed(cfg: Config, seed: int | None) -> Config:
    """A copy of a search config whose every searcher runs with `seed` (None: as configured)."""
    out = copy.deepcopy(cfg)
    if seed is not None:
        out.searchers = {name: dict(settings or {}, seed=seed) for name, settings in dict(cfg.searchers).items()}
    return out


def search_evaluator(cfg: Config, checkpoint: str, device: str = "cpu",
                     supernet_cfg: Config | None = None) -> SupernetEvaluator:
    """The evaluator a search config asks for (calibrated accuracy only, unless it says otherwise).

    `supernet_cfg`: its supernet config, already loaded (else read from ``cfg.supernet_config``)."""
    return build_evaluator(supernet_cfg or load_config(cfg.supernet_config), checkpoint, device=device,
                           **{"with_uncalibrated": False, **dict(cfg.get("evaluator") or {})})


def run_search_job(cfg: Config, checkpoint: str | None, work_dir: str | Path, resume: bool = False,
                   device: str = "cpu", seed: int | None = None, evaluator: SupernetEvaluator | None = None,
                   supernet_cfg: Config | None = None, log: Callable[[str], None] = print) -> tuple[dict, list[Path]]:
    """Run every searcher of the loaded search config `cfg` (`load_search_config`); returns the
    ``pareto.json`` content and the figures written.

    `checkpoint`: the trained supernet (only when a searcher scores candidates with it). `seed`:
    every searcher's seed. `evaluator`: one built by `search_evaluator` for the same config and
    checkpoint, to share its cache between several runs (scores are deterministic, so results are
    the same as without it; each searcher's cost still counts every candidate it asked for at its
    measured price). `supernet_cfg`: ``cfg.supernet_config`` already loaded.
    """
    cfg = with_seed(cfg, seed)
    if needs_checkpoint(cfg) and (checkpoint is None or not Path(checkpoint).is_file()):
        raise CheckpointError(f"checkpoint {checkpoint} does not exist" if checkpoint else
                              "this search config's searchers score candidates with a supernet: give its checkpoint")
    work = Path(work_dir)
    work.mkdir(parents=True, exist_ok=True)
    with lock_work_dir(work, "tools/search.py"):  # one search per work dir
        return _search(cfg, checkpoint, work, resume, device, evaluator, supernet_cfg, tee_log(log, work / "search.log"))


def _search(cfg: Config, checkpoint: str | None, work: Path, resume: bool, device: str,
            evaluator: SupernetEvaluator | None, supernet_cfg: Config | None,
            log: Callable[[str], None]) -> tuple[dict, list[Path]]:
    start = time.perf_counter()
    supernet_cfg = supernet_cfg or load_config(cfg.supernet_config)  # read once: resume check and evaluator
    uses_checkpoint = needs_checkpoint(cfg)
    check_source(work, {"checkpoint_sha256": file_sha256(checkpoint) if uses_checkpoint else None,
                        "evaluator": json_round_trip(dict(cfg.get("evaluator") or {})),
                        "supernet_config": config_digest(supernet_cfg, LOGGING_KEYS)}, resume)
    if uses_checkpoint:
        evaluator = evaluator or search_evaluator(cfg, checkpoint, device, supernet_cfg=supernet_cfg)
    space = evaluator.space if evaluator is not None else network_space(supernet_cfg.model.network)
    constraints = construct(Constraints, dict(cfg.get("constraints") or {}), "constraints")
    results, searchers, budget = {}, {}, None
    for name, settings in dict(cfg.searchers).items():
        searchers[name] = build_searcher(name, space, dict(settings or {}), constraints=constraints, budget=budget,
                                         supernet=supernet_cfg, device=device)
        results[name] = searchers[name].run(evaluator, work / f"{name}.json", resume, log)
        budget = budget or results[name].evaluations or None
    summary = {
        "space": space.name, "m": space.m, "checkpoint": str(checkpoint) if uses_checkpoint else None,
        "searchers": {name: r.to_json() for name, r in results.items()},
        "search_seconds": time.perf_counter() - start,
        "supernet_train_seconds": train_seconds(load_checkpoint_file(checkpoint)) if uses_checkpoint else None,
        "provenance": provenance(cfg.to_dict(), device),
    }
    save_json_atomic(work / "pareto.json", summary)
    figures = search_figures(results, searchers, space.name, work)
    log(f"search: wrote {work / 'pareto.json'}" + "".join(f" and {f}" for f in figures))
    return summary, figures


def search_figures(results: dict, searchers: dict, space: str, work: Path) -> list[Path]:
    """``pareto.png`` of the searchers that evaluated candidates, then each searcher's own figures."""
    scored = {n: r for n, r in results.items() if r.history}
    figures = []
    if scored:
        figures.append(plot_pareto({r.label: r.front for r in scored.values()}, work / "pareto.png",
                                   {r.label: r.history for r in scored.values()},
                                   title=f"{space}, distinct networks evaluated:\n"
                                   + ", ".join(f"{n} {r.evaluations}" for n, r in scored.items())))
    for name, searcher in searchers.items():
        if hasattr(searcher, "figures"):
            figures += searcher.figures(work / f"{name}.json")
    return figures


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
