"""One route from an `Arch` to a freshly initialised stand-alone network: the builders of a space.

A space's table entry names the network its benchmark's ground truth trains (`reference_network`);
every space also has its supernet's own export.  Callers say which they want:

- ``'export'``: the supernet's `export(arch)` (what `create_model`, `tools/export.py` and the model
  zoo hand out; with a trained supernet, the same call carries the inherited weights);
- ``'reference'``: the entry's `reference_network` (S4: NAS-Bench-101's network of the cell's spec,
  as nasbench-pytorch builds it; S5: DARTS' CIFAR evaluation network; the other spaces: the export).

A space whose supernet is not built yet (S5) names its evaluation network's builder as its
`export_network` too, so ``'export'`` and `create_model` work before the supernet exists.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Callable

import numpy as np
from torch import nn

from ..errors import ConfigError, MissingDependencyError
from ..spaces import Arch, s4_spec, space_entry
from .registry import build_network
from .s5 import DartsNetworkCIFAR


def _export(arch: Arch, network: Mapping) -> nn.Module:
    """The supernet `network`'s own stand-alone network of `arch`."""
    return build_network(network).export(arch)


def _nasbench101(arch: Arch, network: Mapping) -> nn.Module:
    """nasbench-pytorch's `Network` of the cell's pruned NAS-Bench-101 spec, with the supernet's
    stem and stacking (PyTorch BN momentum 0.1: nasbench-pytorch passes TensorFlow's decay 0.997 as
    PyTorch's momentum by default, which makes running statistics follow the last batch)."""
    try:
        from nasbench_pytorch.model import Network
    except ImportError:
        raise MissingDependencyError(f"{arch.space} stand-alone training needs nasbench-pytorch") from None
    spec = s4_spec(arch)
    return Network((np.array(spec.matrix), list(spec.ops)), num_labels=network.get("num_classes", 10),
                   in_channels=network.get("in_chans", 3), stem_out_channels=network.get("stem_channels", 128),
                   num_stacks=network.get("num_stacks", 3), num_modules_per_stack=network.get("cells_per_stack", 3),
                   momentum=0.1)


def _darts_cifar(arch: Arch, network: Mapping) -> nn.Module:
    """DARTS' CIFAR evaluation network of an S5 architecture; the network dict's arguments (besides
    ``type``) are `DartsNetworkCIFAR`'s (num_classes, init_channels, layers, auxiliary, drop_path_prob)."""
    kwargs = {k: v for k, v in network.items() if k != "type"}
    try:
        return DartsNetworkCIFAR(arch, **kwargs)
    except TypeError as exc:
        raise ConfigError(f"DARTS network of {arch}: {exc}") from None


#: builder name -> (arch, supernet network dict) -> freshly initialised stand-alone network
STANDALONE_BUILDERS: dict[str, Callable[[Arch, Mapping], nn.Module]] = {
    "export": _export, "nasbench101": _nasbench101, "darts_cifar": _darts_cifar}

#: what a caller may ask for
KINDS = ("export", "reference")


def build_standalone(arch: Arch, network: Mapping | None, kind: str) -> nn.Module:
    """A freshly initialised stand-alone network of `arch` (the one route every caller takes).

    `network`: the supernet config's network dict (type + arguments; default: the space's default
    network).  `kind`: ``'export'`` (the supernet's own export) or ``'reference'`` (the network the
    space's benchmark ground truth trains: the entry's `reference_network`).
    """
    if kind not in KINDS:
        raise ConfigError(f"a stand-alone network is one of {', '.join(KINDS)}, got {kind!r}")
    entry = space_entry(arch.space)
    network = entry.default_network if network is None else network
    builder = entry.export_network if kind == "export" else entry.reference_network
    if builder not in STANDALONE_BUILDERS:
        raise ConfigError(f"space {entry.name} names the stand-alone builder {builder!r}; known: "
                          f"{', '.join(STANDALONE_BUILDERS)}")
    return STANDALONE_BUILDERS[builder](arch, network)
