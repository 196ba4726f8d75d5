"""MixPath (and any S2/S3 architecture) as an MMDetection backbone.

Features for the FPN are the taps the stand-alone network declares (its ``feature_info``): the
outputs of the depthwise layer (after its BN and activation) of the last bottleneck of each
stage - strides 4, 8, 16, 32 (C2..C5), as in the paper; for a multi-path block, the sum of its
paths' depthwise outputs.  Each block computes its own tap (``forward_tap``).
"""
from __future__ import annotations

from typing import Sequence

import torch
from mmengine.model import BaseModule
from torch import nn

from ..models.named import create_model, resolve_arch
from ..spaces import space_entry, space_names
from .registry import DET_MODELS


def freeze_and_set_norm_eval(backbone: nn.Module, frozen: list[nn.Module], norm_eval: bool, mode: bool) -> None:
    """After ``train(mode)``: frozen modules stay in eval without gradients; with `norm_eval`, all BNs too."""
    for module in frozen:
        module.eval()
        for p in module.parameters():
            p.requires_grad = False
    if mode and norm_eval:
        for m in backbone.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                m.eval()


@DET_MODELS.register_module()
class MixPathBackbone(BaseModule):
    """Backbone from a named architecture (``mixpath_a``), an architecture file, or an S2/S3 string.

    Args:
        arch: architecture name, ``.json`` file, or string.
        out_indices: which of the 4 stages (strides 4, 8, 16, 32) to output.
        frozen_stages: freeze the stem (0) and stages 1..k (-1: nothing frozen).
        norm_eval: keep BN layers in eval mode during training (frozen statistics).
        init_cfg: e.g. ``dict(type='Pretrained', checkpoint='zoo://mixpath_a')``.
    """

    def __init__(self, arch: str = "mixpath_a", out_indices: Sequence[int] = (0, 1, 2, 3), frozen_stages: int = -1,
                 norm_eval: bool = False, init_cfg: dict | None = None) -> None:
        super().__init__(init_cfg=init_cfg)
        parsed, _ = resolve_arch(arch)
        if not space_entry(parsed.space).detection:
            raise ValueError(f"detection backbones come from the ImageNet spaces "
                             f"{'/'.join(space_names(lambda e: e.detection))}, not {parsed.space}")
        net = create_model(arch)
        if not set(out_indices) <= set(range(len(net.feature_info))):
            raise ValueError(f"out_indices must be within 0..{len(net.feature_info) - 1}, got {out_indices}")
        self.stem, self.blocks = net.stem, net.blocks
        self.feature_info = net.feature_info
        self.arch = parsed.to_string()
        self.out_indices = tuple(out_indices)
        self.frozen_stages = frozen_stages
        self.norm_eval = norm_eval
        self.channels = [self.feature_info[i].num_chs for i in self.out_indices]
        freeze_and_set_norm_eval(self, self._frozen_modules(), False, False)

    def stage_modules(self, stage: int) -> list[nn.Module]:
        """Stage 0 = stem; stage k (1..4) = the blocks ending at the k-th tap."""
        if stage == 0:
            return [self.stem]
        start = 0 if stage == 1 else self.feature_info[stage - 2].block + 1
        return list(self.blocks[start:self.feature_info[stage - 1].block + 1])

    def _frozen_modules(self) -> list[nn.Module]:
        return [m for stage in range(self.frozen_stages + 1) for m in self.stage_modules(stage)]

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        x = self.stem(x)
        outs = []
        tapped = {self.feature_info[i].block for i in self.out_indices}
        for i, block in enumerate(self.blocks[:max(tapped) + 1]):
            if i in tapped:
                x, tap = block.forward_tap(x)
                outs.append(tap)
            else:
                x = block(x)
        return tuple(outs)

    def train(self, mode: bool = True) -> "MixPathBackbone":
        super().train(mode)
        freeze_and_set_norm_eval(self, self._frozen_modules(), self.norm_eval, mode)
        return self
