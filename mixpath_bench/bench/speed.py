"""Timing of training steps and candidate evaluations (the logic behind `tools/benchmark.py`).

Training: the configured supernet (`configs/supernet/*.py`), its optimizer wrapper and its
dataloader, stepped with `MixPathClassifier.train_step` exactly as MMEngine's loop does (the
plain path also copies the loss to the host every step, as MMEngine's RuntimeInfoHook does);
the fast path is the config after `enable_fast` (`tools/train.py --fast`).  Hooks other than
that copy are not timed.  Evaluation: one candidate = BN calibration on the configured batches
+ the whole validation split, as (a) the reference approach (a DataLoader batch by batch, fp32,
a host copy per batch), (b) our plain `SupernetEvaluator`, (c) its fast settings.  The reference
implementation's own supernets can be timed under a loop with its training step's semantics
(`reference_*`), imported from a checkout the user gives, never copied here.
"""
from __future__ import annotations

import copy
import importlib.util
import sys
import time
import types
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Mapping

import numpy as np
import torch
from mmengine.config import Config
from mmengine.logging import MessageHub
from mmengine.registry import MODELS
from torch import nn

from ..engine.calibrate import calibrate_bn
from ..engine.config import load_config
from ..engine.setup import register_all_modules
from ..errors import ConfigError
from ..models.registry import build_network
from ..spaces import NASBENCH_SPACE
from .reference import EVALUATION_SPACE, REFERENCE_SUPERNETS, benchmark_cases, case_key

SYNTHETIC = dict(type="SyntheticImages", num=45000, size=32)


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def time_steps(step: Callable[[int], None], steps: int, warmup: int, images_per_step: int,
               device: torch.device) -> dict:
    """images/s of `steps` calls after `warmup` ones, and the peak GPU memory (MiB) while timing."""
    for i in range(warmup):
        step(i)
    sync(device)
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    start = time.perf_counter()
    for i in range(warmup, warmup + steps):
        step(i)
    sync(device)
    seconds = time.perf_counter() - start
    peak = torch.cuda.max_memory_allocated(device) / 2**20 if device.type == "cuda" else None
    return {"images_per_s": steps * images_per_step / seconds, "seconds": seconds, "steps": steps,
            "peak_mem_mib": peak}


def timing_data(cfg: Config, cifar_root: str | None) -> tuple[dict, dict, str, tuple[int, ...]]:
    """(train, val) dataset configs to time on, a description and the image shape (C, H, W): real
    CIFAR-10 at `cifar_root`, else the config's own data when it is at hand (the embedded sets),
    else synthetic images of CIFAR-10's shape."""
    from mmengine.registry import DATASETS

    from ..errors import DatasetError

    register_all_modules()

    train, val = dict(cfg.train_dataloader.dataset), dict(cfg.val_dataloader.dataset)
    if cifar_root and train.get("type") == "CIFAR10":
        train, val = dict(train, root=cifar_root), dict(val, root=cifar_root)
    try:
        shape = tuple(DATASETS.build(copy.deepcopy(train)).images.shape[1:])
        return train, val, f"{train['type']}:{train.get('name', train.get('root', ''))}", shape
    except DatasetError:
        if cifar_root:
            raise
        return dict(SYNTHETIC), dict(SYNTHETIC, num=5000, seed=1), "synthetic 32x32x3", (3, 32, 32)


def training_config(config: str | Path, fast: bool, amp: bool, batch: int, data: dict) -> Config:
    """The supernet config on `data`, at batch size `batch`, with the fast switches."""
    from ..engine.runner import enable_amp, enable_fast

    cfg = load_config(config)
    cfg.train_dataloader.batch_size = batch
    cfg.train_dataloader.dataset = copy.deepcopy(data)
    cfg.val_dataloader = None
    if fast:
        enable_fast(cfg, amp)
    elif amp:
        enable_amp(cfg)
    return cfg


