"""The stages of `Experiment` (see `experiment.py`): what each reads, and what it runs."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import numpy as np
from mmengine.config import Config

from ..engine.checkpoint import load_checkpoint_file, train_seconds
from ..errors import ConfigError, DatasetError
from ..jsonio import save_json_atomic
from ..spaces import Arch, parse_arch
from .compare import build_table, to_markdown
from .darts_job import run_darts_job
from .rank_job import ranking_archs, run_rank_job
from .ranking import kendall_tau, paired_difference, spearman_rho
from .sbn_job import resolve_checkpoint, run_sbn_analysis
from .search_job import load_search_config, run_search_job, search_evaluator
from .truth import TableTruth
from .truth_job import run_truth_stage, standalone_truth
from .standalone import StandaloneRecipe

if TYPE_CHECKING:
    from .experiment import Experiment

ROOT = Path(__file__).resolve().parents[2]


def config_digest(path: str | Path) -> dict:
    """A referenced config file's full (inherited and merged) content, for stage keys."""
    return json.loads(json.dumps(Config.fromfile(str(path)).to_dict(), sort_keys=True, default=str))


def experiment_archs(supernet_cfg: Config, gt: dict) -> list[Arch]:
    """S4: the 34 unique architectures (``max_archs`` evenly spaced ones of them for cut-down
    runs); other spaces: ``num_archs`` seeded samples."""
    from mmengine.registry import MODELS

    import mixpath_bench.models  # noqa: F401 - registers the supernets

    space = MODELS.build(dict(supernet_cfg.model.network)).space
    archs = ranking_archs(space, int(gt.get("num_archs", 20)))
    limit = gt.get("max_archs")
    if limit is not None and int(limit) < len(archs):
        if int(limit) < 3:
            raise ConfigError("ground_truth.max_archs must be >= 3 (rank correlation needs three points)")
        archs = [archs[i] for i in np.linspace(0, len(archs) - 1, int(limit)).round().astype(int)]
    return archs


def plan(exp: "Experiment", sup_digest: dict) -> dict[str, tuple[Callable[[], dict], Callable[[Path], dict]]]:
    """Stage name -> (inputs, run) for every stage the config enables."""
    cfg = exp.cfg
    gt = dict(cfg.get("ground_truth") or {})
    sc = exp.supernet_cfg
    stages = {
        "truth": (lambda: {"ground_truth": gt, "network": sc.model.network.to_dict(),
                           "preprocessor": sc.model.data_preprocessor.to_dict(),
                           "data": [sc.train_dataloader.dataset.to_dict(), sc.val_dataloader.dataset.to_dict()],
                           "archs": [a.to_string() for a in exp.archs()]},
                  lambda d: truth_stage(exp, d)),
        "supernets": (lambda: {"supernets": dict(cfg.get("supernets") or {}), "supernet_config": sup_digest},
                      lambda d: supernets_stage(exp, d)),
        "ranking": (lambda: {"ranking": dict(cfg.get("ranking") or {}), "truth": exp.keys["truth"],
                             "supernets": exp.keys["supernets"]},
                    lambda d: ranking_stage(exp, d)),
    }
    if cfg.get("search") is not None:
        stages["search"] = (lambda: {"search": dict(cfg.search), "config": config_digest(cfg.search.config),
                                     "supernets": exp.keys["supernets"]}, lambda d: search_stage(exp, d))
    if cfg.get("darts") is not None:
        stages["darts"] = (lambda: {"darts": dict(cfg.darts), "config": config_digest(cfg.darts.config),
                                    "supernet_config": sup_digest}, lambda d: darts_stage(exp, d))
    if "search" in stages or "darts" in stages:
        stages["table2"] = (lambda: {"truth": exp.keys["truth"], "search": exp.keys.get("search"),
                                     "darts": exp.keys.get("darts")}, lambda d: table2_stage(exp, d))
    if cfg.get("analysis") is not None:
        stages["analysis"] = (lambda: {"analysis": dict(cfg.analysis), "supernets": exp.keys["supernets"]},
                              lambda d: analysis_stage(exp, d))
    return stages


# -- 1. ground truth --------------------------------------------------------------------------------
def truth_stage(exp: "Experiment", folder: Path) -> dict:
    gt = dict(exp.cfg.get("ground_truth") or {})
    out = run_truth_stage(exp.supernet_cfg, exp.archs(), gt, exp.stage_cache(), exp.device, exp.workers, exp.log)
    save_json_atomic(folder / "truth.json", out)
    save_json_atomic(folder / "truth_table.json", dict(zip(out["archs"], out["acc"])))
    from .plots import plot_truth

    plot_truth(out, folder / "truth.png")
    n = out["noise"]
    if "seed_noise_std" in n:
        exp.log(f"truth: spread of the {n['archs']} means {n['spread_std']:.2f} pp (std) vs seed noise "
                f"{n['seed_noise_std']:.2f} pp; seed-vs-seed Kendall tau {n['seed_vs_seed']['kendall_tau']:.3f}")
    return {"truth_json": "truth/truth.json", "table": "truth/truth_table.json", "figure": "truth/truth.png"}


