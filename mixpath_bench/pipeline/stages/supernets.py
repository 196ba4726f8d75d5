"""Stage 2, ``supernets``: one supernet per variant (default: Shadow BN and vanilla BN) and seed,
same budget.

Each (variant, seed) trains in its own process started through the package's entry point
(``python -m mixpath_bench train``, ``torch.distributed.run`` for several GPUs), ``workers`` at a
time on CPU, one after the other on a GPU; a killed run resumes from its last epoch on the next
invocation.  Several seeds measure the supernet's own seed noise, usually the largest error bar of
a weight-sharing ranking and rarely reported.
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ...engine.checkpoint import load_checkpoint_file, train_seconds
from ...errors import ConfigError
from ..report import md_table, source_line
from ..sbn_job import resolve_checkpoint
from ..stage import LOGGING_KEYS, Context, Stage, config_digest, register_stage


@dataclass(frozen=True)
class SupernetsSettings:
    """``supernets``: variants as ``model.network`` overrides, each trained with every seed and one budget."""

    variants: dict = field(default_factory=lambda: {"sbn": {"shadow_bn": True}, "bn": {"shadow_bn": False}})
    epochs: int | None = None  # default: the supernet config's max_epochs
    gpus: int = 1
    amp: bool = False
    fast: bool = False
    seeds: tuple[int, ...] = (0,)
    seed: int | None = None  # one seed: the same as seeds=[seed]

    def __post_init__(self) -> None:
        if self.seed is not None:
            if tuple(self.seeds) != (0,):
                raise ValueError("give supernets.seeds or supernets.seed, not both")
            object.__setattr__(self, "seeds", (self.seed,))
            object.__setattr__(self, "seed", None)
        if not self.seeds or len(set(self.seeds)) != len(self.seeds):
            raise ValueError(f"seeds must name at least one seed, each once; got {list(self.seeds)}")
        if not self.variants:
            raise ValueError("variants must name at least one supernet")
        for name, overrides in self.variants.items():
            if not isinstance(overrides, dict):
                raise ValueError(f"variants.{name} must be a dict of model.network overrides, got {overrides!r}")
            if not isinstance(overrides.get("shadow_bn", True), bool):
                raise ValueError(f"variants.{name}.shadow_bn must be True or False, got {overrides['shadow_bn']!r}")
        if self.gpus < 1 or (self.epochs is not None and self.epochs < 1):
            raise ValueError("gpus and epochs must be >= 1")


@dataclass(frozen=True)
class Variant:
    """One supernet variant, trained once per seed (lists in seed order)."""

    shadow_bn: bool
    overrides: dict
    seeds: list
    checkpoints: list
    work_dirs: list
    train_seconds: list  # float | None each
    logs: list

    @property
    def checkpoint(self) -> str:
        """The first seed's checkpoint (search and analysis use it)."""
        return self.checkpoints[0]


@dataclass(frozen=True)
class SupernetsOutput:
    variants: dict  # name -> Variant

    @classmethod
    def from_json(cls, data: dict) -> "SupernetsOutput":
        return cls({name: Variant(**v) for name, v in data["variants"].items()})

    def named(self, shadow_bn: bool) -> str:
        """The first variant with (or without) Shadow BN."""
        for name, v in self.variants.items():
            if v.shadow_bn == shadow_bn:
                return name
        raise ConfigError(f"supernets.variants has no variant with shadow_bn={shadow_bn}")