def training_step_fn(cfg: Config, device: torch.device) -> Callable[[int], None]:
    """One MMEngine training iteration of `cfg`'s model on its dataloader."""
    from mmengine.optim import build_optim_wrapper
    from mmengine.runner import Runner

    register_all_modules()

    model = MODELS.build(copy.deepcopy(cfg.model)).to(device)
    model.train()
    wrapper = build_optim_wrapper(model, copy.deepcopy(cfg.optim_wrapper))
    loader = Runner.build_dataloader(copy.deepcopy(cfg.train_dataloader), seed=0)
    batches = iter(loader)
    hub = MessageHub.get_current_instance()

    def step(i: int) -> None:
        nonlocal batches
        try:
            batch = next(batches)
        except StopIteration:
            batches = iter(loader)
            batch = next(batches)
        hub.update_info("iter", i)
        out = model.train_step(batch, wrapper)
        for value in out.values():  # what MMEngine's RuntimeInfoHook does with the step's outputs
            value.item() if torch.is_tensor(value) else float(value)

    return step


def mean_madds(config: str | Path, input_shape: tuple[int, ...], n: int = 16) -> float:
    """Mean multiply-adds per image of `n` seeded training-path samples of the config's supernet
    (fvcore on the exported networks: all active paths of a multi-path layer count)."""
    from .complexity import arch_complexity

    register_all_modules()

    cfg = load_config(config)
    net = build_network(cfg.model.network)
    rng = np.random.default_rng(0)
    return float(np.mean([arch_complexity(net, net.space.sample(rng), tuple(input_shape))[0] for _ in range(n)]))


def reference_module(path: str | Path, sub: str, name: str):
    """Import `sub/name.py` of a reference checkout as a fresh module."""
    file = Path(path) / sub / f"{name}.py"
    if not file.is_file():
        raise ConfigError(f"{file} does not exist; --reference must be a checkout of github.com/xiaomi-automl/MixPath")
    spec = importlib.util.spec_from_file_location(f"mixpath_reference_{sub}_{name}", file)
    module = importlib.util.module_from_spec(spec)
    # its NAS-Bench-101 model imports `random_choice` from nas_utils, which needs TensorFlow's nasbench:
    # hand it a module with our own sampler in its format instead
    stub = types.ModuleType("nas_utils")
    stub.random_choice = lambda m: reference_choice(NASBENCH_SPACE, m, np.random.default_rng())
    saved = sys.modules.get("nas_utils")
    sys.modules["nas_utils"] = stub
    try:
        spec.loader.exec_module(module)
    finally:
        if saved is None:
            sys.modules.pop("nas_utils", None)
        else:
            sys.modules["nas_utils"] = saved
    return module


def reference_supernet(space: str):
    """The reference checkout's supernet of `space` (`mixpath_bench.bench.reference`)."""
    if space not in REFERENCE_SUPERNETS:
        raise ConfigError(f"the reference implementation has no {space} supernet here; "
                          f"choose one of {', '.join(REFERENCE_SUPERNETS)}")
    return REFERENCE_SUPERNETS[space]


def reference_choice(space: str, m: int, rng: np.random.Generator) -> dict:
    """A random path in the reference code's format (S1: per layer 'conv' ids + 'rate'; S4: 'op' + 'path')."""
    return reference_supernet(space).choice(m, rng)