# -- 2. supernets -----------------------------------------------------------------------------------
def _relay(proc: subprocess.Popen, log_path: Path, prefix: str, log: Callable[[str], None]) -> None:
    """Copy a training process's output into its log file; echo the per-epoch lines."""
    with log_path.open("a") as fh:
        for line in proc.stdout:
            fh.write(line)
            if "Saving checkpoint" in line or "Epoch(val)" in line or "Error" in line or "error:" in line:
                log(f"[{prefix}] {line.strip()[-150:]}")


def supernets_stage(exp: "Experiment", folder: Path) -> dict:
    s = dict(exp.cfg.get("supernets") or {})
    variants = dict(s.get("variants") or {"sbn": {"shadow_bn": True}, "bn": {"shadow_bn": False}})
    gpus, parallel = int(s.get("gpus", 1)), exp.device == "cpu" and exp.workers > 1
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    if parallel:
        env["OMP_NUM_THREADS"] = str(max(1, (os.cpu_count() or 1) // min(exp.workers, len(variants))))
    procs = []
    for name, overrides in variants.items():
        work = folder / name
        work.mkdir(parents=True, exist_ok=True)
        launcher = [sys.executable] if gpus <= 1 else [sys.executable, "-m", "torch.distributed.run",
                                                        f"--nproc-per-node={gpus}"]
        cmd = [*launcher, str(ROOT / "tools" / "train.py"), str(exp.cfg.supernet_config), "--work-dir", str(work),
               "--resume", "--cfg-options", f"randomness.seed={int(s.get('seed', 0))}",
               *[f"model.network.{k}={v}" for k, v in dict(overrides).items()]]
        if s.get("epochs"):
            cmd += ["--epochs", str(int(s["epochs"]))]
        if s.get("amp"):
            cmd.append("--amp")
        if s.get("fast"):
            cmd.append("--fast")
        if gpus > 1:
            cmd += ["--launcher", "pytorch"]
        exp.log(f"supernets: training {name} ({', '.join(f'{k}={v}' for k, v in overrides.items())}); "
                f"log {work / 'train.log'}")
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=ROOT,
                                preexec_fn=_die_with_parent)
        relay = threading.Thread(target=_relay, args=(proc, work / "train.log", name, exp.log), daemon=True)
        relay.start()
        procs.append((name, overrides, work, proc, relay))
        if not parallel:
            _wait(procs[-1])
    out = {}
    for item in procs:
        _wait(item)
        name, overrides, work = item[:3]
        ckpt = resolve_checkpoint(work)
        out[name] = {"overrides": dict(overrides), "checkpoint": str(ckpt), "work_dir": str(work),
                     "train_seconds": train_seconds(load_checkpoint_file(ckpt)), "log": f"supernets/{name}/train.log"}
    return out


def _die_with_parent() -> None:
    """Linux: a training process ends when the experiment process is killed (even by SIGKILL), so a
    re-run never finds a stray trainer still writing into the work dir it resumes from."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _wait(item) -> None:
    name, _, work, proc, relay = item
    code = proc.wait()
    relay.join()
    if code != 0:
        raise ConfigError(f"training supernet {name!r} failed (exit {code}); see {work / 'train.log'}")


def _variant(exp: "Experiment", shadow: bool) -> str:
    """The supernet variant with (or without) Shadow BN."""
    for name, v in exp.outputs["supernets"].items():
        if bool(v["overrides"].get("shadow_bn", exp.supernet_cfg.model.network.get("shadow_bn", True))) == shadow:
            return name
    raise ConfigError(f"supernets.variants has no variant with shadow_bn={shadow}")


# -- 3. ranking -------------------------------------------------------------------------------------
def ranking_stage(exp: "Experiment", folder: Path) -> dict:
    r = dict(exp.cfg.get("ranking") or {})
    variants = exp.outputs["supernets"]
    names = list(variants)
    truth = exp.outputs["truth"]
    truth_json = _truth_json(exp)
    archs = [parse_arch(a) for a in truth_json["archs"]]
    n_boot = int(r.get("n_boot", 1000))
    summary = run_rank_job(exp.cfg.supernet_config, [variants[n]["checkpoint"] for n in names],
                           str(exp.work / truth["table"]), folder, calib_batches=int(r.get("calib_batches", 8)),
                           calib_batch_size=int(r.get("calib_batch_size", 256)),
                           device=exp.device, n_boot=n_boot, archs=archs, fast=bool(r.get("fast")), labels=names,
                           log=exp.log)
    out = {"rank_json": "ranking/rank.json", "figure": "ranking/rank.png", "variants": names}
    sbn, bn = _variant(exp, True), _variant(exp, False)
    a, b = summary["checkpoints"][names.index(sbn)], summary["checkpoints"][names.index(bn)]
    out["sbn_minus_bn"] = {
        mode: {"kendall_tau": paired_difference(a[mode], b[mode], summary["truth_acc"], kendall_tau, n_boot),
               "spearman_rho": paired_difference(a[mode], b[mode], summary["truth_acc"], spearman_rho, n_boot)}
        for mode in ("uncalibrated", "calibrated")}
    save_json_atomic(folder / "differences.json", out["sbn_minus_bn"])
    from .plots import plot_taus

    plot_taus(summary, truth_json["noise"], folder / "tau.png")
    out["tau_figure"] = "ranking/tau.png"
    return out


def _truth_json(exp: "Experiment") -> dict:
    from ..jsonio import load_json

    return load_json(exp.work / exp.outputs["truth"]["truth_json"], ConfigError)


# -- 4./5. search and DARTS -------------------------------------------------------------------------
def search_stage(exp: "Experiment", folder: Path) -> dict:
    s = exp.cfg.search
    ckpt = exp.outputs["supernets"][_variant(exp, True)]["checkpoint"]
    search_cfg = load_search_config(s.config, {"supernet_config": exp.cfg.supernet_config})
    evaluator = search_evaluator(search_cfg, ckpt, exp.device)  # shared by the seeds: deterministic scores
    files = []
    for seed in [int(x) for x in s.get("seeds", (0,))]:
        exp.log(f"search: seed {seed} on the Shadow-BN supernet")
        opts = {"supernet_config": exp.cfg.supernet_config,
                **{f"searchers.{name}.seed": seed for name in search_cfg.searchers}}
        run_search_job(s.config, ckpt, folder / f"seed{seed}", resume=True, device=exp.device, options=opts,
                       evaluator=evaluator, log=exp.log)
        files.append(f"search/seed{seed}/pareto.json")
    return {"results": files, "figure": files[0].replace("pareto.json", "pareto.png")}


def darts_stage(exp: "Experiment", folder: Path) -> dict:
    d = exp.cfg.darts
    opts = {"supernet_config": exp.cfg.supernet_config}
    if d.get("epochs"):
        opts["darts.epochs"] = int(d["epochs"])
    files = []
    for seed in [int(x) for x in d.get("seeds", (0,))]:
        exp.log(f"darts: seed {seed}")
        run_darts_job(d.config, folder / f"seed{seed}", seed=seed, resume=True, device=exp.device, options=opts,
                      log=exp.log)
        files.append(f"darts/seed{seed}/darts.json")
    return {"results": files, "figure": files[0].replace("darts.json", "alphas.png")}


class _TruthWithFallback:
    """The truth table, and stand-alone training (cached) for a found architecture not in it."""

    def __init__(self, exp: "Experiment") -> None:
        self.exp, self.table = exp, TableTruth(exp.work / exp.outputs["truth"]["table"])
        self.name, self.extra = "stage 1 (truth/truth_table.json)", {}
        self.standalone = None  # built (datasets loaded) on the first architecture outside the table

    def accuracy(self, arch: Arch) -> float:
        try:
            return self.table.accuracy(arch)
        except DatasetError:
            gt = dict(self.exp.cfg.get("ground_truth") or {})
            if gt.get("source", "standalone") != "standalone":
                raise
            if self.standalone is None:
                self.standalone = standalone_truth(
                    self.exp.supernet_cfg, StandaloneRecipe(**dict(gt.get("recipe") or {})),
                    [int(s) for s in gt.get("seeds", (0,))], gt.get("metric", "test_acc"), self.exp.stage_cache(),
                    self.exp.device, self.exp.log)
            self.extra[arch.to_string()] = self.standalone.accuracy(arch)
            return self.extra[arch.to_string()]


def table2_stage(exp: "Experiment", folder: Path) -> dict:
    paths = [exp.work / p for stage in ("search", "darts") if stage in exp.outputs
             for p in exp.outputs[stage]["results"]]
    truth = _TruthWithFallback(exp)
    table = build_table(paths, truth, with_rank=True, reference=_truth_json(exp)["acc"])
    for row in table["rows"]:
        row["file"] = str(Path(row["file"]).relative_to(exp.work))
    table["trained_for_table"] = truth.extra
    save_json_atomic(folder / "table2.json", table)
    (folder / "table2.md").write_text(to_markdown(table))
    return {"table_json": "table2/table2.json", "table_md": "table2/table2.md"}


# -- 7. SBN analysis --------------------------------------------------------------------------------
def analysis_stage(exp: "Experiment", folder: Path) -> dict:
    a = dict(exp.cfg.analysis)
    v = exp.outputs["supernets"]
    run_sbn_analysis(v[_variant(exp, True)]["checkpoint"], folder, compare_checkpoint=v[_variant(exp, False)][
        "checkpoint"], layers=a.get("layers"), samples=int(a.get("samples", 64)), combos=int(a.get("combos", 8)),
        log=exp.log)
    return {"json": "analysis/sbn_analysis.json",
            "figures": ["analysis/sbn_stats.png", "analysis/tsne.png", "analysis/cosine.png"]}
