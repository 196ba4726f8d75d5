"""The end-to-end MixPath experiment behind `tools/experiment.py`: one config, the registered stages.

The stages are the registered ones (`stages/__init__.py` imports them in pipeline order: truth,
supernets, ranking, search, darts, table2, analysis, msweep; each module's docstring says what it
does).  Then ``report.md`` + ``results.json``, assembled from each stage's section and verdicts.

The runner owns what stages share: it validates every section (and the search / DARTS configs
they name) before the first stage runs, holds the work dir's lock, computes each stage's key
(its settings, the files it reads and its upstream keys), reuses a finished stage with the same
key, resumes an interrupted one (inside a stage every step checkpoints), and moves a stage whose
key changed aside (``<stage>.replaced-<time>``) instead of deleting it.  Outputs name files
relative to the work dir, so a work dir can be moved.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from pathlib import Path
from typing import Any, Callable

from ..engine.config import load_config
from ..engine.device import resolve_device
from ..engine.lock import lock_work_dir
from ..errors import ConfigError
from ..jsonio import atomic_path, load_json, save_json_atomic
from ..progress import tee_log
from ..provenance import provenance
from . import stages as _stages  # noqa: F401 - registers the stages
from .report import StageRecord, write_report
from .settings import parse_settings, plain
from .executor import build_executor
from .stage import STAGES, Context, NoSettings, output_from_json, output_to_json

#: Top-level keys of an experiment config besides the stages' sections.
RUN_KEYS = {"supernet_config", "supernet_options", "work_dir", "device", "workers", "executor"}


def experiment_keys() -> set[str]:
    """Every top-level key an experiment config may hold: the run's and each registered stage's section."""
    return RUN_KEYS | {cls.section for cls in STAGES.values() if cls.section}


def load_experiment_config(path: str | Path, options: dict | None = None):
    """An experiment config: top-level keys checked (each section is checked by its stage's settings)."""
    cfg = load_config(path, options, allowed=experiment_keys())
    if cfg.get("supernet_config") is None:
        raise ConfigError(f"experiment config {path} needs 'supernet_config'")
    return cfg


MERGED_SUPERNET_CONFIG = "supernet_config.json"  # the supernet config with ``supernet_options`` merged in


class Experiment:
    """Runs the enabled stages of one experiment config into one work dir."""

    def __init__(self, config: str | Path, work_dir: str | Path | None = None, options: dict | None = None,
                 device: str | None = None, log: Callable[[str], None] = print, executor: dict | None = None) -> None:
        """`executor`: overrides the config's ``executor`` section (``dict(type='ray', address='auto')``)."""
        self.config_path = str(config)
        self.cfg = load_experiment_config(config, options)
        self.work = Path(work_dir or self.cfg.get("work_dir") or Path("work_dirs") / Path(config).stem)
        self.log = log
        workers = self.cfg.get("workers", 1)
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise ConfigError(f"workers must be a positive integer, got {workers!r}")
        self.stages = {name: cls() for name, cls in STAGES.items() if self._enabled(cls)}
        self.settings = {name: self._settings(stage) for name, stage in self.stages.items()}
        supernet_config = str(self.cfg.supernet_config)
        supernet_cfg = load_config(supernet_config, dict(self.cfg.get("supernet_options") or {}))
        self._merged = None
        if self.cfg.get("supernet_options"):
            # every stage (and the training processes) reads this merged copy, kept with the results.  It
            # is data (JSON, never executed: no option text becomes code), and written only while this
            # process holds the work dir's lock - here, and again when `run` takes it for the whole run -
            # so a run refused by the lock changes nothing of a live one
            self._merged = supernet_cfg
            with lock_work_dir(self.work, "tools/experiment.py"):
                self._write_merged()
            supernet_config = str(self.work / MERGED_SUPERNET_CONFIG)
        self._finish_init(supernet_config, supernet_cfg, device, executor, workers, log)

    def _write_merged(self) -> None:
        if self._merged is not None:
            with atomic_path(self.work / MERGED_SUPERNET_CONFIG) as tmp:  # the .json suffix: dumped as data
                self._merged.dump(str(tmp))

    def _finish_init(self, supernet_config: str, supernet_cfg, device, executor, workers: int, log) -> None:
        archs = next(a for name, stage in self.stages.items()
                     if (a := stage.experiment_archs(supernet_cfg, self.settings[name])) is not None)
        resolved = resolve_device(device or self.cfg.get("device", "auto"))
        spec = executor if executor is not None else self.cfg.get("executor")
        if spec is not None and not isinstance(spec, dict):
            raise ConfigError(f"executor must be a dict like dict(type='ray', address='auto'), got {spec!r}")
        self.ctx = Context(self.work, resolved, workers, supernet_config, supernet_cfg, archs, log,
                           build_executor(dict(spec) if spec else None, workers, resolved))
        for name, stage in self.stages.items():
            stage.validate(self.ctx, self.settings[name], self.settings)
        self.records: dict[str, StageRecord] = {}

    def _enabled(self, cls: type) -> bool:
        if not cls.optional:
            return True
        if cls.section:
            return self.cfg.get(cls.section) is not None
        return any(self._enabled(STAGES[u]) for u in cls.uses)

    def _settings(self, stage) -> Any:
        if stage.Settings is NoSettings:
            return NoSettings()
        return parse_settings(stage.Settings, self.cfg.get(stage.section), stage.section)

    # -- one stage ---------------------------------------------------------------------------------
    def key(self, name: str) -> tuple[str, dict]:
        stage, settings = self.stages[name], self.settings[name]
        inputs = {"settings": plain(dataclasses.asdict(settings)), "inputs": stage.key_inputs(self.ctx, settings),
                  "upstream": {u: self.records[u].key for u in (*stage.needs, *stage.uses) if u in self.records}}
        return hashlib.sha256(json.dumps(inputs, sort_keys=True, default=str).encode()).hexdigest()[:16], inputs

    def run_stage(self, name: str, force: bool = False) -> StageRecord:
        """Run stage `name` unless a finished run with the same key is on disk; returns its record."""
        stage = self.stages[name]
        key, inputs = self.key(name)
        folder = self.work / name
        record_path = folder / "stage.json"
        record = load_json(record_path, ConfigError) if record_path.is_file() else None
        output = self.reusable(name, record, key, force)
        if output is not None:
            self.ctx.log(f"== {name}: inputs unchanged, reusing {record_path}")
        else:
            if record and (record.get("key") != key or force or record.get("done")):
                aside = folder.with_name(f"{name}.replaced-{time.strftime('%Y%m%d-%H%M%S')}")
                folder.rename(aside)
                why = "forced" if force else "inputs changed" if record.get("key") != key else \
                    "written by another version of the stage"
                self.ctx.log(f"== {name}: {why}; the previous run is kept in {aside}")
            elif record:
                self.ctx.log(f"== {name}: resuming an interrupted run")
            else:
                self.ctx.log(f"== {name}: running")
            folder.mkdir(parents=True, exist_ok=True)
            save_json_atomic(record_path, {"stage": name, "key": key, "inputs": inputs, "done": False})
            start = time.perf_counter()
            upstream = {u: self.records[u].output for u in (*stage.needs, *stage.uses) if u in self.records}
            output = stage.run(self.ctx, self.settings[name], upstream, folder)
            record = {"stage": name, "key": key, "inputs": inputs, "done": True, "outputs": output_to_json(output),
                      "seconds": time.perf_counter() - start, "provenance": provenance(None, self.ctx.device)}
            save_json_atomic(record_path, record)
            self.ctx.log(f"== {name}: done in {record['seconds']:.0f} s")
        self.records[name] = StageRecord(key, float(record["seconds"]), output)
        return self.records[name]

    def reusable(self, name: str, record: dict | None, key: str, force: bool):
        """The output of a finished run with this key, or None (none, forced, or from another version)."""
        if not record or record.get("key") != key or not record.get("done") or force:
            return None
        try:
            return output_from_json(self.stages[name].Output, record["outputs"])
        except (ConfigError, KeyError, TypeError):
            return None

    # -- the pipeline ------------------------------------------------------------------------------
    def run(self, until: str | None = None, force: tuple[str, ...] = ()) -> dict:
        """Run (or reuse) the stages up to and including `until`; then write the report."""
        if until is not None and until not in STAGES:
            raise ConfigError(f"--until must be one of {', '.join(STAGES)}, got {until!r}")
        unknown = sorted(set(force) - set(STAGES))
        if unknown:
            raise ConfigError(f"--force: unknown stage(s) {', '.join(unknown)}; stages: {', '.join(STAGES)}")
        self.work.mkdir(parents=True, exist_ok=True)
        with lock_work_dir(self.work, "tools/experiment.py"):
            self._write_merged()  # this run's, under the lock it holds to the end
            self.ctx = dataclasses.replace(self.ctx, log=tee_log(self.log, self.work / "experiment.log"))
            start = time.perf_counter()
            for name in self.stages:
                self.run_stage(name, force=name in force)
                if name == until:
                    break
            results = write_report(self.ctx, self.config_path, self.cfg.to_dict(), self.records,
                                   time.perf_counter() - start, self.stages)
        self.ctx.log(f"experiment: wrote {self.work / 'report.md'} and {self.work / 'results.json'}")
        return results
