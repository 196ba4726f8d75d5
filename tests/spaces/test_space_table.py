"""The table of search spaces is the one place a space is defined.

* a toy space registered at runtime is served by `get_space` / `parse_arch` with no other edit;
* `get_space`'s errors, the default networks and the detection backbone read the table;
* no space name is spelled as a string literal outside spaces/ and models/ (an `ast` scan);
* DARTS' relaxation belongs to the supernets (`relaxation_shape`, `derive`, `one_hot`).
"""
from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest
import torch

from mixpath_bench.spaces import (NASBENCH_SPACE, SPACES, Arch, ArchError, SpaceEntry, get_space, parse_arch,
                                  network_space, network_space_entry,
                                  register_space, space_entry, space_names, unregister_space)
from mixpath_bench.spaces.spaces import SubsetLayer

from ..conftest import ROOT

PAPER_SPACES = ("S1", "S2", "S3", "S4")
#: the table as shipped: the paper's four spaces of supplementary Table 1, then S5 (DARTS' cells, supplementary C.2)
TABLE_SPACES = PAPER_SPACES + ("S5",)


# -- 1. a toy space ---------------------------------------------------------------------------------
@pytest.fixture
def toy_space():
    """'T9': 3 layers choosing 1..m of 5 candidates (m = 2 by default, at most 3; files may use 3)."""
    entry = register_space(SpaceEntry(
        "T9", lambda m: SubsetLayer(5, m), default_m=2, max_m=3, num_layers=3, description="toy: 3 x (1..m of 5)",
        supernet="T9Supernet", num_classes=7, input_size=(1, 8, 8), parse_m=3,
        option_labels=tuple(f"c{i}" for i in range(5))))
    try:
        yield entry
    finally:
        unregister_space("T9")


def test_a_registered_toy_space_is_served_everywhere(toy_space):
    space = get_space("T9")
    assert (space.name, space.m, space.num_layers, space.entry) == ("T9", 2, 3, toy_space)
    assert get_space("t9", 3).m == 3 and space.layer_choices() == 5 + 10
    with pytest.raises(ArchError, match=r"^T9 allows m in 1\.\.3, got m=4$"):
        get_space("T9", 4)
    arch = parse_arch("T9:01-4-23")
    assert arch == Arch("T9", ((0, 1), (4,), (2, 3))) and space.validate(arch) is arch
    with pytest.raises(ArchError, match="allowed 1..2"):
        parse_arch("T9:012-0-0")
    assert parse_arch("T9:012-0-0", widest=True) == parse_arch("T9:012-0-0", m=3)
    assert space.describe(arch) == "T9:01-4-23" and space.describe("T9:01-4-23") == "T9:01-4-23"
    rng = np.random.default_rng(0)
    for _ in range(20):
        a = space.sample(rng)
        assert space.validate(a) is a and space.from_vector(space.to_vector(a)) == a
        assert all(space.validate(b) for b in space.neighbours(a))
    assert "T9" in space_names() and f"{', '.join(TABLE_SPACES)}, T9" in _unknown_message()

    from mixpath_bench.models.named import DEFAULT_NETWORKS, default_network

    assert DEFAULT_NETWORKS["T9"] == default_network("T9") == {"type": "T9Supernet", "num_classes": 7}
    # a supernet config's space is read from the table by its network type, nothing built
    assert network_space({"type": "T9Supernet", "m": 3}).entry is toy_space
    assert network_space({"type": "T9Supernet"}).m == 2
    from mixpath_bench.models.registry import TableSpace

    class T9Supernet:  # a supernet class names no space: the table's entry does
        SPACE = TableSpace()

    assert T9Supernet.SPACE == "T9"


