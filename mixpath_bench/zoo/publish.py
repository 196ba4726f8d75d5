"""Turning a training checkpoint into a zoo file: weights only, safetensors, sha256-named."""
from __future__ import annotations

import hashlib
from pathlib import Path

import torch

from ..jsonio import atomic_path

WRAPPER_PREFIXES = ("module.", "network.", "backbone.")


def strip_state(state: dict, prefixes: tuple[str, ...] = WRAPPER_PREFIXES) -> dict[str, torch.Tensor]:
    """Tensors only, without optimizer/training state and without wrapper prefixes."""
    out = {}
    for key, value in state.items():
        if not isinstance(value, torch.Tensor) or key.endswith("num_batches_tracked"):
            continue
        for prefix in prefixes:
            if key.startswith(prefix):
                key = key[len(prefix):]
        out[key] = value.detach().cpu().contiguous()
    return out


def publish(state: dict, name: str, out_dir: str | Path, url_base: str = "") -> dict:
    """Write ``{name}-{sha256[:8]}.safetensors`` and return its manifest entry."""
    from safetensors.torch import save

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    data = save(strip_state(state), metadata={"name": name})
    sha = hashlib.sha256(data).hexdigest()
    final = out_dir / f"{name}-{sha[:8]}.safetensors"
    with atomic_path(final) as tmp:
        tmp.write_bytes(data)
    return {"name": name, "file": final.name, "sha256": sha,
            "url": f"{url_base.rstrip('/')}/{final.name}" if url_base else "", "size_bytes": final.stat().st_size}
