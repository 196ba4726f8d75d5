"""A searched subnet with its inherited supernet weights (MMRazor's ``convert_supernet2subnet``).

`export_subnet` writes ``NAME.json`` (the architecture file `create_model` reads: network type and
arguments plus the architecture string) and beside it ``NAME.safetensors`` with the stand-alone
network's weights, whose sha256 the JSON records.  `load_subnet` rebuilds the network from the JSON
and loads the weights after checking that hash; no code is unpickled on either side.
"""
from __future__ import annotations

import json
from pathlib import Path

import torch
from torch import nn

from ..errors import CheckpointError, ConfigError
from ..models import build_network
from ..models.named import create_model, load_arch_spec
from ..spaces import Arch
from ..jsonio import atomic_path, write_text_atomic
from .hub import sha256_of


def supernet_from_state(network: dict, state: dict, where: str) -> nn.Module:
    """The supernet `network` (type + arguments) with the weights of a checkpoint's `state` dict."""
    supernet = build_network(network)
    weights = {k[len("network."):]: v for k, v in state.items() if k.startswith("network.")} or dict(state)
    missing, unexpected = supernet.load_state_dict(weights, strict=False)
    missing = [k for k in missing if not k.endswith("num_batches_tracked")]
    if missing or unexpected:
        raise CheckpointError(f"{where} does not hold a {network['type']} with these arguments "
                              f"({len(missing)} missing, {len(unexpected)} unexpected keys, e.g. "
                              f"{(missing or unexpected)[0]})")
    return supernet


def export_subnet(supernet: nn.Module, arch: Arch, record: dict, out: str | Path) -> dict:
    """Write the stand-alone network of `arch` with `supernet`'s weights: `out` (JSON) + ``.safetensors``.

    `record` holds at least ``name`` and ``network`` (the supernet's type and arguments); it gets
    ``arch`` and ``weights`` (file name, sha256) added and is returned as written.
    """
    from safetensors.torch import save_file

    out = Path(out)
    if out.suffix != ".json":
        raise ConfigError(f"the exported architecture file must end in .json, got {out}")
    out.parent.mkdir(parents=True, exist_ok=True)
    subnet = supernet.export(arch).eval()
    # clone(): the file, and nothing else, holds the tensors (no storage shared with the supernet)
    state = {k: v.detach().cpu().clone().contiguous() for k, v in subnet.state_dict().items()}
    weights = out.with_suffix(".safetensors")
    with atomic_path(weights) as tmp:
        save_file(state, str(tmp), metadata={"name": str(record["name"]), "arch": arch.to_string()})
    record = {**record, "arch": arch.to_string(), "weights": {"file": weights.name, "sha256": sha256_of(weights)}}
    write_text_atomic(out, json.dumps(record, indent=1) + "\n")
    return record


def load_subnet(path: str | Path, device: str | torch.device = "cpu") -> nn.Module:
    """The network an `export_subnet` JSON describes, with its verified weights, in eval mode."""
    from safetensors.torch import load_file

    path = Path(path)
    record = load_arch_spec(str(path))
    entry = record.get("weights")
    if not isinstance(entry, dict) or "file" not in entry or "sha256" not in entry:
        raise ConfigError(f"{path} names no weights; export with tools/export.py --with-weights")
    weights = path.parent / Path(entry["file"]).name
    if not weights.is_file():
        raise CheckpointError(f"{weights} (the weights {path} names) does not exist")
    if sha256_of(weights) != entry["sha256"]:
        raise CheckpointError(f"{weights} does not match the sha256 recorded in {path}: the file is corrupt "
                              "or was replaced; export it again")
    model = create_model(str(path))
    missing, unexpected = model.load_state_dict(load_file(str(weights)), strict=False)
    if missing or unexpected:
        raise CheckpointError(f"{weights} does not fit the network {path} describes "
                              f"({len(missing)} missing, {len(unexpected)} unexpected keys)")
    return model.to(device).eval()
