"""Batched on-device augmentation and normalisation (MMEngine data preprocessor).

Random crop with zero padding, horizontal flip and Cutout are applied to whole batches on the
tensor's device - no per-sample Python.  Randomness comes from a generator seeded by
(seed, training iteration), so a resumed run sees exactly the augmentation it would have seen.
"""
from __future__ import annotations

from typing import Sequence

import torch
from mmengine.logging import MessageHub
from mmengine.model import BaseDataPreprocessor
from mmengine.registry import MODELS

CIFAR10_MEAN = (125.307, 122.961, 113.8575)  # 0..255 scale
CIFAR10_STD = (51.5865, 50.847, 51.255)


def random_crop(x: torch.Tensor, padding: int, gen: torch.Generator) -> torch.Tensor:
    """Per-sample random HxW crop of the zero-padded batch (B, C, H, W)."""
    b, _, h, w = x.shape
    padded = torch.nn.functional.pad(x, (padding,) * 4)
    oy = torch.randint(0, 2 * padding + 1, (b, 1), generator=gen, device=x.device)
    ox = torch.randint(0, 2 * padding + 1, (b, 1), generator=gen, device=x.device)
    rows = (oy + torch.arange(h, device=x.device)).view(b, 1, h, 1).expand(-1, x.shape[1], -1, w + 2 * padding)
    out = padded.gather(2, rows)
    cols = (ox + torch.arange(w, device=x.device)).view(b, 1, 1, w).expand(-1, x.shape[1], h, -1)
    return out.gather(3, cols)


def random_flip(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Flip each sample left-right with probability 1/2."""
    flip = torch.rand(x.shape[0], generator=gen, device=x.device) < 0.5
    return torch.where(flip.view(-1, 1, 1, 1), x.flip(3), x)


def cutout(x: torch.Tensor, size: int, gen: torch.Generator) -> torch.Tensor:
    """Zero rows/cols [c - size//2, c + size//2) around a random pixel c of each sample (clipped)."""
    b, _, h, w = x.shape
    cy = torch.randint(0, h, (b, 1, 1), generator=gen, device=x.device)
    cx = torch.randint(0, w, (b, 1, 1), generator=gen, device=x.device)
    ys = torch.arange(h, device=x.device).view(1, h, 1)
    xs = torch.arange(w, device=x.device).view(1, 1, w)
    half = size // 2
    hole = (ys >= cy - half) & (ys < cy + half) & (xs >= cx - half) & (xs < cx + half)
    return x * (~hole).unsqueeze(1).to(x.dtype)


def current_iteration() -> int:
    """The Runner's training iteration (0 outside a Runner)."""
    try:
        return int(MessageHub.get_current_instance().get_info("iter", 0))
    except Exception:  # noqa: BLE001 - no runner: no iteration
        return 0


@MODELS.register_module()
class BatchAugmentPreprocessor(BaseDataPreprocessor):
    """uint8 batch -> float, [crop, flip] -> normalise -> [cutout] -> [resize], all on the model's device."""

    def __init__(self, mean: Sequence[float] = CIFAR10_MEAN, std: Sequence[float] = CIFAR10_STD,
                 crop_padding: int = 0, flip: bool = False, cutout: int = 0, seed: int = 0,
                 channels_last: bool = False, resize: int = 0) -> None:
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32).view(1, -1, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32).view(1, -1, 1, 1), persistent=False)
        self.crop_padding, self.flip, self.cutout, self.seed = crop_padding, flip, cutout, seed
        self.channels_last = channels_last
        self.resize = resize  # > 0: bilinear resize to resize x resize after crop/flip (transfer at 224)

    def transform(self, x: torch.Tensor, training: bool, gen: torch.Generator | None = None) -> torch.Tensor:
        """uint8/float batch on its device -> normalised float batch, augmented when `training`."""
        x = x.float()
        if training and (self.crop_padding or self.flip or self.cutout):
            if gen is None:
                gen = torch.Generator(device=x.device)
                gen.manual_seed(self.seed * 1_000_003 + current_iteration())
            if self.crop_padding:
                x = random_crop(x, self.crop_padding, gen)
            if self.flip:
                x = random_flip(x, gen)
            x = (x - self.mean) / self.std
            if self.cutout:
                x = cutout(x, self.cutout, gen)
        else:
            x = (x - self.mean) / self.std
        if self.resize and x.shape[-1] != self.resize:
            x = torch.nn.functional.interpolate(x, size=(self.resize, self.resize), mode="bilinear",
                                                align_corners=False)
        if self.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        return x

    def forward(self, data: dict, training: bool = False) -> dict:
        data = self.cast_data(data)
        x = data["inputs"]
        if isinstance(x, (list, tuple)):
            x = torch.stack(list(x))
        labels = data.get("data_samples")
        if isinstance(labels, (list, tuple)):
            labels = torch.stack([torch.as_tensor(v) for v in labels]).to(x.device)
        return {"inputs": self.transform(x, training), "data_samples": labels}
