"""Which device a job runs on."""
from __future__ import annotations

from ..errors import ConfigError


def resolve_device(device: str) -> str:
    """'auto' -> 'cuda' if a GPU is available else 'cpu'; a CUDA device without a GPU is a one-line error."""
    import torch

    device = str(device)
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ConfigError(f"device {device!r} asked for, but no CUDA GPU is available; use device='cpu'")
    if device != "cpu" and not device.startswith("cuda"):
        raise ConfigError(f"device must be 'auto', 'cpu' or 'cuda[:N]', got {device!r}")
    return device
