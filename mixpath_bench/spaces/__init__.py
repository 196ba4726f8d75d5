"""Search spaces as data (numpy only): `Arch` values, sampling, mutation, sizes, NAS-Bench-101 specs."""
from .arch import Arch, ArchError
from .darts_cell import DARTS_PRIMITIVES, S5_OPS, DartsCellLayer
from .nasbench import ModelSpec, graph_hash, prune, s4_canonical, s4_hash, s4_spec, s4_unique_archs
from .spaces import IMAGENET_KERNELS, MUTATIONS, S1_CANDIDATES, S4_OPS, SHORT_OPS, SearchSpace, subset_count
from .table import (NASBENCH_SPACE, SPACES, SpaceEntry, get_space, parse_arch, network_space, network_space_entry,
                    register_space, space_entry, space_names, unregister_space)
from .genotype import DARTS_SPACE, Genotype, arch_to_genotype, genotype_to_arch

__all__ = [
    "Arch", "ArchError", "ModelSpec", "SearchSpace", "get_space", "parse_arch", "subset_count",
    "graph_hash", "prune", "s4_canonical", "s4_hash", "s4_spec", "s4_unique_archs",
    "S1_CANDIDATES", "IMAGENET_KERNELS", "S4_OPS", "SHORT_OPS", "MUTATIONS",
    "DARTS_PRIMITIVES", "S5_OPS", "DartsCellLayer", "DARTS_SPACE", "Genotype", "arch_to_genotype", "genotype_to_arch",
    "SPACES", "SpaceEntry", "NASBENCH_SPACE", "register_space", "unregister_space", "network_space", "network_space_entry", "space_entry", "space_names",
]
