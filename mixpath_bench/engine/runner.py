"""Building an MMEngine Runner from a config and the command line's switches."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from mmengine.config import Config
from mmengine.dist import master_only
from mmengine.runner import Runner

from ..errors import CheckpointError, ConfigError, MissingDependencyError
from ..jsonio import atomic_path
from .checkpoint import install_mmengine_loader, is_remote
from .config import load_config
from .lock import lock_work_dir


def prepare_config(config: str | Path, work_dir: str | None = None, resume: bool = False, amp: bool = False,
                   epochs: int | None = None, cfg_options: dict | None = None, launcher: str = "none",
                   fast: bool = False, register: Callable[[Config], None] | None = None) -> Config:
    """The checked config with the command-line switches applied (`register`: see `load_config`)."""
    cfg = load_config(config, cfg_options, register=register)
    check_vis_backends(cfg)
    cfg.launcher = launcher
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get("work_dir") is None:
        cfg.work_dir = str(Path("work_dirs") / Path(config).stem)
    if epochs is not None:
        set_epochs(cfg, epochs)
    if fast:
        enable_fast(cfg, amp)
    elif amp:
        enable_amp(cfg)
    if resume:
        cfg.load_from = latest_in_work_dir(cfg.work_dir)
        cfg.resume = cfg.load_from is not None
        if cfg.load_from is None:  # MMEngine would log "resumed from None" and start over
            print(f"train: --resume: {cfg.work_dir} holds no checkpoint yet (no last_checkpoint); starting afresh",
                  flush=True)
    return cfg


#: what each of MMEngine's logging backends imports (any one of the modules), and the package that provides it
VIS_BACKEND_NEEDS = {"WandbVisBackend": (("wandb",), "wandb"),
                     "TensorboardVisBackend": (("tensorboard",), "tensorboard"),  # torch.utils.tensorboard
                     "MLflowVisBackend": (("mlflow",), "mlflow"), "ClearMLVisBackend": (("clearml",), "clearml"),
                     "NeptuneVisBackend": (("neptune",), "neptune"), "DVCLiveVisBackend": (("dvclive",), "dvclive"),
                     "AimVisBackend": (("aim",), "aim")}


def check_vis_backends(cfg: Config) -> None:
    """Each logging backend is a dict with a type, and its package is installed: one line now, instead of
    an ImportError traceback while the Runner is built (a backend imports its package when the Runner
    hands it the config, after the environment and config have been logged)."""
    import importlib.util

    visualizer = cfg.get("visualizer")
    backends = visualizer.get("vis_backends") if isinstance(visualizer, dict) else None
    if backends is None:
        return
    backends = [backends] if isinstance(backends, dict) else backends  # MMEngine takes one dict too
    kinds = [b.get("type") for b in backends] if isinstance(backends, (list, tuple)) and all(
        isinstance(b, dict) for b in backends) else None
    if kinds is None or not all(isinstance(k, str) or isinstance(k, type) for k in kinds):
        raise ConfigError(f"visualizer.vis_backends must be a list of dicts with a 'type', got {str(backends)[:120]} "
                          "(--cfg-options cannot write dicts: set visualizer.vis_backends.0.type=... or write it "
                          "in a config file, see docs/openmmlab.md)")
    for kind in kinds:
        kind = kind.__name__ if isinstance(kind, type) else kind.split(".")[-1]
        if kind in VIS_BACKEND_NEEDS:
            modules, package = VIS_BACKEND_NEEDS[kind]
            if not any(importlib.util.find_spec(m) is not None for m in modules):
                raise MissingDependencyError(f"visualizer.vis_backends: {kind} needs the '{package}' package: "
                                             f"pip install {package} (or drop the backend)")


def latest_in_work_dir(work_dir: str | Path) -> str | None:
    """The checkpoint MMEngine's ``last_checkpoint`` names, looked up inside `work_dir` itself.

    MMEngine records an absolute path: a moved work dir would not resume, and a copied one would
    silently resume from the original's checkpoint.  None: nothing to resume (start afresh).
    """
    marker = Path(work_dir) / "last_checkpoint"
    if not marker.is_file():
        return None
    try:
        name = Path(marker.read_text(encoding="utf-8").strip()).name
    except (UnicodeDecodeError, ValueError, OSError):
        raise CheckpointError(f"{marker} is not a readable text file naming a checkpoint; delete it to start "
                              "afresh") from None
    path = Path(work_dir) / name
    if not name or not path.is_file():
        raise CheckpointError(f"{marker} names {name or 'nothing'}, which is not in {work_dir}; "
                              "delete last_checkpoint to start afresh")
    return str(path)


def set_epochs(cfg: Config, epochs: int) -> None:
    """Set ``train_cfg.max_epochs`` and stretch the epoch-based schedulers that ran to the old end with it;
    iteration-based ones (``by_epoch=False``, a warmup) and epoch-based ones that end earlier keep their length."""
    if epochs < 1:
        raise ConfigError(f"--epochs must be >= 1, got {epochs}")
    if cfg.get("train_cfg") is None:
        raise ConfigError("--epochs needs a config with train_cfg")
    old = cfg.train_cfg.get("max_epochs")
    cfg.train_cfg.max_epochs = epochs
    schedulers = cfg.get("param_scheduler") or []
    for sched in schedulers if isinstance(schedulers, list) else [schedulers]:
        if not sched.get("by_epoch", True):
            continue  # an iteration-based schedule (a warmup over N iterations) keeps its length
        begin = sched.get("begin", 0)
        if "end" in sched and (old is None or sched["end"] >= old):
            sched["end"] = epochs  # the schedule that ran to the end still does; an earlier one (warmup) keeps its end
        if "T_max" in sched and (old is None or sched["T_max"] >= old - begin):
            sched["T_max"] = max(1, epochs - begin)


def enable_amp(cfg: Config) -> None:
    """bf16 autocast (BN stays fp32 under autocast): needs a CUDA device."""
    import torch

    if not torch.cuda.is_available():
        raise ConfigError("--amp needs a CUDA GPU (bf16 autocast); drop --amp to train in fp32 on CPU")
    cfg.optim_wrapper.type = "AmpOptimWrapper"
    cfg.optim_wrapper.dtype = "bfloat16"


RESIDENT_DATASETS = ("CIFAR10", "EmbeddedImages", "SyntheticImages")


def enable_fast(cfg: Config, amp: bool = False) -> None:
    """The fast training path; it computes the same thing as the plain one (bf16 only with `amp`).

    - the uint8 dataset held on the device and served in whole batches (`ResidentImageDataset`);
    - no host synchronisation per step: loss reported every logger interval, gradient norm kept
      on the device (`FastOptimWrapper`);
    - fused SGD/Adam(W) on CUDA, foreach elsewhere;
    - channels-last weights and inputs on CUDA;
    - with `amp`: bf16 autocast without loss scaling (needs CUDA).
    """
    import torch

    cuda = torch.cuda.is_available()
    if amp and not cuda:
        raise ConfigError("--amp needs a CUDA GPU (bf16 autocast); drop --amp to train in fp32 on CPU")
    if not cuda:
        print("train: --fast without CUDA: in-memory whole batches, no per-step sync and a foreach optimizer; "
              "the fused optimizer and channels-last are CUDA-only and stay off", flush=True)
    for name in ("train_dataloader", "val_dataloader"):
        loader = cfg.get(name)
        if loader is None:
            continue
        if loader.dataset.get("type") not in RESIDENT_DATASETS:
            raise ConfigError(f"--fast needs an in-memory dataset ({', '.join(RESIDENT_DATASETS)}); "
                              f"{name} uses {loader.dataset.get('type')}")
        loader.dataset.resident = True
        loader.collate_fn = dict(type="batch_collate")
        loader.num_workers = 0
        loader.persistent_workers = False
        loader.pop("pin_memory", None)
    wrapper = cfg.optim_wrapper
    wrapper.type = "FastOptimWrapper"
    wrapper.pop("loss_scale", None)
    wrapper.dtype = "bfloat16" if amp else None
    optimizer = wrapper.optimizer
    if optimizer.get("type") in ("SGD", "Adam", "AdamW"):
        optimizer["fused" if cuda else "foreach"] = True
    interval = ((cfg.get("default_hooks") or {}).get("logger") or {}).get("interval", 50)
    cfg.model.sync_every = interval
    cfg.model.channels_last = cuda
    if cfg.model.get("data_preprocessor") is not None:
        cfg.model.data_preprocessor.channels_last = cuda


class MixPathRunner(Runner):
    """MMEngine's Runner, with checkpoints written atomically: to a temporary file, flushed to
    disk, then renamed into place, so a kill mid-save never leaves a truncated ``epoch_N.pth``.

    The environment and the whole config are logged once the model, data and hooks are built
    (`log_environment`), not before: a config mistake found while building is one line, not a
    300-line config dump followed by the error."""

    _pending_env: dict | None = None

    def _log_env(self, env_cfg: dict) -> None:
        self._pending_env = env_cfg

    def log_environment(self) -> None:
        """Log what MMEngine logs at the start (environment, config); once (`build_runner` calls it)."""
        if self._pending_env is not None:
            env, self._pending_env = self._pending_env, None
            super()._log_env(env)

    @master_only
    def save_checkpoint(self, out_dir: str, filename: str, *args, **kwargs) -> None:
        remote = kwargs.get("backend_args") or kwargs.get("file_client_args") or "://" in str(out_dir)
        if remote:
            super().save_checkpoint(out_dir, filename, *args, **kwargs)
            return
        with atomic_path(Path(out_dir) / filename) as tmp:  # a fresh O_EXCL name: no planted link followed
            super().save_checkpoint(out_dir, tmp.name, *args, **kwargs)
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())


def build_runner(cfg: Config, trust_checkpoint: bool = False) -> Runner:
    """A Runner for `cfg` that holds its work dir's lock and loads checkpoints by our policy.

    A second run into the same work dir stops with one line naming the first
    (`mixpath_bench.engine.lock`); checkpoints are written atomically and load without unpickling
    (`PlainCheckpointHook`); `trust_checkpoint` (``--trust-checkpoint``) unpickles the local files
    it loads (load_from, resume) in full.  URLs are refused.
    Detection configs need `mixpath_bench.cli.register_for_config(cfg)` first (the tools pass it to
    `prepare_config`).
    """
    from .hooks import PlainCheckpointHook
    from .record import build_record
    from .setup import register_all_modules

    register_all_modules()
    if is_remote(cfg.get("load_from")):
        raise CheckpointError(f"load_from={cfg.load_from}: URLs are not loaded (a downloaded checkpoint would be "
                              "unpickled, which can run code); download and check it, then name the local file, "
                              "or use a model-zoo entry (zoo://NAME)")
    install_mmengine_loader(trust_checkpoint)
    launcher = cfg.get("launcher", "none")
    lock = lock_work_dir(cfg.work_dir, purpose="train") if launcher_rank(launcher) == 0 else None
    try:
        if launcher == "pytorch":
            init_cpu_distributed(cfg)
        runner = MixPathRunner.from_cfg(cfg)
        runner.log_environment()
    except BaseException:
        if lock is not None:
            lock.release()
        raise
    runner.register_hook(PlainCheckpointHook(build_record))
    runner.work_dir_lock = lock  # held for the runner's (the process's) lifetime
    return runner


def launcher_rank(launcher: str) -> int:
    """This process's global rank as set by torchrun, Slurm or MPI (0 for ``--launcher none``)."""
    if launcher == "none":
        return 0
    for name in ("RANK", "SLURM_PROCID", "OMPI_COMM_WORLD_RANK", "PMI_RANK"):
        if os.environ.get(name, "").isdigit():
            return int(os.environ[name])
    return 0


def init_cpu_distributed(cfg: Config) -> None:
    """Without CUDA, start the torchrun process group on gloo and keep DDP on the CPU.

    MMEngine's launcher assumes one GPU per process; this makes ``torchrun ... --launcher pytorch``
    work (and testable) on CPU-only machines.  With CUDA nothing changes.
    """
    import torch
    import torch.distributed as dist

    if torch.cuda.is_available() or dist.is_initialized():
        return
    dist.init_process_group("gloo")
    wrapper = cfg.get("model_wrapper_cfg") or {"type": "MMDistributedDataParallel"}
    wrapper["device_ids"] = None
    cfg.model_wrapper_cfg = wrapper

