"""Optimizer construction: weight decay on weights only, none on BN (or other norm) parameters."""
from __future__ import annotations

from mmengine.optim import DefaultOptimWrapperConstructor
from mmengine.registry import OPTIM_WRAPPER_CONSTRUCTORS
from torch import nn

NORM_TYPES = (nn.modules.batchnorm._BatchNorm, nn.GroupNorm, nn.LayerNorm)


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class NoNormDecayConstructor(DefaultOptimWrapperConstructor):
    """Two parameter groups: norm-layer parameters without weight decay, everything else with it.

    Same effect as ``paramwise_cfg=dict(norm_decay_mult=0)`` without logging every parameter.
    """

    def add_params(self, params: list, module: nn.Module, prefix: str = "", is_dcn_module=None) -> None:
        norm_ids = {id(p) for m in module.modules() if isinstance(m, NORM_TYPES) for p in m.parameters()}
        decay = [p for p in module.parameters() if p.requires_grad and id(p) not in norm_ids]
        no_decay = [p for p in module.parameters() if p.requires_grad and id(p) in norm_ids]
        params.append({"params": decay})
        params.append({"params": no_decay, "weight_decay": 0.0})
