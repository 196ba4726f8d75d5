"""DARTS as a registered searcher (``darts``): a searcher of the kind that trains its own weights.

Bilevel search on halves of the training split (Liu et al. 2019).  Weights: SGD (momentum 0.9,
weight decay 3e-4, cosine to w_lr_min, gradient clipping 5) on one half; architecture: Adam (lr
3e-4, betas (0.5, 0.999), weight decay 1e-3) on the other.  The relaxation is the supernet's own
(`relaxation.DartsNetwork`), built from the search config's supernet config with a single
(vanilla) BN.  Its settings (the config's ``searchers.darts`` keys) are `DartsSettings`.

The search job runs it like any searcher (`tools/search.py configs/darts/s4_cifar10.py`, no
supernet checkpoint needed): a checkpoint after every epoch (``darts_checkpoint.pth``: model,
optimizers, scheduler, RNG, history) makes ``resume`` continue exactly; its state file
(``darts.json``) records the derived architecture, the architecture weights per epoch and the
measured search time; ``alphas.png`` plots the weights' evolution.  Its `SearchResult` hands over
the derived architecture as its one pick; it evaluates no candidate with a supernet.
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import torch
from mmengine.config import Config
from mmengine.registry import DATASETS, MODELS

from ..engine.checkpoint import load_checkpoint_file
from ..errors import ConfigError
from ..jsonio import atomic_path, save_json_atomic
from ..models import build_network
from ..provenance import provenance
from ..search import SearchResult, register_searcher
from ..spaces import SearchSpace
from .relaxation import DartsNetwork, batch_loss, first_order_alpha_grad, second_order_alpha_grad


@dataclass(frozen=True)
class DartsSettings:
    """What a config sets for DARTS (``searchers.darts``); checked when built."""

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

    def __post_init__(self) -> None:
        if self.order not in ("first", "second"):
            raise ConfigError(f"searchers.darts.order must be 'first' or 'second', got {self.order!r}")
        for name in ("epochs", "batch_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"searchers.darts.{name} must be a positive integer, got {value!r}")


def _halves(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    perm = np.random.default_rng([seed, 7]).permutation(n)
    return np.sort(perm[: n // 2]), np.sort(perm[n // 2:])


@register_searcher("darts")
class DartsSearch:
    """DARTS on the search config's supernet (network and data); settings as `DartsSettings`."""

    trains_weights = True  # needs no supernet checkpoint: it trains its own relaxed supernet
    family = "darts"  # Table 2 sets it against the supernet searchers

    Settings = DartsSettings  # the config's keys

    def __init__(self, space: SearchSpace, settings: DartsSettings = DartsSettings(), supernet: Config | None = None,
                 device: str = "cpu") -> None:
        if supernet is None:
            raise ConfigError("darts: the search job gives DARTS the supernet config; none was given")
        self.space, self.supernet, self.device, self.settings = space, supernet, device, settings
        self.label = f"DARTS ({settings.order}-order)"
        self.labels: tuple[str, list[str]] = ("row", [])  # the relaxation's row name and options, set by run

    def run(self, evaluator=None, checkpoint: str | Path | None = None, resume: bool = False,
            log: Callable[[str], None] = print) -> SearchResult:
        """Train (or continue) the relaxation; `checkpoint`: its result file (``darts.json``), beside
        which the per-epoch ``darts_checkpoint.pth`` lives.  `evaluator` is not used."""
        if checkpoint is None:
            raise ConfigError("darts: give a result path (the search job does)")
        s, out = self.settings, Path(checkpoint)
        torch.manual_seed(s.seed)
        network = dict(self.supernet.model.network, shadow_bn=False)
        run = _Run(s, DartsNetwork(build_network(network)).to(self.device),
                   MODELS.build(dict(self.supernet.model.data_preprocessor)).to(self.device),
                   DATASETS.build(self.supernet.train_dataloader.dataset), self.device)
        ckpt_path = out.with_name("darts_checkpoint.pth")
        if resume and ckpt_path.is_file():
            run.load(load_checkpoint_file(ckpt_path), ckpt_path)
            log(f"darts: resumed after epoch {run.state['epoch']}")
        while run.state["epoch"] < s.epochs:
            loss = run.epoch()
            run.save(ckpt_path)
            log(f"darts: epoch {run.state['epoch']}/{s.epochs}  loss {loss:.3f}  "
                f"derived {run.state['history'][-1]['derived']}")
        derived = run.model.derive()
        self.labels = run.model.supernet.relaxation_labels()
        result = {"method": "darts", "order": s.order, "seed": s.seed, "space": run.model.space_name,
                  "derived_arch": derived.to_string(), "search_seconds": run.state["seconds"],
                  "device": str(self.device), "settings": asdict(s), "history": run.state["history"],
                  "provenance": provenance({"darts": asdict(s)}, self.device)}
        save_json_atomic(out, result)
        log(f"darts: derived {result['derived_arch']}; wrote {out}")
        pick = {"key": self.space.canonical_key(derived), "arch": derived.to_string()}
        return SearchResult("darts", self.label, [pick], [], pick, [], 0, float(run.state["seconds"]),
                            {"order": s.order, "seed": s.seed, "epochs": s.epochs, "result_file": out.name})

    def figures(self, checkpoint: str | Path) -> list[Path]:
        """``alphas.png`` beside the result file: every option's softmax weight per row over the epochs."""
        from ..jsonio import load_json

        result = load_json(Path(checkpoint), ConfigError)
        return [plot_alphas(result["history"], self.labels, Path(checkpoint).with_name("alphas.png"))]