def test_a_supernets_space_is_written_once():
    """The table names each space's supernet; the class's SPACE and a config's space are read from it,
    and agree with what the built network says."""
    from mixpath_bench.models import build_network, supernet_class

    for name in PAPER_SPACES:
        entry = space_entry(name)
        assert supernet_class(name).SPACE == name and network_space_entry(entry.supernet) is entry
    for network in ({"type": "S1Supernet", "width": 0.25}, {"type": "S1Supernet", "width": 0.25, "m": 2},
                    {"type": "S4Supernet", "stem_channels": 8, "cells_per_stack": 1, "m": 2,
                     "first_m_positions": True}):
        table, built = network_space(network), build_network(network).space
        assert (table.name, table.m, table.kind) == (built.name, built.m, built.kind)
    with pytest.raises(ArchError, match="'S9Supernet' is no search space's supernet"):
        network_space({"type": "S9Supernet"})
    with pytest.raises(ArchError, match="first_m_positions must be True or False, got 'no'"):
        network_space({"type": "S4Supernet", "first_m_positions": "no"})
    with pytest.raises(ArchError, match="m must be an integer"):
        network_space({"type": "S4Supernet", "m": "2"})


def test_the_toy_space_is_gone_after_its_fixture():
    assert space_names() == list(TABLE_SPACES) and "T9" not in SPACES
    with pytest.raises(ArchError, match="unknown search space 'T9'"):
        get_space("T9")


def test_register_space_refuses_duplicates_and_bad_entries():
    with pytest.raises(ValueError, match="registered already"):
        register_space(space_entry("S1"))
    with pytest.raises(ValueError, match="upper case"):
        register_space(SpaceEntry("t8", lambda m: SubsetLayer(2, m), 1, 2, 1, "", "X", 2))
    with pytest.raises(ValueError, match="outside 1..2"):
        register_space(SpaceEntry("T8", lambda m: SubsetLayer(2, m), 3, 2, 1, "", "X", 2))
    assert space_names() == list(TABLE_SPACES)


# -- 2. the table is the one source ------------------------------------------------------------------
def _unknown_message() -> str:
    with pytest.raises(ArchError) as info:
        get_space("S9")
    return str(info.value)


def test_get_space_errors_name_the_tables_names_and_limits():
    assert space_names() == list(TABLE_SPACES)
    assert _unknown_message() == "unknown search space 'S9'; choose one of S1, S2, S3, S4, S5"
    with pytest.raises(ArchError, match=r"^S2 allows m in 1\.\.4, got m=9$"):
        get_space("S2", 9)
    for name, entry in SPACES.items():
        space = get_space(name.lower())
        assert (space.name, space.num_layers, space.description, space.m) == (
            name, entry.num_layers, entry.description, entry.default_m)
        assert get_space(name, entry.max_m).m == entry.max_m
        with pytest.raises(ArchError, match=rf"^{name} allows m in 1\.\.{entry.max_m}, got m={entry.max_m + 1}$"):
            get_space(name, entry.max_m + 1)


def test_the_paper_values_of_the_table():
    assert {n: (e.default_m, e.max_m, e.num_layers) for n, e in SPACES.items()} == {
        "S1": (4, 8, 12), "S2": (2, 4, 18), "S3": (1, 1, 18), "S4": (4, 4, 1), "S5": (3, 7, 16)}
    assert NASBENCH_SPACE == "S4" and space_names(lambda e: e.nasbench) == ["S4"]
    assert space_names(lambda e: e.detection) == ["S2", "S3"]
    assert [space_entry(n).parse_m for n in PAPER_SPACES] == [8, None, None, None]
    assert [space_entry(n).input_size for n in PAPER_SPACES] == [(3, 32, 32), (3, 224, 224), (3, 224, 224),
                                                                 (3, 32, 32)]
    wide = "S1:01234567-" + "-".join(["0"] * 11)
    with pytest.raises(ArchError, match="allowed 1..4"):
        parse_arch(wide)
    assert parse_arch(wide, widest=True) == parse_arch(wide, m=8)
    assert parse_arch("S2:0-1-2-3-0-1-2-3-0-1-2-3-0-1-2-3-0-1", widest=True).space == "S2"


def test_describe_is_the_layer_kinds():
    s4 = get_space("S4")
    assert s4.describe("S4:2210") == "1x1 + 3x3 x2"
    assert s4.describe(parse_arch("S4:3333")) == "pool x4"
    assert s4.describe("S4:1230") == "1x1 + 3x3 + pool"
    arch = get_space("S1").sample(np.random.default_rng(0))
    assert get_space("S1").describe(arch) == arch.to_string()
    with pytest.raises(ArchError):
        s4.describe("S4:0000")


