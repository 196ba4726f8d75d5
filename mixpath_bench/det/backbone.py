"""MixPath (and any S2/S3 architecture) as an MMDetection backbone.

Features for the FPN are the outputs of the depthwise layer (after its BN and activation) of the
last bottleneck of each stage - strides 4, 8, 16, 32 (C2..C5), as in the paper; for a
multi-path block, the sum of its paths' depthwise outputs.
"""
from __future__ import annotations

from typing import Sequence

import torch
from mmengine.model import BaseModule
from torch import nn

from ..models.mixnet import MIXNET_M_LAYERS, MIXNET_M_STAGE_ENDS
from ..models.named import create_model, resolve_arch
from ..nn import ChoiceBlock, PathSumBlock
from .registry import DET_MODELS


def block_with_tap(block: nn.Module, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(block output, its depthwise-layer output) for a stand-alone S2/S3 block."""
    if isinstance(block, PathSumBlock):
        out = tap = None
        for path in block.paths:
            h = path.depthwise(path.expand(x))
            y = path.project(path.se(h))
            out, tap = (y, h) if out is None else (out + y, tap + h)
        out = block.norm(out)
    elif isinstance(block, ChoiceBlock):
        body = block.body
        tap = body.act(body.bn(body.depthwise(body.expand(x), block.choice)))
        out = block.norm(body.project(body.se(tap)))
    else:
        raise TypeError(f"cannot tap the depthwise layer of {type(block).__name__}")
    return (out + x if block.residual else out), tap


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


def stage_channels() -> list[int]:
    """Depthwise channels at the four taps of the MixNet-M skeleton (the FPN's in_channels)."""
    ins = [24] + [layer[0] for layer in MIXNET_M_LAYERS[:-1]]
    return [ins[i] * MIXNET_M_LAYERS[i][2] for i in MIXNET_M_STAGE_ENDS]


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
        if parsed.space not in ("S2", "S3"):
            raise ValueError(f"detection backbones come from the ImageNet spaces S2/S3, not {parsed.space}")
        if not set(out_indices) <= {0, 1, 2, 3}:
            raise ValueError(f"out_indices must be within 0..3, got {out_indices}")
        net = create_model(arch)
        self.stem, self.blocks = net.stem, net.blocks
        self.arch = parsed.to_string()
        self.out_indices = tuple(out_indices)
        self.frozen_stages = frozen_stages
        self.norm_eval = norm_eval
        self.channels = [stage_channels()[i] for i in self.out_indices]
        freeze_and_set_norm_eval(self, self._frozen_modules(), False, False)

    def stage_modules(self, stage: int) -> list[nn.Module]:
        """Stage 0 = stem; stage k (1..4) = the blocks ending at the k-th tap."""
        if stage == 0:
            return [self.stem]
        start = 0 if stage == 1 else MIXNET_M_STAGE_ENDS[stage - 2] + 1
        return list(self.blocks[start:MIXNET_M_STAGE_ENDS[stage - 1] + 1])

    def _frozen_modules(self) -> list[nn.Module]:
        return [m for stage in range(self.frozen_stages + 1) for m in self.stage_modules(stage)]

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        x = self.stem(x)
        outs = []
        last = MIXNET_M_STAGE_ENDS[max(self.out_indices)]
        for i, block in enumerate(self.blocks[:last + 1]):
            if i in MIXNET_M_STAGE_ENDS and MIXNET_M_STAGE_ENDS.index(i) in self.out_indices:
                x, tap = block_with_tap(block, x)
                outs.append(tap)
            else:
                x = block(x)
        return tuple(outs)

    def train(self, mode: bool = True) -> "MixPathBackbone":
        super().train(mode)
        freeze_and_set_norm_eval(self, self._frozen_modules(), self.norm_eval, mode)
        return self
