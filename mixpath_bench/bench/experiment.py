"""The end-to-end MixPath experiment behind `tools/experiment.py`: one config, seven stages.

1. ``truth``     ground truth of every architecture to rank (stand-alone training with several
                 seeds, or NAS-Bench-101 / a table), with the seed noise measured;
2. ``supernets`` supernets with and without Shadow BN, same budget and seed (`tools/train.py`
                 subprocesses, concurrent on CPU, ``torchrun`` for several GPUs);
3. ``ranking``   every architecture scored by each supernet before/after BN calibration, Kendall
                 tau-b / Spearman rho with bootstrap intervals and the paired SBN - BN difference;
4. ``search``    evolution, NSGA-II and random search (NSGA-II's budget) on the SBN supernet, per seed;
5. ``darts``     DARTS per seed;
6. ``table2``    each found architecture's ground truth and rank (supplementary Table 2);
7. ``analysis``  the SBN analysis (statistics, t-SNE, cosine similarity) of the SBN supernet vs BN.
Then ``report.md`` + ``results.json``.

A stage is skipped when its ``stage.json`` records the same input key (a hash of its config
sections, the referenced config files' contents and the keys of the stages it reads); when the
key changed, its folder is cleared and it runs again.  Inside a stage every step checkpoints
(stand-alone runs, training epochs, search generations, DARTS epochs), so a killed run resumes
where it stopped.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import time
from pathlib import Path
from typing import Callable

from mmengine.config import Config

from ..engine.config import load_config
from ..errors import ConfigError
from ..jsonio import load_json, save_json_atomic
from ..provenance import provenance
from ..spaces import Arch
from . import experiment_stages as stages

EXPERIMENT_KEYS = {"supernet_config", "supernet_options", "work_dir", "device", "workers", "ground_truth",
                   "supernets", "ranking", "search", "darts", "analysis"}
STAGES = ("truth", "supernets", "ranking", "search", "darts", "table2", "analysis")
SECTION_KEYS = {
    "ground_truth": {"source", "metric", "seeds", "recipe", "max_archs", "num_archs", "n_boot"},
    "supernets": {"variants", "epochs", "gpus", "amp", "fast", "seed"},
    "ranking": {"calib_batches", "calib_batch_size", "n_boot", "fast"},
    "search": {"config", "seeds"},
    "darts": {"config", "seeds", "epochs"},
    "analysis": {"samples", "combos", "layers"},
}


def load_experiment_config(path: str | Path, options: dict | None = None) -> Config:
    """An experiment config with every section's keys checked."""
    cfg = load_config(path, options, allowed=EXPERIMENT_KEYS)
    if cfg.get("supernet_config") is None:
        raise ConfigError(f"experiment config {path} needs 'supernet_config'")
    for section, keys in SECTION_KEYS.items():
        unknown = sorted(set(cfg.get(section) or {}) - keys)
        if unknown:
            raise ConfigError(f"{section}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(keys))}")
    for section in ("search", "darts"):
        if cfg.get(section) is not None and not cfg[section].get("config"):
            raise ConfigError(f"{section} needs 'config' (a {section} config file)")
    return cfg


def resolve_device(device: str) -> str:
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ConfigError(f"device {device!r} asked for, but no CUDA GPU is available; use device='cpu'")
    return device