def reference_step_fn(checkout: str | Path, space: str, device: torch.device, batch: int, m: int = 4,
                      channels: int = 128) -> Callable[[int], None]:
    """A training step with the reference loop's semantics on its own supernet: inputs already on
    the device, SGD(0.025, 0.9, 3e-4), clip 5, top-1/top-5 and loss copied to the host every step."""
    ref = reference_supernet(space)
    net = reference_module(checkout, ref.folder, ref.module).SuperNetwork(**ref.arguments(channels))
    net = net.to(device).train()
    opt = torch.optim.SGD(net.parameters(), lr=0.025, momentum=0.9, weight_decay=3e-4)
    gen = torch.Generator(device=device).manual_seed(0)
    pool = [(torch.randn(batch, 3, 32, 32, device=device, generator=gen),
             torch.randint(0, 10, (batch,), device=device, generator=gen)) for _ in range(8)]
    rng = np.random.default_rng(0)
    criterion = nn.CrossEntropyLoss()

    def step(i: int) -> None:
        x, y = pool[i % len(pool)]
        opt.zero_grad()
        out = net(x, reference_choice(space, m, rng))
        loss = criterion(out, y)
        loss.backward()
        nn.utils.clip_grad_norm_(net.parameters(), 5.0)
        top5 = out.topk(5, 1).indices
        float((top5[:, 0] == y).float().mean())
        float((top5 == y[:, None]).any(1).float().mean())
        opt.step()
        loss.item()

    return step


def evaluation_times(config: str | Path, device: torch.device, candidates: int, calib_batches: int,
                     calib_batch_size: int, val_batch_size: int, fast_val_batch_size: int,
                     cifar_root: str | None = None) -> dict:
    """Seconds per candidate: reference approach, our plain evaluator, our fast evaluator."""
    from mmengine.registry import DATASETS

    from .evaluator import SupernetEvaluator, dataset_batches

    register_all_modules()

    cfg = load_config(config)
    train_cfg, val_cfg, _, _ = timing_data(cfg, cifar_root)
    train, val = DATASETS.build(train_cfg), DATASETS.build(val_cfg)
    model = MODELS.build(copy.deepcopy(cfg.model)).to(device).eval()
    rng = np.random.default_rng(0)
    archs = [model.space.sample(rng) for _ in range(candidates)]
    out = {"candidates": candidates, "calibration_images": min(len(train), calib_batches * calib_batch_size),
           "validation_images": len(val)}
    out["reference_approach"] = _time_candidates(lambda a: _reference_style_eval(
        model, train, val, a, calib_batches, calib_batch_size, val_batch_size, device), archs, device)
    calib = dataset_batches(train, calib_batch_size, calib_batches, seed=0)
    cuda = device.type == "cuda"
    for name, kwargs, vbs in (("ours_plain", {}, val_batch_size),
                              ("ours_fast", {"amp": cuda, "channels_last": cuda}, fast_val_batch_size)):
        # multiply-add counting (fvcore) is not part of the timed evaluation
        ev = SupernetEvaluator(copy.deepcopy(model), calib, dataset_batches(val, vbs), tuple(val.images.shape[1:]),
                               count_costs=False, **kwargs)
        out[name] = _time_candidates(lambda a, ev=ev: ev.score(a).acc, archs, device)
        out[name]["settings"] = {"val_batch_size": vbs, **kwargs}
    return out


def _time_candidates(fn: Callable, archs: list, device: torch.device) -> dict:
    fn(archs[0])  # warm-up (cudnn autotuning, allocator)
    sync(device)
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    start = time.perf_counter()
    accs = [fn(a) for a in archs[1:]]
    sync(device)
    seconds = (time.perf_counter() - start) / max(1, len(archs) - 1)
    peak = torch.cuda.max_memory_allocated(device) / 2**20 if device.type == "cuda" else None
    return {"seconds_per_candidate": seconds, "peak_mem_mib": peak, "accs": accs}


@torch.no_grad()
def _reference_style_eval(model, train, val, arch, calib_batches: int, calib_bs: int, val_bs: int,
                          device: torch.device) -> float:
    """The reference approach: DataLoaders batch by batch (one item at a time collated), fp32."""
    from torch.utils.data import DataLoader

    pre = model.data_preprocessor

    def batches(data, bs, limit=None):
        for i, b in enumerate(DataLoader(data, batch_size=bs, shuffle=False)):
            if limit is not None and i >= limit:
                return
            yield pre.transform(b["inputs"].to(device), False), b["data_samples"].to(device)

    state = {k: v.clone() for k, v in model.state_dict().items() if "running_" in k or "num_batches" in k}
    calibrate_bn(model.network, (x for x, _ in batches(train, calib_bs, calib_batches)), arch)
    model.eval()
    correct = total = 0
    for x, y in batches(val, val_bs):
        correct += (model(x, mode="tensor", arch=arch).argmax(1) == y).sum().item()
        total += len(y)
    model.load_state_dict(state, strict=False)
    return 100.0 * correct / total


