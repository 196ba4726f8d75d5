"""The table of search spaces: one `SpaceEntry` per space (S1-S4 of supplementary Table 1; S5, DARTS'
cells with multi-path edges, supplementary C.2).

`get_space`, `parse_arch`, the default network of an architecture string, the detection
backbones, the stand-alone builder and the tools read it; adding a space is one `register_space`
call (plus its supernet class, registered under the entry's `supernet` name).
"""
from __future__ import annotations


from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Callable

from .arch import Arch, ArchError
from .darts_cell import DARTS_PRIMITIVES, S5_OPS, darts_cell_kind
from .spaces import (IMAGENET_KERNELS, S1_CANDIDATES, S4_OPS, CellNodesLayer, GroupKernelLayer, LayerKind,
                     SearchSpace, SubsetLayer)


@dataclass(frozen=True)
class SpaceEntry:
    """One row of the table of search spaces: everything the toolkit needs to know about a space.

    `get_space`, `parse_arch`, the default network of an architecture string, the detection
    backbones, the stand-alone builder and the tools read this table; adding a space is one
    `register_space` call (plus its supernet class, registered under `supernet`).
    """

    name: str  #: upper case, e.g. ``'S1'``; the prefix of the space's architecture strings
    kind: Callable[[int], LayerKind]  #: m -> the layer kind with at most m active paths
    default_m: int  #: the paper's m
    max_m: int  #: the largest m the space allows
    num_layers: int
    description: str
    supernet: str  #: type name of the space's supernet in the network registry
    num_classes: int  #: classes of the default network (the dataset the space is defined on)
    input_size: tuple[int, int, int] = (3, 224, 224)  #: C, H, W of the space's dataset
    detection: bool = False  #: an ImageNet skeleton that can serve as a detection backbone
    nasbench: bool = False  #: a NAS-Bench-101 cell: ground truth can come from the NAS-Bench-101 table
    #: the stand-alone network the benchmark's ground truth trains (a builder name of
    #: `mixpath_bench.models.standalone.STANDALONE_BUILDERS`): ``'export'`` (the supernet's own export) or,
    #: for NAS-Bench-101 cells, ``'nasbench101'`` (NAS-Bench-101's network of the cell's spec)
    reference_network: str = "export"
    #: the builder `build_standalone(arch, network, 'export')` uses: ``'export'``, the supernet's own export
    #: (a space whose supernet is not built yet may name another builder)
    export_network: str = "export"
    #: m to parse the space's architectures with when a file names them (None: `default_m`)
    parse_m: int | None = None
    row_name: str = "layer"  #: what one row of a per-layer plot is (``'layer'``, ``'node'``)
    option_labels: tuple[str, ...] = ()  #: plot label of each option of one row (DARTS' relaxation columns)

    @property
    def plot_labels(self) -> tuple[str, list[str]]:
        """(what one row of a per-layer plot is, the label of each option): DARTS' relaxation labels."""
        return self.row_name, list(self.option_labels)

    @property
    def default_network(self) -> dict:
        """The network an architecture string of this space is built with (a fresh dict)."""
        return {"type": self.supernet, "num_classes": self.num_classes}


#: The table of search spaces, name -> entry, in registration order (`register_space`).
SPACES: dict[str, SpaceEntry] = {}


def register_space(entry: SpaceEntry, replace: bool = False) -> SpaceEntry:
    """Add `entry` to the table (replace an entry of the same name only with `replace`)."""
    if not isinstance(entry, SpaceEntry):
        raise TypeError(f"register_space takes a SpaceEntry, got {type(entry).__name__}")
    if not entry.name or entry.name != entry.name.upper() or ":" in entry.name:
        raise ValueError(f"a space name is upper case without ':', got {entry.name!r}")
    if not 1 <= entry.default_m <= entry.max_m:
        raise ValueError(f"{entry.name}: default m={entry.default_m} is outside 1..{entry.max_m}")
    if entry.name in SPACES and not replace:
        raise ValueError(f"search space {entry.name} is registered already")
    SPACES[entry.name] = entry
    return entry


def unregister_space(name: str) -> SpaceEntry:
    """Remove a space from the table (for tests that register a toy space); returns its entry."""
    return SPACES.pop(space_entry(name).name)


def space_entry(name: str) -> SpaceEntry:
    """The table entry of `name` (any case); unknown names raise `ArchError` listing the table."""
    entry = SPACES.get(str(name).upper())
    if entry is None:
        raise ArchError(f"unknown search space {name!r}; choose one of {', '.join(SPACES)}")
    return entry


def space_names(where: Callable[[SpaceEntry], bool] | None = None) -> list[str]:
    """Names of the registered spaces (those whose entry satisfies `where`), in table order."""
    return [name for name, entry in SPACES.items() if where is None or where(entry)]


def network_space_entry(network_type: str) -> SpaceEntry:
    """The entry whose supernet is the network type `network_type` (the one place a supernet's space
    is written); a type no entry names raises `ArchError`."""
    for entry in SPACES.values():
        if entry.supernet == network_type:
            return entry
    raise ArchError(f"network {network_type!r} is no search space's supernet; the table's supernets are "
                    f"{', '.join(e.supernet for e in SPACES.values())}")


