"""timm models (MixNet-M, MobileNetV3, MnasNet - the paper's detection baselines) as MMDetection backbones.

Features come from timm's ``feature_location='expansion'``: the input of each stage's last
projection, i.e. the depthwise (+SE) output - the same place as `MixPathBackbone` taps.
"""
from __future__ import annotations

from typing import Sequence

import torch
from mmengine.model import BaseModule
from torch import nn

from .backbone import freeze_and_set_norm_eval
from .registry import DET_MODELS


@DET_MODELS.register_module()
class TimmBackbone(BaseModule):
    """``timm.create_model(model_name, features_only=True, feature_location='expansion')``.

    Args:
        model_name: e.g. ``mixnet_m``, ``mobilenetv3_large_100``, ``mnasnet_a1``.
        out_indices: timm feature indices; (1, 2, 3, 4) are strides 4..32.
        pretrained: load timm's own ImageNet weights (downloaded by timm).
        frozen_stages: freeze timm's stem and the first k feature stages (-1: nothing).
        norm_eval: keep BN layers in eval mode during training.
    """

    def __init__(self, model_name: str = "mixnet_m", out_indices: Sequence[int] = (1, 2, 3, 4),
                 pretrained: bool = False, frozen_stages: int = -1, norm_eval: bool = False,
                 init_cfg: dict | None = None) -> None:
        super().__init__(init_cfg=init_cfg)
        import timm

        self.body = timm.create_model(model_name, pretrained=pretrained, features_only=True,
                                      feature_location="expansion", out_indices=tuple(out_indices))
        self.channels = list(self.body.feature_info.channels())
        self.frozen_stages, self.norm_eval = frozen_stages, norm_eval
        freeze_and_set_norm_eval(self, self._frozen_modules(), False, False)

    def _frozen_modules(self) -> list[nn.Module]:
        if self.frozen_stages < 0:
            return []
        names = ["conv_stem", "bn1"] + [f"blocks.{i}" for i in range(self.frozen_stages + 1)]
        return [m for n, m in self.body.named_modules() if n in names]

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        return tuple(self.body(x))

    def train(self, mode: bool = True) -> "TimmBackbone":
        super().train(mode)
        freeze_and_set_norm_eval(self, self._frozen_modules(), self.norm_eval, mode)
        return self