class _Run:
    """One DARTS run's model, optimizers, data halves and state (epoch, history, seconds)."""

    def __init__(self, s: DartsSettings, model: DartsNetwork, pre, train, device: str) -> None:
        if not hasattr(train, "images"):
            raise ConfigError("DARTS here needs an in-memory dataset (CIFAR-10 or embedded)")
        self.s, self.model, self.pre, self.train, self.device = s, model, pre, train, device
        self.idx_w, self.idx_a = _halves(len(train), s.seed)
        self.w_opt = torch.optim.SGD(model.weight_parameters(), lr=s.w_lr, momentum=s.w_momentum,
                                     weight_decay=s.w_weight_decay)
        self.a_opt = torch.optim.Adam([model.alpha], lr=s.alpha_lr, betas=(0.5, 0.999),
                                      weight_decay=s.alpha_weight_decay)
        self.sched = torch.optim.lr_scheduler.CosineAnnealingLR(self.w_opt, s.epochs, eta_min=s.w_lr_min)
        self.state = {"epoch": 0, "history": [], "seconds": 0.0}

    def load(self, ckpt: dict, path: Path) -> None:
        if ckpt["settings"] != asdict(self.s):
            raise ConfigError(f"{path} was written with other DARTS settings; use another work dir")
        self.model.load_state_dict(ckpt["model"])
        self.w_opt.load_state_dict(ckpt["w_opt"])
        self.a_opt.load_state_dict(ckpt["a_opt"])
        self.sched.load_state_dict(ckpt["sched"])
        torch.set_rng_state(ckpt["torch_rng"])
        self.state = ckpt["state"]

    def save(self, path: Path) -> None:
        with atomic_path(path) as tmp:
            torch.save({"model": self.model.state_dict(), "w_opt": self.w_opt.state_dict(),
                        "a_opt": self.a_opt.state_dict(), "sched": self.sched.state_dict(),
                        "torch_rng": torch.get_rng_state(), "state": self.state, "settings": asdict(self.s)}, tmp)

    def batch(self, data_idx: np.ndarray, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        t = torch.as_tensor(data_idx)
        return self.pre.transform(self.train.images[t].to(self.device), True, gen), self.train.labels[t].to(self.device)

    def epoch(self) -> float:
        """One epoch of alternating architecture and weight steps; returns the last weight loss."""
        s, model, epoch = self.s, self.model, self.state["epoch"]
        start = time.perf_counter()
        model.train()
        rng = np.random.default_rng([s.seed, epoch])
        order_w, order_a = rng.permutation(self.idx_w), rng.permutation(self.idx_a)
        gen = torch.Generator(device=self.device).manual_seed(s.seed * 1_000_003 + epoch)
        xi = self.sched.get_last_lr()[0]
        for step in range(min(len(order_w), len(order_a)) // s.batch_size):
            sl = slice(step * s.batch_size, (step + 1) * s.batch_size)
            bw, ba = self.batch(order_w[sl], gen), self.batch(order_a[sl], gen)
            self.a_opt.zero_grad(set_to_none=True)
            if s.order == "first":
                first_order_alpha_grad(model, batch_loss, ba)
            else:
                second_order_alpha_grad(model, batch_loss, bw, ba, xi, s.w_weight_decay)
            self.a_opt.step()
            self.w_opt.zero_grad(set_to_none=True)
            loss = batch_loss(model, bw, None)
            loss.backward()
            model.alpha.grad = None
            torch.nn.utils.clip_grad_norm_(model.weight_parameters(), s.grad_clip)
            self.w_opt.step()
        self.sched.step()
        self.state["seconds"] += time.perf_counter() - start
        self.state["epoch"] = epoch + 1
        self.state["history"].append({"epoch": epoch + 1, "weights": model.weights().detach().cpu().tolist(),
                                      "derived": model.derive().to_string(), "last_loss": loss.item()})
        return loss.item()


def plot_alphas(history: list[dict], labels: tuple[str, list[str]], path: Path) -> Path:
    """Softmax weight of every option per row (node / layer) over the epochs; `labels`: (row name,
    option names)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    row_name, options = labels
    w = np.array([h["weights"] for h in history])  # (epochs, rows, options)
    rows = w.shape[1]
    cols = 4 if rows > 4 else rows
    fig, axes = plt.subplots(int(np.ceil(rows / cols)), cols, figsize=(3.2 * cols, 2.6 * np.ceil(rows / cols)),
                             squeeze=False)
    epochs = [h["epoch"] for h in history]
    for r in range(rows):
        ax = axes[r // cols][r % cols]
        for o in range(w.shape[2]):
            ax.plot(epochs, w[:, r, o], label=options[o])
        ax.set_title(f"{row_name} {r}", fontsize=9)
        ax.set_xlabel("epoch")
    axes[0][0].legend(fontsize=7)
    fig.tight_layout()
    with atomic_path(path) as tmp:  # a kill never leaves half a PNG
        fig.savefig(tmp, dpi=110, format="png")
    plt.close(fig)
    return path