def network_space(network: Mapping) -> SearchSpace:
    """The search space of a supernet config's network dict (``type``, and ``m`` /
    ``first_m_positions`` when it sets them), read from the table without building the network."""
    if not isinstance(network, Mapping) or "type" not in network:
        raise ArchError(f"a network is a dict with 'type', got {str(network)[:80]}")
    entry = network_space_entry(network["type"])
    m, first_m = network.get("m"), network.get("first_m_positions", False)
    if m is not None and (isinstance(m, bool) or not isinstance(m, int)):
        raise ArchError(f"{network['type']}: m must be an integer, got {m!r}")
    if not isinstance(first_m, bool):
        raise ArchError(f"{network['type']}: first_m_positions must be True or False, got {first_m!r}")
    return get_space(entry.name, m, first_m=first_m)


def get_space(name: str, m: int | None = None, first_m: bool = False) -> SearchSpace:
    """The space `name` (S1..S5) with at most `m` active paths per layer (default: the paper's).

    `first_m`: only the first m candidate nodes may be on (S4; the reference code's space)."""
    entry = space_entry(name)
    m = entry.default_m if m is None else int(m)
    if not 1 <= m <= entry.max_m:
        raise ArchError(f"{entry.name} allows m in 1..{entry.max_m}, got m={m}")
    kind = entry.kind(m)
    if first_m:
        if not hasattr(kind, "positions"):
            raise ArchError(f"{entry.name} has no node positions; first_m applies to cells of candidate nodes")
        kind = replace(kind, positions=m)
    return SearchSpace(entry.name, entry.num_layers, kind, entry.description, entry)


def parse_arch(text: str, m: int | None = None, widest: bool = False) -> Arch:
    """Parse ``'S1:...'`` (or its JSON) and validate it against its space.

    `widest`: with no `m`, validate with the m that architectures named in files may use (the
    entry's `parse_m`, e.g. S1's 8 paths a layer) instead of the paper's m.
    """
    arch = Arch.from_json(text)
    if widest and m is None:
        m = space_entry(arch.space).parse_m
    return get_space(arch.space, m).validate(arch)


def _s1_kind(m: int) -> LayerKind:
    return SubsetLayer(len(S1_CANDIDATES), m)


def _imagenet_subset_kind(m: int) -> LayerKind:
    return SubsetLayer(len(IMAGENET_KERNELS), m)


def _imagenet_group_kind(m: int) -> LayerKind:
    return GroupKernelLayer(4, len(IMAGENET_KERNELS))


def _nasbench_cell_kind(m: int) -> LayerKind:
    return CellNodesLayer(4, len(S4_OPS) - 1, m)


_KERNEL_LABELS = tuple(f"k{k}" for k in IMAGENET_KERNELS)

for _entry in (
    SpaceEntry("S1", _s1_kind, default_m=4, max_m=8, num_layers=12,
               description="CIFAR-10, 12 inverted bottlenecks, kernel {3,5,7,9} x expansion {3,6}",
               supernet="S1Supernet", num_classes=10, input_size=(3, 32, 32), parse_m=8,
               option_labels=tuple(f"k{k}e{e}" for k, e in S1_CANDIDATES)),
    SpaceEntry("S2", _imagenet_subset_kind, default_m=2, max_m=4, num_layers=18,
               description="ImageNet, 18 MixNet-M inverted bottlenecks, kernel {3,5,7,9}",
               supernet="S2Supernet", num_classes=1000, detection=True, option_labels=_KERNEL_LABELS),
    SpaceEntry("S3", _imagenet_group_kind, default_m=1, max_m=1, num_layers=18,
               description="ImageNet, 18 MixNet-M bottlenecks, 4 depthwise groups x kernel {3,5,7,9}",
               supernet="S3Supernet", num_classes=1000, detection=True, option_labels=_KERNEL_LABELS),
    SpaceEntry("S4", _nasbench_cell_kind, default_m=4, max_m=4, num_layers=1,
               description="reduced NAS-Bench-101: 4 candidate nodes, each off or conv1x1/conv3x3/maxpool",
               supernet="S4Supernet", num_classes=10, input_size=(3, 32, 32), nasbench=True, reference_network="nasbench101",
               row_name="node",
               option_labels=("off", "conv1x1", "conv3x3", "maxpool")),
    SpaceEntry("S5", darts_cell_kind, default_m=3, max_m=len(S5_OPS), num_layers=16,
               description="DARTS cells (normal, reduction): 4 nodes x 2 of 14 edges, each edge sums 1..m of "
                           "DARTS' 7 operations",
               supernet="S5Supernet", num_classes=10, input_size=(3, 32, 32), row_name="edge",
               reference_network="darts_cifar", option_labels=DARTS_PRIMITIVES),
):
    register_space(_entry)
del _entry

#: The space whose cells are NAS-Bench-101's (its ground truth is the NAS-Bench-101 table).
(NASBENCH_SPACE,) = space_names(lambda e: e.nasbench)