@dataclass(frozen=True)
class BenchmarkSettings:
    """What `run_benchmark` times and how; None picks the device's default (CUDA / CPU)."""

    device: str = "auto"
    reference: str | None = None  #: a checkout of github.com/xiaomi-automl/MixPath (its rows are timed too)
    steps: int | None = None  #: timed training steps (150 / 5)
    warmup: int | None = None  #: untimed steps first (40 / 2)
    batch: int = 96
    candidates: int | None = None  #: evaluated candidates (20 / 3)
    only: tuple[str, ...] | None = None  #: case keys (`case_key`) and 'eval'; None: every case and 'eval'
    cifar_root: str | None = None  #: real CIFAR-10 instead of synthetic data
    out: str | Path = "work_dirs/benchmark.json"
    configs: Mapping[str, str] = field(default_factory=dict)  #: case key -> config (default: the reference table's)
    calib_batches: int = 10  #: BN calibration batches of 500 training images per candidate
    madds_samples: int = 16  #: sampled training paths whose mean multiply-adds give the achieved FLOP/s


def default_configs() -> dict[str, str]:
    """case key -> the config timed against the reference's supernet of that space."""
    return {case_key(space): REFERENCE_SUPERNETS[space].config for space in benchmark_cases()}


def run_benchmark(settings: BenchmarkSettings, log: Callable[[str], None] = print) -> dict:
    """Every timing `settings.only` asks for on one device; prints the table and writes `settings.out` (JSON).

    A candidate evaluation calibrates BN on `calib_batches` batches of 500 training images; the
    multiply-adds per image are the mean over `madds_samples` sampled training paths."""
    from ..engine.device import resolve_device
    from ..jsonio import save_json_atomic
    from ..provenance import provenance

    dev = torch.device(resolve_device(settings.device))
    cuda = dev.type == "cuda"
    if cuda:
        torch.backends.cudnn.benchmark = True
    steps = settings.steps or (150 if cuda else 5)
    warmup = settings.warmup if settings.warmup is not None else (40 if cuda else 2)
    candidates = settings.candidates or (20 if cuda else 3)
    defaults = default_configs()
    configs = {**defaults, **settings.configs}
    if settings.reference and any(configs[k] != defaults.get(k) for k in configs):
        raise ConfigError("--reference compares against its CIFAR-10 supernets: keep the default configs")
    only = settings.only if settings.only is not None else (*defaults, "eval")
    rows, results = [], {"training": {}, "evaluation": None, "data": {}}
    resolved = replace(settings, steps=steps, warmup=warmup)
    for space in [s for s in benchmark_cases() if case_key(s) in only]:
        entry, case_rows, results["data"][space] = time_training(space, configs[case_key(space)], resolved, dev, log)
        results["training"][space] = entry
        rows += case_rows
    if "eval" in only:
        log(f"benchmark: candidate evaluation ({EVALUATION_SPACE})")
        results["evaluation"] = evaluation_times(configs[case_key(EVALUATION_SPACE)], dev, candidates,
                                                 settings.calib_batches, 500, 500, 2500, settings.cifar_root)
    print(format_table(rows, results["evaluation"], settings.batch))
    results["provenance"] = provenance({"steps": steps, "warmup": warmup, "batch": settings.batch,
                                        "candidates": candidates, "calib_batches": settings.calib_batches,
                                        "madds_samples": settings.madds_samples, "reference": settings.reference,
                                        "configs": configs},
                                       str(dev))
    results["provenance"]["cuda"] = torch.version.cuda
    save_json_atomic(settings.out, results)
    log(f"benchmark: wrote {settings.out}")
    return results


