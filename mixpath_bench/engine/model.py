"""`MixPathClassifier`: an MMEngine `BaseModel` around a supernet, with per-step path sampling.

Training samples one architecture per step (per layer: k ~ U{1..m}, then k distinct
candidates) from a generator seeded by (seed, iteration, rank): stateless, so a resumed run
samples exactly the paths the uninterrupted run would have, and DDP ranks explore different
paths.  Any forward can instead take an explicit ``arch``.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import torch
from mmengine.dist import get_rank
from mmengine.evaluator import BaseMetric
from mmengine.model import BaseModel
from mmengine.registry import METRICS, MODELS

from ..data.augment import current_iteration
from ..errors import ConfigError
from ..models import build_network
from ..spaces import Arch


@MODELS.register_module()
class MixPathClassifier(BaseModel):
    """Classifier over a supernet `network` (a registered S1..S4 supernet config or module).

    Args:
        network: config dict (``type=S1Supernet`` ...) or a built supernet.
        data_preprocessor: config of the batch preprocessor (augmentation + normalisation).
        seed: seed of the path sampler.
        eval_arch: architecture string used when predicting without an explicit ``arch``;
            None samples a fresh architecture for every validation batch, seeded by
            (seed, training iteration, batch number), so validation is reproducible.
        sync_every: report the training loss once every this many iterations (its mean over
            them), so the device is not waited for every step; 1 = every step (MMEngine's way).
        channels_last: keep the network's weights in channels-last memory format (pair it with
            the preprocessor's ``channels_last``).
    """

    def __init__(self, network: dict | torch.nn.Module, data_preprocessor: dict | None = None, seed: int = 0,
                 eval_arch: str | None = None, sync_every: int = 1, channels_last: bool = False,
                 init_cfg: dict | None = None) -> None:
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.network = build_network(network) if isinstance(network, dict) else network
        if channels_last:
            self.network.to(memory_format=torch.channels_last)
        self.sync_every = max(1, int(sync_every))
        self._loss_window: list[torch.Tensor] = []
        self.space = self.network.space
        self.seed = seed
        self.eval_arch = self.space.validate(eval_arch) if eval_arch else None
        self._eval_batches = (-1, 0)  # (training iteration, batches predicted since)

    def sample_arch(self) -> Arch:
        """The training architecture of the current iteration on this rank."""
        rng = np.random.default_rng([self.seed, current_iteration(), get_rank()])
        return self.space.sample(rng)

    def train_step(self, data: Any, optim_wrapper) -> dict:
        """MMEngine's train step; with ``sync_every > 1`` the loss is returned (and so copied to
        the host) only on every ``sync_every``-th iteration, as the mean since the last report."""
        if self.sync_every == 1:
            return super().train_step(data, optim_wrapper)
        with optim_wrapper.optim_context(self):
            data = self.data_preprocessor(data, True)
            losses = self._run_forward(data, mode="loss")
        loss, _ = self.parse_losses(losses)
        optim_wrapper.update_params(loss)
        self._loss_window.append(loss.detach().float())
        if len(self._loss_window) < self.sync_every and (current_iteration() + 1) % self.sync_every:
            return {}
        mean = torch.stack(self._loss_window).mean()
        self._loss_window = []
        return {"loss": mean}

    def _eval_arch(self) -> Arch:
        if self.eval_arch is not None:
            return self.eval_arch
        it = current_iteration()
        batch = self._eval_batches[1] + 1 if self._eval_batches[0] == it else 0
        self._eval_batches = (it, batch)
        return self.space.sample(np.random.default_rng([self.seed, 1 << 30, it, batch]))

    def forward(self, inputs: torch.Tensor, data_samples: Any = None, mode: str = "tensor",
                arch: Arch | None = None) -> Any:
        if arch is None:
            arch = self.sample_arch() if mode == "loss" else self._eval_arch()
        logits = self.network(inputs, arch)
        if mode == "tensor":
            return logits
        if mode == "loss":
            return {"loss": torch.nn.functional.cross_entropy(logits, data_samples)}
        if mode == "predict":
            preds = logits.argmax(1)
            correct = (preds == data_samples).sum()
            return [{"correct": correct.item(), "total": int(preds.numel())}]
        raise ValueError(f"mode must be 'tensor', 'loss' or 'predict', got {mode!r}")


@METRICS.register_module()
class TopOneAccuracy(BaseMetric):
    """Top-1 accuracy in percent over everything `MixPathClassifier` predicted."""

    default_prefix = ""

    def process(self, data_batch: Any, data_samples: list[dict]) -> None:
        self.results.extend(data_samples)

    def compute_metrics(self, results: list[dict]) -> dict[str, float]:
        total = sum(r["total"] for r in results)
        return {"top1": 100.0 * sum(r["correct"] for r in results) / max(total, 1)}


@MODELS.register_module()
class StandaloneClassifier(BaseModel):
    """An MMEngine classifier around a stand-alone network of a named (or given) architecture.

    Args:
        arch: ``mixpath_a``, an architecture ``.json`` file, or a string such as ``S2:0-1-...``.
        num_classes: classifier outputs.
        label_smoothing: cross-entropy label smoothing.
        drop_rate: dropout before the classifier (overrides the architecture's default).
        network: arguments replacing the architecture record's network (``type`` included), e.g. DARTS'
            evaluation network for a found S5 cell: ``dict(type='DartsNetworkCIFAR', init_channels=36,
            layers=20, auxiliary=True)``.
        aux_weight: weight of the auxiliary head's cross-entropy (DARTS: 0.4); needs a network with
            an auxiliary head (``forward_aux``).
    """

    def __init__(self, arch: str, num_classes: int = 1000, label_smoothing: float = 0.0,
                 drop_rate: float | None = None, network: dict | None = None, aux_weight: float = 0.0,
                 data_preprocessor: dict | None = None, init_cfg: dict | None = None) -> None:
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        from ..models.named import create_model

        overrides = {} if drop_rate is None else {"dropout": drop_rate}
        if network is not None and not isinstance(network, dict):
            raise ConfigError(f"model.network must be a dict of network arguments, got {network!r}")
        self.network = create_model(arch, num_classes=num_classes, **overrides, **dict(network or {}))
        if isinstance(aux_weight, bool) or not isinstance(aux_weight, (int, float)) or aux_weight < 0:
            raise ConfigError(f"model.aux_weight must be a number >= 0, got {aux_weight!r}")
        if aux_weight and getattr(self.network, "auxiliary_head", None) is None:
            raise ConfigError(f"model.aux_weight={aux_weight} needs a network with an auxiliary head "
                              "(DartsNetworkCIFAR with auxiliary=True)")
        self.label_smoothing, self.aux_weight = label_smoothing, float(aux_weight)

    def forward(self, inputs: torch.Tensor, data_samples: Any = None, mode: str = "tensor") -> Any:
        if mode == "loss":
            loss = lambda logits: torch.nn.functional.cross_entropy(  # noqa: E731 - one loss, two heads
                logits, data_samples, label_smoothing=self.label_smoothing)
            if not self.aux_weight:
                return {"loss": loss(self.network(inputs))}
            logits, aux = self.network.forward_aux(inputs)
            return {"loss": loss(logits), "loss_aux": self.aux_weight * loss(aux)}
        logits = self.network(inputs)
        if mode == "tensor":
            return logits
        if mode == "predict":
            return [{"correct": (logits.argmax(1) == data_samples).sum().item(), "total": int(len(logits))}]
        raise ValueError(f"mode must be 'tensor', 'loss' or 'predict', got {mode!r}")
