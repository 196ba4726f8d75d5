"""Parameters and multiply-adds of an architecture (fvcore counts one multiply-add as one flop)."""
from __future__ import annotations

import logging
import warnings

import torch
from torch import nn

from ..spaces import Arch


def count_complexity(model: nn.Module, input_size: tuple[int, int, int]) -> tuple[int, int]:
    """(multiply-adds, parameters) of a stand-alone `model` for one input of shape (C, H, W)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # fvcore touches torch.jit at import
            from fvcore.nn import FlopCountAnalysis
    except ImportError:  # pragma: no cover - fvcore is a core dependency
        raise ImportError("counting multiply-adds needs fvcore: pip install fvcore") from None
    was_training = model.training
    model.eval()
    param = next(model.parameters())
    x = torch.zeros(1, *input_size, dtype=param.dtype, device=param.device)
    logging.getLogger("fvcore").setLevel(logging.ERROR)
    with torch.no_grad():
        analysis = FlopCountAnalysis(model, x)
        analysis.unsupported_ops_warnings(False).uncalled_modules_warnings(False)
        madds = int(analysis.total())
    model.train(was_training)
    return madds, sum(p.numel() for p in model.parameters())


def arch_complexity(supernet: nn.Module, arch: Arch, input_size: tuple[int, int, int]) -> tuple[int, int]:
    """(multiply-adds, parameters) of `arch`'s stand-alone network exported from `supernet`."""
    return count_complexity(supernet.export(arch), input_size)
