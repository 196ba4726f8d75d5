"""Ground truth by stand-alone training: each architecture trained from scratch with a fixed recipe.

Each network is the space's reference stand-alone network (`models.standalone.build_standalone(arch,
network, "reference")`: S4, NAS-Bench-101's network of the cell's spec; other spaces, the export of
a freshly initialised supernet).  One JSON result per (architecture, seed) is
written atomically to a cache folder keyed by recipe, network and data, so an interrupted run
resumes where it stopped and isomorphic S4 encodings share one result.
"""
from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import torch
from mmengine.registry import MODELS
from torch import nn

from ..data.datasets import ImageTensorDataset
from ..errors import ConfigError
from ..models.standalone import build_standalone
from ..spaces import Arch, get_space
from ..jsonio import save_json_atomic, write_text_atomic
from ..engine.setup import register_all_modules


@dataclass(frozen=True)
class StandaloneRecipe:
    """SGD with momentum, cosine to zero, cross-entropy; augmentation from the preprocessor."""

    epochs: int = 10
    batch_size: int = 96
    lr: float = 0.05
    momentum: float = 0.9
    weight_decay: float = 3e-4
    grad_clip: float = 5.0


@torch.no_grad()
def _accuracy(net: nn.Module, data: ImageTensorDataset, transform, device: str, batch: int = 500) -> float:
    net.eval()
    correct = 0
    for i in range(0, len(data), batch):
        x = transform(data.images[i:i + batch].to(device), False).contiguous(memory_format=torch.channels_last)
        correct += (net(x).argmax(1) == data.labels[i:i + batch].to(device)).sum().item()
    return 100.0 * correct / len(data)


def train_standalone(net: nn.Module, train: ImageTensorDataset, evals: dict[str, ImageTensorDataset],
                     preprocessor: nn.Module, recipe: StandaloneRecipe, seed: int, device: str = "cpu") -> dict:
    """Train `net` from scratch; returns top-1 (%) on each of `evals` and the seconds spent."""
    torch.manual_seed(seed)
    start = time.perf_counter()
    # channels-last activations: ~20% faster convolutions on CPU (mkldnn) for these small networks,
    # and the layout tensor cores want on GPU
    net.to(device, memory_format=torch.channels_last).train()
    preprocessor.to(device)
    opt = torch.optim.SGD(net.parameters(), lr=recipe.lr, momentum=recipe.momentum, weight_decay=recipe.weight_decay)
    steps = recipe.epochs * ((len(train) + recipe.batch_size - 1) // recipe.batch_size)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    gen = torch.Generator(device=device).manual_seed(seed)
    order_rng = np.random.default_rng(seed)
    for _ in range(recipe.epochs):
        net.train()
        perm = torch.from_numpy(order_rng.permutation(len(train)))
        for i in range(0, len(train), recipe.batch_size):
            idx = perm[i:i + recipe.batch_size]
            x = preprocessor.transform(train.images[idx].to(device), True, gen).contiguous(
                memory_format=torch.channels_last)
            loss = nn.functional.cross_entropy(net(x), train.labels[idx].to(device))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            if recipe.grad_clip:
                nn.utils.clip_grad_norm_(net.parameters(), recipe.grad_clip)
            opt.step()
            sched.step()
    out = {f"{name}_acc": _accuracy(net, data, preprocessor.transform, device) for name, data in evals.items()}
    out["seconds"] = time.perf_counter() - start
    return out


@dataclass(frozen=True)
class StandaloneData:
    """What stand-alone networks are trained on and measured on: the supernet config's network and
    preprocessor (type + arguments), the training split, the splits measured (name -> split; each
    gives ``<name>_acc``), an identity of the data for the cache key, and the fraction of the
    supernet's training split held out of `train` (0: none)."""

    network: dict
    preprocessor: dict
    train: ImageTensorDataset
    evals: dict
    data_id: str = ""
    holdout: float = 0.0


class StandaloneTruth:
    """Trains (once, cached) each requested architecture with each seed; accuracy = mean over seeds."""

    name = "standalone"

    def __init__(self, data: StandaloneData, recipe: StandaloneRecipe, seeds: Sequence[int] = (0,),
                 metric: str = "val_acc", cache_dir: str | Path = "work_dirs/standalone", device: str = "cpu",
                 log: Callable[[str], None] = print) -> None:
        if not isinstance(data.train, ImageTensorDataset):
            raise ConfigError("stand-alone ground truth needs an in-memory dataset (CIFAR-10 or embedded)")
        register_all_modules()

        self.data, self.recipe = data, recipe
        self.network, self.train, self.evals, self.holdout = dict(data.network), data.train, data.evals, data.holdout
        self.preprocessor = MODELS.build(dict(data.preprocessor))
        self.seeds, self.device, self.metric, self.log = tuple(seeds), device, metric, log
        ident = json.dumps({"network": self.network, "preprocessor": dict(data.preprocessor),
                            "recipe": asdict(recipe), "data": data.data_id, "n_train": len(data.train),
                            "init": "seeded", "layout": "channels_last"}, sort_keys=True, default=str)
        self.folder = Path(cache_dir) / hashlib.sha256(ident.encode()).hexdigest()[:12]
        self.folder.mkdir(parents=True, exist_ok=True)
        write_text_atomic(self.folder / "settings.json", ident)

    def key(self, arch: Arch) -> str:
        """The network's identity (S4: NAS-Bench-101 hash), so every encoding shares one cached result."""
        return get_space(arch.space).canonical_key(arch)

    def path(self, arch: Arch, seed: int) -> Path:
        return self.folder / f"{self.key(arch).replace(':', '_')}-seed{seed}.json"

    def cached(self, arch: Arch, seed: int) -> bool:
        return self.path(arch, seed).is_file()

    def result(self, arch: Arch, seed: int) -> dict:
        """The cached result of (arch, seed), training it now if it is missing."""
        path = self.path(arch, seed)
        if path.is_file():
            return json.loads(path.read_text())
        self.log(f"standalone: training {arch} (seed {seed}) for {self.recipe.epochs} epochs")
        torch.manual_seed(seed)  # the initial weights too depend on the seed alone, not on earlier runs
        net = build_standalone(arch, self.network, "reference")
        res = {"arch": arch.to_string(), "seed": seed,
               **train_standalone(net, self.train, self.evals, self.preprocessor, self.recipe, seed, self.device)}
        save_json_atomic(path, res)
        return res

    def results(self, arch: Arch) -> list[dict]:
        return [self.result(arch, s) for s in self.seeds]

    def accuracy(self, arch: Arch) -> float:
        """Mean of `metric` over the seeds (%)."""
        return float(np.mean([r[self.metric] for r in self.results(arch)]))
