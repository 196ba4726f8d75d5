"""Optimizer construction: weight decay on weights only, none on BN (or other norm) parameters;
an optimizer wrapper without per-step host synchronisation (the ``--fast`` training path)."""
from __future__ import annotations

from contextlib import contextmanager

import torch
from mmengine.optim import DefaultOptimWrapperConstructor, OptimWrapper
from mmengine.registry import OPTIM_WRAPPER_CONSTRUCTORS, OPTIM_WRAPPERS
from torch import nn

from ..errors import ConfigError

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


@OPTIM_WRAPPERS.register_module()
class FastOptimWrapper(OptimWrapper):
    """An `OptimWrapper` that never waits for the device: the clipped gradient norm stays on the
    device (MMEngine's wrapper converts it to a Python float, a host synchronisation every step),
    and ``dtype='bfloat16'`` runs forward and loss under bf16 autocast without loss scaling
    (bf16 has fp32's exponent range; AMP's GradScaler would check for infs on the host every step).
    Parameters, gradients, optimizer state and BN statistics stay fp32.
    """

    def __init__(self, optimizer, accumulative_counts: int = 1, clip_grad: dict | None = None,
                 dtype: str | None = None) -> None:
        super().__init__(optimizer, accumulative_counts, clip_grad)
        if dtype not in (None, "bfloat16"):
            raise ConfigError(f"FastOptimWrapper dtype must be None or 'bfloat16', got {dtype!r}")
        self.dtype = torch.bfloat16 if dtype else None

    def _clip_grad(self) -> None:
        params = [p for group in self.optimizer.param_groups for p in group["params"]
                  if p.requires_grad and p.grad is not None]
        if params:
            self.clip_func(params, **self.clip_grad_kwargs)

    @contextmanager
    def optim_context(self, model: nn.Module):
        with super().optim_context(model):
            if self.dtype is None:
                yield
                return
            device = next(model.parameters()).device.type
            with torch.autocast(device_type=device, dtype=self.dtype):
                yield
