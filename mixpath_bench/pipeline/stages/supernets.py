"""Stage 2, ``supernets``: one supernet per variant (default: Shadow BN and vanilla BN) and seed,
same budget.

Each (variant, seed) trains in its own process started through the package's entry point
(``python -m mixpath_bench train``, ``torch.distributed.run`` for several GPUs), one job each on
the experiment's executor (local: ``workers`` at a time on CPU, one per visible GPU; Ray: a task
each); a killed run resumes from its last epoch on the next invocation.  Several seeds measure the supernet's own seed noise, usually the largest error bar of
a weight-sharing ranking and rarely reported.
"""
from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ...engine.checkpoint import load_checkpoint_file, train_seconds
from ...errors import ConfigError
from ...jsonio import write_failed
from ..executor import Job, die_with_parent
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
    """Train every (label, ``model.network`` overrides, seed, work dir) job on the experiment's
    executor (one training process per job; `settings` gives epochs, gpus, amp and fast).  Each job
    resumes from its work dir's last checkpoint and writes only into its work dir."""
    work_items = []
    for label, overrides, seed, work in jobs:
        work.mkdir(parents=True, exist_ok=True)
        cmd = SupernetsStage.command(ctx, settings, overrides, work, seed)
        ctx.log(f"supernets: training {label} (seed {seed}; {', '.join(f'{k}={v}' for k, v in overrides.items())}); "
                f"log {work / 'train.log'}")
        work_items.append(Job(label, train_process, (cmd, str(work / "train.log"), label), ctx.executor.threads,
                              settings.gpus if str(ctx.device).startswith("cuda") else 0, str(work / "train.log"),
                              shown_args=(label, f"seed {seed}")))
    ctx.executor.run(work_items, "supernets", ctx.log)


def train_process(cmd: list[str], log_path: str, label: str) -> int:
    """Run one training process (a job): its output goes to `log_path`, its per-epoch lines to this
    process's output; a non-zero exit raises."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    try:  # a link planted at the log is refused, not followed
        fd = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    except OSError as exc:
        raise write_failed(log_path, exc) from None
    with os.fdopen(fd, "a") as fh:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                                preexec_fn=die_with_parent)
        for line in proc.stdout:
            fh.write(line)
            if "Saving checkpoint" in line or "Epoch(val)" in line or "Error" in line or "error:" in line:
                print(f"[{label}] {line.strip()[-150:]}", flush=True)
    code = proc.wait()
    if code != 0:
        raise RuntimeError(f"training supernet {label!r} exited with {code}")
    return code
