"""The DARTS job behind `tools/darts.py`: bilevel search on halves of the training split.

Weights: SGD (momentum 0.9, weight decay 3e-4, cosine to w_lr_min, gradient clipping 5) on one half;
architecture: Adam (lr 3e-4, betas (0.5, 0.999), weight decay 1e-3) on the other - Liu et al. 2019.
A checkpoint after every epoch (model, optimizers, scheduler, RNG, history) makes ``resume``
continue exactly; ``darts.json`` records the derived architecture, the architecture weights per
epoch, the measured search time and provenance; ``alphas.png`` plots the weights' evolution.
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import torch
from mmengine.registry import DATASETS, MODELS

from ..engine.checkpoint import load_checkpoint_file
from ..engine.config import construct, load_config
from ..package_data import config_reference
from ..engine.lock import lock_work_dir
from ..errors import ConfigError
from ..jsonio import save_json_atomic
from .plots import savefig_atomic
from ..provenance import provenance
from ..search.darts import DartsNetwork, batch_loss, first_order_alpha_grad, second_order_alpha_grad
from ..engine.setup import register_all_modules


@dataclass(frozen=True)
class DartsSettings:
    epochs: int = 10
    batch_size: int = 64
    order: str = "first"
    w_lr: float = 0.025
    w_lr_min: float = 0.001
    w_momentum: float = 0.9
    w_weight_decay: float = 3e-4
    alpha_lr: float = 3e-4
    alpha_weight_decay: float = 1e-3
    grad_clip: float = 5.0
    seed: int = 0


def _halves(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    perm = np.random.default_rng([seed, 7]).permutation(n)
    return np.sort(perm[: n // 2]), np.sort(perm[n // 2:])


def run_darts_job(config: str | Path, work_dir: str | Path, seed: int | None = None, resume: bool = False,
                  device: str = "cpu", options: dict | None = None, log: Callable[[str], None] = print) -> dict:
    """Run (or continue) DARTS; returns the ``darts.json`` content."""
    register_all_modules()

    cfg = load_config(config, options, allowed={"supernet_config", "darts"})
    if cfg.get("supernet_config") is None:
        raise ConfigError(f"DARTS config {config} needs 'supernet_config'")
    cfg.supernet_config = str(config_reference(cfg.supernet_config, config, "supernet_config"))
    d_cfg = dict(cfg.get("darts") or {})
    if seed is not None:
        d_cfg["seed"] = seed
    s = construct(DartsSettings, d_cfg, "darts")
    if s.order not in ("first", "second"):
        raise ConfigError(f"darts.order must be 'first' or 'second', got {s.order!r}")
    sup = load_config(cfg.supernet_config)
    network = dict(sup.model.network, shadow_bn=False)
    with lock_work_dir(work_dir, purpose="darts"):  # one search per work dir
        return _search(s, sup, network, Path(work_dir), resume, device, log,
                       {"config": str(config), "supernet_config": cfg.supernet_config})


def _search(s: DartsSettings, sup, network: dict, work: Path, resume: bool, device: str,
            log: Callable[[str], None], sources: dict) -> dict:
    torch.manual_seed(s.seed)
    model = DartsNetwork(MODELS.build(network)).to(device)
    pre = MODELS.build(dict(sup.model.data_preprocessor)).to(device)
    train = DATASETS.build(sup.train_dataloader.dataset)
    if not hasattr(train, "images"):
        raise ConfigError("DARTS here needs an in-memory dataset (CIFAR-10 or embedded)")
    idx_w, idx_a = _halves(len(train), s.seed)
    w_opt = torch.optim.SGD(model.weight_parameters(), lr=s.w_lr, momentum=s.w_momentum, weight_decay=s.w_weight_decay)
    a_opt = torch.optim.Adam([model.alpha], lr=s.alpha_lr, betas=(0.5, 0.999), weight_decay=s.alpha_weight_decay)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(w_opt, s.epochs, eta_min=s.w_lr_min)
    state = {"epoch": 0, "history": [], "seconds": 0.0}
    ckpt_path = work / "darts_checkpoint.pth"
    if resume and ckpt_path.is_file():
        ckpt = load_checkpoint_file(ckpt_path)
        if ckpt["settings"] != asdict(s):
            raise ConfigError(f"{ckpt_path} was written with other DARTS settings; use another work dir")
        model.load_state_dict(ckpt["model"])
        w_opt.load_state_dict(ckpt["w_opt"])
        a_opt.load_state_dict(ckpt["a_opt"])
        sched.load_state_dict(ckpt["sched"])
        torch.set_rng_state(ckpt["torch_rng"])
        state = ckpt["state"]
        log(f"darts: resumed after epoch {state['epoch']}")

    def batch(data_idx: np.ndarray, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        t = torch.as_tensor(data_idx)
        x = pre.transform(train.images[t].to(device), True, gen)
        return x, train.labels[t].to(device)

    while state["epoch"] < s.epochs:
        epoch = state["epoch"]
        start = time.perf_counter()
        model.train()
        rng = np.random.default_rng([s.seed, epoch])
        order_w, order_a = rng.permutation(idx_w), rng.permutation(idx_a)
        gen = torch.Generator(device=device).manual_seed(s.seed * 1_000_003 + epoch)
        steps = min(len(order_w), len(order_a)) // s.batch_size
        xi = sched.get_last_lr()[0]
        for step in range(steps):
            sl = slice(step * s.batch_size, (step + 1) * s.batch_size)
            bw, ba = batch(order_w[sl], gen), batch(order_a[sl], gen)
            a_opt.zero_grad(set_to_none=True)
            if s.order == "first":
                first_order_alpha_grad(model, batch_loss, ba)
            else:
                second_order_alpha_grad(model, batch_loss, bw, ba, xi, s.w_weight_decay)
            a_opt.step()
            w_opt.zero_grad(set_to_none=True)
            loss = batch_loss(model, bw, None)
            loss.backward()
            model.alpha.grad = None
            torch.nn.utils.clip_grad_norm_(model.weight_parameters(), s.grad_clip)
            w_opt.step()
        sched.step()
        state["seconds"] += time.perf_counter() - start
        state["epoch"] = epoch + 1
        state["history"].append({"epoch": epoch + 1, "weights": model.weights().detach().cpu().tolist(),
                                 "derived": model.derive().to_string(), "last_loss": loss.item()})
        tmp = ckpt_path.with_name(ckpt_path.name + ".tmp")
        torch.save({"model": model.state_dict(), "w_opt": w_opt.state_dict(), "a_opt": a_opt.state_dict(),
                    "sched": sched.state_dict(), "torch_rng": torch.get_rng_state(), "state": state,
                    "settings": asdict(s)}, tmp)
        tmp.replace(ckpt_path)
        log(f"darts: epoch {epoch + 1}/{s.epochs}  loss {loss.item():.3f}  derived {state['history'][-1]['derived']}")

    result = {"method": "darts", "order": s.order, "seed": s.seed, "space": model.space_name,
              "derived_arch": model.derive().to_string(), "search_seconds": state["seconds"],
              "device": str(device), "settings": asdict(s), "history": state["history"],
              "provenance": provenance({**sources, "darts": asdict(s)}, device)}
    save_json_atomic(work / "darts.json", result)
    plot_alphas(state["history"], model.space_name, work / "alphas.png")
    log(f"darts: derived {result['derived_arch']}; wrote {work / 'darts.json'} and {work / 'alphas.png'}")
    return result


def plot_alphas(history: list[dict], space: str, path: Path) -> None:
    """Softmax weight of every option per node/layer over the epochs."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    w = np.array([h["weights"] for h in history])  # (epochs, rows, options)
    rows = w.shape[1]
    cols = 4 if rows > 4 else rows
    fig, axes = plt.subplots(int(np.ceil(rows / cols)), cols, figsize=(3.2 * cols, 2.6 * np.ceil(rows / cols)),
                             squeeze=False)
    labels = ["off", "conv1x1", "conv3x3", "maxpool"] if space == "S4" else [
        f"k{k}e{e}" for k in (3, 5, 7, 9) for e in (3, 6)]
    epochs = [h["epoch"] for h in history]
    for r in range(rows):
        ax = axes[r // cols][r % cols]
        for o in range(w.shape[2]):
            ax.plot(epochs, w[:, r, o], label=labels[o])
        ax.set_title(f"{'node' if space == 'S4' else 'layer'} {r}", fontsize=9)
        ax.set_xlabel("epoch")
    axes[0][0].legend(fontsize=7)
    fig.tight_layout()
    savefig_atomic(fig, path, dpi=110)
    plt.close(fig)
