"""Stage 2, ``supernets``: one supernet per variant (default: Shadow BN and vanilla BN), same budget.

Each variant trains in its own process started through the package's entry point
(``python -m mixpath_bench train``, ``torch.distributed.run`` for several GPUs), concurrently on
CPU; a killed run resumes from its last epoch on the next invocation.
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
from ..sbn_job import resolve_checkpoint
from ..stage import LOGGING_KEYS, Context, Stage, config_digest, register_stage



@dataclass(frozen=True)
class SupernetsSettings:
    """``supernets``: variants as ``model.network`` overrides, trained with one seed and budget."""

    variants: dict = field(default_factory=lambda: {"sbn": {"shadow_bn": True}, "bn": {"shadow_bn": False}})
    epochs: int | None = None  # default: the supernet config's max_epochs
    gpus: int = 1
    amp: bool = False
    fast: bool = False
    seed: int = 0

    def __post_init__(self) -> None:
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
    shadow_bn: bool
    overrides: dict
    checkpoint: str
    work_dir: str
    train_seconds: float | None
    log: str


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

    def key_inputs(self, ctx: Context, settings: SupernetsSettings) -> dict:
        return {"supernet_config": config_digest(ctx.supernet_cfg, LOGGING_KEYS)}

    def run(self, ctx: Context, settings: SupernetsSettings, upstream: dict, folder: Path) -> SupernetsOutput:
        parallel = ctx.device == "cpu" and ctx.workers > 1
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        if parallel:
            env["OMP_NUM_THREADS"] = str(max(1, (os.cpu_count() or 1) // min(ctx.workers, len(settings.variants))))
        procs = []
        for name, overrides in settings.variants.items():
            work = folder / name
            work.mkdir(parents=True, exist_ok=True)
            cmd = self.command(ctx, settings, overrides, work)
            ctx.log(f"supernets: training {name} ({', '.join(f'{k}={v}' for k, v in overrides.items())}); "
                    f"log {work / 'train.log'}")
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                                    preexec_fn=_die_with_parent)
            relay = threading.Thread(target=_relay, args=(proc, work / "train.log", name, ctx.log), daemon=True)
            relay.start()
            procs.append((name, work, proc, relay))
            if not parallel:
                _wait(procs[-1])
        default_sbn = bool(ctx.supernet_cfg.model.network.get("shadow_bn", True))
        variants = {}
        for item in procs:
            _wait(item)
            name, work = item[:2]
            ckpt = resolve_checkpoint(work)
            overrides = settings.variants[name]
            variants[name] = Variant(bool(overrides.get("shadow_bn", default_sbn)), dict(overrides), ctx.rel(ckpt),
                                     ctx.rel(work), train_seconds(load_checkpoint_file(ckpt)),
                                     ctx.rel(work / "train.log"))
        return SupernetsOutput(variants)

    @staticmethod
    def command(ctx: Context, settings: SupernetsSettings, overrides: dict, work: Path) -> list[str]:
        """The training command of one variant: the package's own entry point, never a checkout file."""
        launcher = [sys.executable] if settings.gpus <= 1 else [
            sys.executable, "-m", "torch.distributed.run", f"--nproc-per-node={settings.gpus}"]
        cmd = [*launcher, "-m", "mixpath_bench", "train", str(ctx.supernet_config), "--work-dir", str(work.resolve()),
               "--resume", "--cfg-options", f"randomness.seed={settings.seed}",
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