@register_stage
class SupernetsStage(Stage):
    name, section, Settings, Output = "supernets", "supernets", SupernetsSettings, SupernetsOutput
    title = "Supernets"

    def key_inputs(self, ctx: Context, settings: SupernetsSettings) -> dict:
        return {"supernet_config": config_digest(ctx.supernet_cfg, LOGGING_KEYS)}

    def run(self, ctx: Context, settings: SupernetsSettings, upstream: dict, folder: Path) -> SupernetsOutput:
        one = len(settings.seeds) == 1
        train_supernets(ctx, settings, [(name if one else f"{name}/seed{seed}", overrides, seed,
                                         folder / name / f"seed{seed}")
                                        for name, overrides in settings.variants.items() for seed in settings.seeds])
        default_sbn = bool(ctx.supernet_cfg.model.network.get("shadow_bn", True))
        variants = {}
        for name, overrides in settings.variants.items():
            works = [folder / name / f"seed{seed}" for seed in settings.seeds]
            ckpts = [resolve_checkpoint(w) for w in works]
            variants[name] = Variant(bool(overrides.get("shadow_bn", default_sbn)), dict(overrides),
                                     list(settings.seeds), [ctx.rel(c) for c in ckpts], [ctx.rel(w) for w in works],
                                     [train_seconds(load_checkpoint_file(c)) for c in ckpts],
                                     [ctx.rel(w / "train.log") for w in works])
        return SupernetsOutput(variants)

    def report(self, ctx: Context, output: SupernetsOutput, outputs: dict) -> list[str]:
        rows = [(name, ", ".join(f"{k}={val}" for k, val in v.overrides.items()), seed,
                 f"{secs:.0f}" if secs is not None else "n/a", f"`{ckpt}`")
                for name, v in output.variants.items()
                for seed, secs, ckpt in zip(v.seeds, v.train_seconds, v.checkpoints)]
        logs = [lg for v in output.variants.values() for lg in v.logs]
        return [*md_table(("variant", "overrides", "seed", "training time (s)", "checkpoint"), rows), "",
                f"Same config (`{ctx.supernet_config}`) and budget for every variant; each seed sets the weights, "
                "the data order and the path sampling.", source_line("supernets/stage.json", *logs), ""]

    @staticmethod
    def command(ctx: Context, settings: SupernetsSettings, overrides: dict, work: Path, seed: int) -> list[str]:
        """The training command of one variant and seed (weights, data order and path sampling all follow
        `seed`): the package's own entry point, never a checkout file."""
        launcher = [sys.executable] if settings.gpus <= 1 else [
            sys.executable, "-m", "torch.distributed.run", f"--nproc-per-node={settings.gpus}"]
        cmd = [*launcher, "-m", "mixpath_bench", "train", str(ctx.supernet_config), "--work-dir", str(work.resolve()),
               "--resume", "--cfg-options", f"randomness.seed={seed}", f"model.seed={seed}",
               *[f"model.network.{k}={v}" for k, v in overrides.items()]]
        if settings.epochs:
            cmd += ["--epochs", str(settings.epochs)]
        if settings.amp:
            cmd.append("--amp")
        if settings.fast:
            cmd.append("--fast")
        if settings.gpus > 1:
            cmd += ["--launcher", "pytorch"]
        return cmd


def train_supernets(ctx: Context, settings, jobs: list[tuple[str, dict, int, Path]]) -> None:
    """Train every (label, ``model.network`` overrides, seed, work dir) job, `ctx.workers` at a time on
    CPU (one after the other on a GPU); `settings` gives epochs, gpus, amp and fast.  Each job
    resumes from its work dir's last checkpoint."""
    parallel = ctx.device == "cpu" and ctx.workers > 1
    at_once = min(ctx.workers, len(jobs)) if parallel else 1
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    if parallel:
        env["OMP_NUM_THREADS"] = str(max(1, (os.cpu_count() or 1) // at_once))
    running: list = []
    for label, overrides, seed, work in jobs:
        if len(running) >= at_once:
            _wait(running.pop(0))
        work.mkdir(parents=True, exist_ok=True)
        cmd = SupernetsStage.command(ctx, settings, overrides, work, seed)
        ctx.log(f"supernets: training {label} (seed {seed}; {', '.join(f'{k}={v}' for k, v in overrides.items())}); "
                f"log {work / 'train.log'}")
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                                preexec_fn=_die_with_parent)
        relay = threading.Thread(target=_relay, args=(proc, work / "train.log", label, ctx.log), daemon=True)
        relay.start()
        running.append((label, work, proc, relay))
    for item in running:
        _wait(item)


def _relay(proc: subprocess.Popen, log_path: Path, prefix: str, log: Callable[[str], None]) -> None:
    """Copy a training process's output into its log file; echo the per-epoch lines."""
    with log_path.open("a") as fh:
        for line in proc.stdout:
            fh.write(line)
            if "Saving checkpoint" in line or "Epoch(val)" in line or "Error" in line or "error:" in line:
                log(f"[{prefix}] {line.strip()[-150:]}")


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
    name, work, proc, relay = item
    code = proc.wait()
    relay.join()
    if code != 0:
        raise ConfigError(f"training supernet {name!r} failed (exit {code}); see {work / 'train.log'}")
