"""Parameters and multiply-adds (fvcore counts one multiply-add as one flop, as the paper's tables).

Each searchable layer's cost depends only on its own choice, so `layer_cost_table` measures every
(layer, option) once and any architecture's total is a sum - exact and instant, which size
matching (`tools/match_arch.py`) needs.
"""
from __future__ import annotations

import logging
import warnings

import numpy as np
import torch
from torch import nn

from ..errors import MissingDependencyError
from ..spaces import Arch


def count_madds(model: nn.Module, *inputs: torch.Tensor) -> int:
    """Multiply-adds of one forward pass of `model(*inputs)` (in eval mode)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # fvcore touches torch.jit at import
            from fvcore.nn import FlopCountAnalysis
    except ImportError:  # pragma: no cover - fvcore is a core dependency
        raise MissingDependencyError("counting multiply-adds needs fvcore: pip install fvcore") from None
    logging.getLogger("fvcore").setLevel(logging.ERROR)
    was_training = model.training
    model.eval()
    with torch.no_grad():
        analysis = FlopCountAnalysis(model, inputs if len(inputs) > 1 else inputs[0])
        analysis.unsupported_ops_warnings(False).uncalled_modules_warnings(False)
        madds = int(analysis.total())
    model.train(was_training)
    return madds


def count_complexity(model: nn.Module, input_size: tuple[int, int, int]) -> tuple[int, int]:
    """(multiply-adds, parameters) of a stand-alone `model` for one input of shape (C, H, W)."""
    param = next(model.parameters())
    x = torch.zeros(1, *input_size, dtype=param.dtype, device=param.device)
    return count_madds(model, x), sum(p.numel() for p in model.parameters())


def arch_complexity(supernet: nn.Module, arch: Arch, input_size: tuple[int, int, int]) -> tuple[int, int]:
    """(multiply-adds, parameters) of `arch`'s stand-alone network exported from `supernet`."""
    return count_complexity(supernet.export(arch), input_size)


def layer_cost_table(supernet: nn.Module, input_size: tuple[int, int, int]) -> dict:
    """Costs of every option of every searchable layer of `supernet` (S1-S3).

    Returns ``options`` (the layer values), ``madds`` and ``params`` arrays of shape
    (layers, options), and ``base`` = (multiply-adds, params) of everything outside those layers.
    """
    space = supernet.space
    options = space.layer_options()
    n_layers = space.num_layers
    madds = np.zeros((n_layers, len(options)), dtype=np.int64)
    params = np.zeros_like(madds)
    inputs = []
    with torch.no_grad():
        h = supernet.stem(torch.zeros(1, *input_size))
        for layer in supernet.layers:
            inputs.append(h)
            h = layer(h, options[0])
    for i, layer in enumerate(supernet.layers):
        for j, option in enumerate(options):
            block = layer.export(option)
            madds[i, j] = count_madds(block, inputs[i])
            params[i, j] = sum(p.numel() for p in block.parameters())
    first = Arch(space.name, tuple(options[0] for _ in range(n_layers)))
    total_madds, total_params = arch_complexity(supernet, first, input_size)
    base = (total_madds - int(madds[:, 0].sum()), total_params - int(params[:, 0].sum()))
    return {"options": options, "madds": madds, "params": params, "base": base}
