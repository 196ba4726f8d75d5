"""One route from an `Arch` to a freshly initialised stand-alone network: the builders of a space.

A space's table entry names the network its benchmark's ground truth trains (`reference_network`);
every space also has its supernet's own export.  Callers say which they want:

- ``'export'``: the supernet's `export(arch)` (what `create_model`, `tools/export.py` and the model
  zoo hand out; with a trained supernet, the same call carries the inherited weights);
- ``'reference'``: the entry's `reference_network` (S4: NAS-Bench-101's network of the cell's spec,
  as nasbench-pytorch builds it; S5: DARTS' CIFAR evaluation network at the supernet's size; the other
  spaces: the export).

A network dict may also name a stand-alone network class directly (`STANDALONE_NETWORKS`, e.g. the
published DARTS cells' ``DartsNetworkCIFAR`` with 36 channels, 20 cells and the auxiliary head): then
that network is built, whatever the kind.
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


#: the S5 supernet's arguments DARTS' network also takes (its size); the others (m, shadow_bn,
#: stem_multiplier) belong to the supernet alone
_DARTS_SIZE = ("num_classes", "in_chans", "init_channels", "layers")


def _darts_cifar(arch: Arch, network: Mapping) -> nn.Module:
    """DARTS' CIFAR evaluation network of an S5 architecture at the S5 supernet `network`'s size
    (its num_classes, in_chans, init_channels, layers), without auxiliary head or per-edge BN: the
    network DARTS trains stand-alone, at the scale of the benchmark's supernet."""
    unknown = sorted(set(network) - {"type", "m", "shadow_bn", "stem_multiplier", *_DARTS_SIZE})
    if unknown:
        raise ConfigError(f"DARTS network of {arch}: unexpected keyword argument {unknown[0]!r}")
    return DartsNetworkCIFAR(arch, auxiliary=False, **{k: network[k] for k in _DARTS_SIZE if k in network})


def _named_network(arch: Arch, network: Mapping) -> nn.Module:
    """The stand-alone class `network['type']` names, built with the dict's other arguments."""
    kwargs = {k: v for k, v in network.items() if k != "type"}
    try:
        return STANDALONE_NETWORKS[network["type"]](arch, **kwargs)
    except TypeError as exc:
        raise ConfigError(f"{network['type']} of {arch}: {exc}") from None


#: builder name -> (arch, supernet network dict) -> freshly initialised stand-alone network
STANDALONE_BUILDERS: dict[str, Callable[[Arch, Mapping], nn.Module]] = {
    "export": _export, "nasbench101": _nasbench101, "darts_cifar": _darts_cifar}

#: stand-alone network classes a network dict may name as its ``type`` (built from the arch directly)
STANDALONE_NETWORKS: dict[str, Callable[..., nn.Module]] = {"DartsNetworkCIFAR": DartsNetworkCIFAR}

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
    if network.get("type") in STANDALONE_NETWORKS:
        return _named_network(arch, network)
    builder = entry.export_network if kind == "export" else entry.reference_network
    if builder not in STANDALONE_BUILDERS:
        raise ConfigError(f"space {entry.name} names the stand-alone builder {builder!r}; known: "
                          f"{', '.join(STANDALONE_BUILDERS)}")
    return STANDALONE_BUILDERS[builder](arch, network)
