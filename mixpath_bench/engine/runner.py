"""Building an MMEngine Runner from a config and the command line's switches."""
from __future__ import annotations

from pathlib import Path

from mmengine.config import Config
from mmengine.runner import Runner

from ..errors import ConfigError
from .checkpoint import install_mmengine_loader, mark_work_dir
from .config import load_config


def prepare_config(config: str | Path, work_dir: str | None = None, resume: bool = False, amp: bool = False,
                   epochs: int | None = None, cfg_options: dict | None = None, launcher: str = "none",
                   fast: bool = False) -> Config:
    """The checked config with the command-line switches applied."""
    cfg = load_config(config, cfg_options)
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
        cfg.resume = True
        cfg.load_from = None
    return cfg


def set_epochs(cfg: Config, epochs: int) -> None:
    """Set ``train_cfg.max_epochs`` and every epoch-based scheduler's horizon together."""
    if epochs < 1:
        raise ConfigError(f"--epochs must be >= 1, got {epochs}")
    if cfg.get("train_cfg") is None:
        raise ConfigError("--epochs needs a config with train_cfg")
    cfg.train_cfg.max_epochs = epochs
    schedulers = cfg.get("param_scheduler") or []
    for sched in schedulers if isinstance(schedulers, list) else [schedulers]:
        if "T_max" in sched:
            sched["T_max"] = epochs - sched.get("begin", 0)
        if "end" in sched:
            sched["end"] = epochs


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


def build_runner(cfg: Config) -> Runner:
    """A Runner for `cfg` whose work dir is marked as ours, so ``--resume`` works under torch >= 2.6.

    Detection configs need `mixpath_bench.cli.register_for_config(cfg)` first (tools do this).
    """
    import mixpath_bench.data  # noqa: F401 - registers datasets and the preprocessor
    import mixpath_bench.engine.hooks  # noqa: F401 - registers TrainTimeHook
    import mixpath_bench.engine.model  # noqa: F401 - registers the classifier and metric
    import mixpath_bench.engine.optim  # noqa: F401 - registers the optimizer constructor
    import mixpath_bench.models  # noqa: F401 - registers the networks

    install_mmengine_loader()
    mark_work_dir(cfg.work_dir)
    if cfg.get("launcher", "none") == "pytorch":
        init_cpu_distributed(cfg)
    return Runner.from_cfg(cfg)


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