def test_default_networks_and_supernets_come_from_the_table():
    from mixpath_bench.models import supernet_class
    from mixpath_bench.models.named import DEFAULT_NETWORKS, load_arch_spec

    assert list(DEFAULT_NETWORKS) == list(TABLE_SPACES)
    for name, entry in SPACES.items():
        assert DEFAULT_NETWORKS[name] == {"type": entry.supernet, "num_classes": entry.num_classes}
        assert supernet_class(name).__name__ == entry.supernet and supernet_class(name).SPACE == name
    DEFAULT_NETWORKS["S1"]["num_classes"] = 3  # a fresh dict each time: the table stays as it is
    assert DEFAULT_NETWORKS["S1"]["num_classes"] == 10
    assert load_arch_spec("S4:1203")["network"] == {"type": "S4Supernet", "num_classes": 10}


def test_detection_backbone_refuses_a_non_detection_space():
    pytest.importorskip("mmdet")
    from mixpath_bench.det import MixPathBackbone

    for name in space_names(lambda e: not e.detection):
        arch = get_space(name).sample(np.random.default_rng(0)).to_string()
        with pytest.raises(ValueError) as info:
            MixPathBackbone(arch)
        assert str(info.value) == f"detection backbones come from the ImageNet spaces S2/S3, not {name}"
        assert "\n" not in str(info.value)


def test_build_network_takes_a_name_or_a_dict_and_copies_it():
    from mixpath_bench.errors import ConfigError
    from mixpath_bench.models import build_network

    spec = {"type": "S4Supernet", "stem_channels": 4, "cells_per_stack": 1}
    net = build_network(spec)
    assert net.space.name == "S4" and spec == {"type": "S4Supernet", "stem_channels": 4, "cells_per_stack": 1}
    with pytest.raises(KeyError, match="unknown network 'S9Supernet'"):
        build_network({"type": "S9Supernet"})
    with pytest.raises(TypeError, match="S4Supernet: .*widht"):
        build_network({"type": "S4Supernet", "widht": 2})
    with pytest.raises(ConfigError, match="'type'"):
        build_network({"num_classes": 10})


# -- 3. no space name spelled outside spaces/ and models/ ------------------------------------------
#: the reference implementation's table (moved from models/): which space each supernet of a checkout
#: of github.com/xiaomi-automl/MixPath belongs to, and its folders (``S1/``); the benchmark's cases
REFERENCE_PATHS = {"mixpath_bench/bench/reference.py"}


def space_literals(source: str, names=TABLE_SPACES) -> list[tuple[int, str]]:
    """(line, value) of every string constant that is a space name ('S1') or an architecture string
    ('S1:...', any case), leaving out docstrings and argparse ``help=`` texts."""
    tree = ast.parse(source)
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                skip.add(id(first.value))
        if isinstance(node, ast.keyword) and node.arg == "help":
            skip.update(id(n) for n in ast.walk(node.value))
    prefixes = tuple(f"{n}:" for n in names)
    return sorted((node.lineno, node.value) for node in ast.walk(tree)
                  if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
                  and (node.value in names or node.value.upper().startswith(prefixes)))


def scanned_files() -> list[Path]:
    pkg = ROOT / "mixpath_bench"
    files = [p for p in pkg.rglob("*.py") if p.relative_to(pkg).parts[0] not in ("spaces", "models")]
    return sorted(files + list((ROOT / "tools").rglob("*.py")))


def test_the_checker_catches_planted_literals():
    planted = '''"""Docstring naming S1 and 'S4:1203' is fine."""
import argparse


def f(arch, p):
    """S2 here too."""
    p.add_argument("--space", help="S1")
    if arch.space == "S4":
        return get("s2:0-1")
    return f"S1:{arch}", 'S3', "S1x", "s1"
'''
    assert space_literals(planted) == [(8, "S4"), (9, "s2:0-1"), (10, "S1:"), (10, "S3")]


def test_no_space_literal_outside_spaces_and_models():
    assert (ROOT / "tools/match_arch.py") in scanned_files()
    found = {}
    for path in scanned_files():
        rel = path.relative_to(ROOT).as_posix()
        if rel in REFERENCE_PATHS:
            continue
        hits = space_literals(path.read_text())
        if hits:
            found[rel] = hits
    assert not found, f"space names spelled outside the table (use mixpath_bench.spaces): {found}"