def time_training(space: str, config: str, settings: BenchmarkSettings, dev: torch.device,
                  log: Callable[[str], None]) -> tuple[dict, list, str]:
    """One case's training timings (plain fp32, fast fp32, fast bf16 on CUDA, the reference's) with
    `settings.steps` / `settings.warmup` resolved: (its entry, its table rows, the data it timed on)."""
    batch, steps, warmup, rows = settings.batch, settings.steps, settings.warmup, []
    data, _, described, shape = timing_data(load_config(config), settings.cifar_root)
    madds = mean_madds(config, shape, settings.madds_samples)
    entry = {}
    variants = [("plain fp32", False, False), ("fast fp32", True, False)] + ([("fast bf16", True, True)]
                                                                           if dev.type == "cuda" else [])
    steps_of = {name: (lambda fast=fast, amp=amp: training_step_fn(training_config(config, fast, amp, batch, data),
                                                                   dev)) for name, fast, amp in variants}
    if settings.reference:
        steps_of["reference fp32"] = lambda: reference_step_fn(settings.reference, space, dev, batch)
    for name, make_step in steps_of.items():
        log(f"benchmark: {space} training, {'reference implementation' if name == 'reference fp32' else name}")
        entry[name] = time_steps(make_step(), steps, warmup, batch, dev)
        entry[name]["achieved_tflops"] = achieved_tflops(entry[name]["images_per_s"], madds)
        rows.append((f"{space} ({Path(config).stem}) train, batch {batch}", name, entry[name]))
    entry["madds_per_image"] = madds
    return entry, rows, described


def achieved_tflops(images_per_s: float, madds: float) -> float:
    """Training FLOP/s (10^12): forward 2 FLOPs per multiply-add, backward about twice the forward."""
    return images_per_s * 6.0 * madds / 1e12


def format_table(rows: list, evaluation: dict | None, batch: int) -> str:
    lines = ["| case | path | images/s | x reference | x plain | achieved TFLOP/s | peak GPU memory (MiB) |",
             "|---|---|---|---|---|---|---|"]
    by_case: dict[str, dict] = {}
    for case, name, r in rows:
        by_case.setdefault(case, {})[name] = r
    for case, entries in by_case.items():
        ref, plain = entries.get("reference fp32"), entries.get("plain fp32")
        for name, r in entries.items():
            x_ref = f"{r['images_per_s'] / ref['images_per_s']:.2f}" if ref else "-"
            x_plain = f"{r['images_per_s'] / plain['images_per_s']:.2f}" if plain else "-"
            mem = f"{r['peak_mem_mib']:.0f}" if r["peak_mem_mib"] is not None else "-"
            flops = f"{r['achieved_tflops']:.3f}" if r.get("achieved_tflops") is not None else "-"
            lines.append(f"| {case} | {name} | {r['images_per_s']:.1f} | {x_ref} | {x_plain} | {flops} | {mem} |")
    if evaluation:
        lines += ["", f"Candidate evaluation ({EVALUATION_SPACE}): BN calibration on {evaluation['calibration_images']} training "
                  f"images + {evaluation['validation_images']} validation images, mean of "
                  f"{evaluation['candidates'] - 1} candidates", "",
                  "| path | seconds / candidate | x reference approach | peak GPU memory (MiB) |", "|---|---|---|---|"]
        ref = evaluation["reference_approach"]["seconds_per_candidate"]
        for name in ("reference_approach", "ours_plain", "ours_fast"):
            r = evaluation[name]
            mem = f"{r['peak_mem_mib']:.0f}" if r["peak_mem_mib"] is not None else "-"
            lines.append(f"| {name} | {r['seconds_per_candidate']:.3f} | {ref / r['seconds_per_candidate']:.2f} | "
                         f"{mem} |")
    return "\n".join(lines)