class Experiment:
    """Runs the stages of one experiment config into one work dir."""

    def __init__(self, config: str | Path, work_dir: str | Path | None = None, options: dict | None = None,
                 device: str | None = None, log: Callable[[str], None] = print) -> None:
        self.config_path = str(config)
        self.cfg = load_experiment_config(config, options)
        self.work = Path(work_dir or self.cfg.get("work_dir") or Path("work_dirs") / Path(config).stem)
        self.device = resolve_device(device or self.cfg.get("device", "auto"))
        workers = self.cfg.get("workers", 1)
        if not isinstance(workers, int) or workers < 1:
            raise ConfigError(f"workers must be a positive integer, got {workers!r}")
        self.workers = workers
        self.log = log
        self.supernet_cfg = load_config(self.cfg.supernet_config, dict(self.cfg.get("supernet_options") or {}))
        if self.cfg.get("supernet_options"):
            # every stage (and the training processes) reads this merged copy, kept with the results
            self.work.mkdir(parents=True, exist_ok=True)
            merged = self.work / "supernet_config.py"
            self.supernet_cfg.dump(str(merged))
            self.cfg.supernet_config = str(merged)
        self._archs: list[Arch] | None = None
        self.keys: dict[str, str] = {}
        self.outputs: dict[str, dict] = {}
        self.seconds: dict[str, float] = {}

    # -- stage bookkeeping -------------------------------------------------------------------------
    def stage_dir(self, name: str) -> Path:
        return self.work / name

    def run_stage(self, name: str, inputs: dict, fn: Callable[[Path], dict], force: bool = False) -> dict:
        """`fn(stage_dir)` unless a finished run with the same inputs is on disk."""
        key = hashlib.sha256(json.dumps(inputs, sort_keys=True, default=str).encode()).hexdigest()[:16]
        folder = self.stage_dir(name)
        record_path = folder / "stage.json"
        record = load_json(record_path, ConfigError) if record_path.is_file() else None
        if record and record.get("key") == key and record.get("done") and not force:
            self.log(f"== {name}: inputs unchanged, reusing {record_path}")
        else:
            if record and (record.get("key") != key or force):
                self.log(f"== {name}: {'forced' if force else 'inputs changed'}; clearing {folder}")
                shutil.rmtree(folder)
            elif record:
                self.log(f"== {name}: resuming an interrupted run")
            else:
                self.log(f"== {name}: running")
            folder.mkdir(parents=True, exist_ok=True)
            save_json_atomic(record_path, {"stage": name, "key": key, "inputs": inputs, "done": False})
            start = time.perf_counter()
            outputs = fn(folder)
            record = {"stage": name, "key": key, "inputs": inputs, "done": True, "outputs": outputs,
                      "seconds": time.perf_counter() - start, "provenance": provenance(None, self.device)}
            save_json_atomic(record_path, record)
            self.log(f"== {name}: done in {record['seconds']:.0f} s")
        self.keys[name], self.outputs[name], self.seconds[name] = key, record["outputs"], record["seconds"]
        return record["outputs"]

    # -- the pipeline ------------------------------------------------------------------------------
    def archs(self) -> list[Arch]:
        """The architectures to rank (built once: it instantiates the supernet)."""
        if self._archs is None:
            self._archs = stages.experiment_archs(self.supernet_cfg, dict(self.cfg.get("ground_truth") or {}))
        return self._archs

    def run(self, until: str | None = None, force: tuple[str, ...] = ()) -> dict:
        """Run (or reuse) the stages up to and including `until`; then write the report."""
        if until is not None and until not in STAGES:
            raise ConfigError(f"--until must be one of {', '.join(STAGES)}, got {until!r}")
        unknown = sorted(set(force) - set(STAGES))
        if unknown:
            raise ConfigError(f"--force: unknown stage(s) {', '.join(unknown)}; stages: {', '.join(STAGES)}")
        self.work.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        sup = stages.config_digest(self.cfg.supernet_config)
        plan = stages.plan(self, sup)
        for name in STAGES:
            if name not in plan:
                continue
            inputs_fn, fn = plan[name]
            self.run_stage(name, inputs_fn(), fn, force=name in force)
            if name == until:
                break
        from .report import write_report

        results = write_report(self, time.perf_counter() - start)
        self.log(f"experiment: wrote {self.work / 'report.md'} and {self.work / 'results.json'}")
        return results

    def stage_cache(self) -> Path:
        """Stand-alone runs live outside the stage folders: they are keyed by their own settings."""
        return self.work / "standalone_cache"

