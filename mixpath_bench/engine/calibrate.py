"""BN calibration: re-estimate the running statistics of an architecture's active path.

Shared weights come with BN statistics accumulated over *all* sampled paths; before scoring one
architecture, the statistics of the BNs its forward pass uses are reset and re-estimated as the
exact average over N training batches (momentum=None: cumulative average), in train mode,
without gradients.  BNs the architecture does not use are left untouched.
"""
from __future__ import annotations

from typing import Iterable

import torch
from torch import nn

from ..spaces import Arch


@torch.no_grad()
def calibrate_bn(model: nn.Module, batches: Iterable[torch.Tensor], arch: Arch, momentum: bool = False) -> int:
    """Re-estimate BN statistics of `arch`'s active path on `batches` (preprocessed inputs).

    `model(x, arch)` must run the architecture (a supernet network, or a `MixPathClassifier`
    called with ``mode='tensor'``).  `momentum`: the reference code's way instead - no reset; each
    batch updates the trained running statistics by the BN's momentum.  Returns the number of BN
    layers recalibrated.
    """
    bns = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    touched: dict[nn.Module, float | None] = {}

    def reset_on_first_use(module: nn.Module, _inputs) -> None:
        if module not in touched:
            touched[module] = module.momentum
            if momentum:
                return
            module.reset_running_stats()
            module.momentum = None  # cumulative (exact) average over the calibration batches

    handles = [bn.register_forward_pre_hook(reset_on_first_use) for bn in bns]
    was_training = model.training
    model.train()
    try:
        for x in batches:
            model(x, arch)
    finally:
        for h in handles:
            h.remove()
        for module, momentum in touched.items():
            module.momentum = momentum
        model.train(was_training)
    return len(touched)