# -- 4. DARTS' relaxation belongs to the supernets -------------------------------------------------
def test_darts_relaxation_round_trips_on_the_supernets():
    from mixpath_bench.models import S1Supernet, S4Supernet, supernet_class
    from mixpath_bench.darts.relaxation import has_relaxation, one_hot_weights

    assert [n for n in ("S1", "S2", "S3", "S4") if has_relaxation(supernet_class(n))] == ["S1", "S4"]
    assert S1Supernet.relaxation_shape() == (12, 8) and S4Supernet.relaxation_shape() == (4, 4)
    assert S4Supernet.relaxation_labels() == ("node", ["off", "conv1x1", "conv3x3", "maxpool"])
    assert S1Supernet.relaxation_labels() == ("layer", [f"k{k}e{e}" for k in (3, 5, 7, 9) for e in (3, 6)])
    rng = np.random.default_rng(0)
    for _ in range(10):
        arch = get_space("S1", 1).sample(rng)
        w = S1Supernet.one_hot(arch)
        assert tuple(w.shape) == S1Supernet.relaxation_shape() and S1Supernet.derive(w) == arch
        assert torch.equal(one_hot_weights(arch, S1Supernet), w)
    for arch in get_space("S4").enumerate():  # 255 cells, none all-off
        w = S4Supernet.one_hot(arch)
        assert tuple(w.shape) == (4, 4) and S4Supernet.derive(w) == arch
        assert torch.equal(one_hot_weights(arch, S4Supernet), w) and torch.equal(supernet_class("S4").one_hot(arch), w)
    off = torch.zeros(4, 4)
    off[:, 0], off[2, 3] = 5.0, 4.0
    assert S4Supernet.derive(off) == Arch("S4", ((0, 0, 3, 0),))
    with pytest.raises(ValueError, match="one path per layer"):
        S1Supernet.one_hot(get_space("S1").parse("S1:01-" + "-".join(["0"] * 11)))
    with pytest.raises(ValueError, match="cannot select S1"):
        S4Supernet.one_hot(arch=get_space("S1", 1).sample(rng))


def test_darts_network_reads_the_supernet():
    from torch import nn

    from mixpath_bench.models import S4Supernet, supernet_class
    from mixpath_bench.darts.relaxation import DartsNetwork, one_hot_weights

    torch.manual_seed(0)
    d = DartsNetwork(S4Supernet(stem_channels=4, cells_per_stack=1, shadow_bn=False))
    torch.manual_seed(0)
    S4Supernet(stem_channels=4, cells_per_stack=1, shadow_bn=False)
    assert torch.equal(d.alpha.detach(), 1e-3 * torch.randn(4, 4))  # the same draw as before the move
    assert d.space_name == "S4" and d.relaxation_labels()[0] == "node"
    assert d.derive() == S4Supernet.derive(d.weights().detach())

    class NoRelaxation(nn.Module):
        space = get_space("S2")

    with pytest.raises(ValueError, match="relaxation .*; the S2 supernet has none$"):
        DartsNetwork(NoRelaxation())
    with pytest.raises(ValueError, match="relaxation .*; the S3 supernet has none$"):
        one_hot_weights(get_space("S3").sample(np.random.default_rng(0)), supernet_class("S3"))


def test_shadow_bn_analysis_asks_the_supernet():
    from mixpath_bench.bench.sbn_analysis import combinations, first_multipath_layer, path_features
    from mixpath_bench.models import S4Supernet

    net = S4Supernet(stem_channels=4, cells_per_stack=1)
    stem, norm, pre = first_multipath_layer(net)
    assert stem is net.stem and norm is net.cells[0].norm and pre == net.cells[0].pre_norm
    combos = combinations(net, 6)
    feats = path_features(net, torch.randn(2, 3, 8, 8), combos)
    assert feats["k"] == [sum(1 for v in c if v) for c in combos] and sorted(set(feats["k"])) == [1, 2, 3, 4]
    with pytest.raises(ValueError, match="names no first searchable layer"):
        first_multipath_layer(torch.nn.Linear(2, 2))
