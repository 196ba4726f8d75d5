"""Model zoo: manifest, verified download, safetensors loading, publishing."""
from .hub import (ZooError, cache_dir, fetch_weights, get_entry, load_manifest, load_pretrained, register_zoo_scheme,
                  sha256_of)
from .publish import publish, strip_state
from .subnet import export_subnet, load_subnet, supernet_from_state

__all__ = ["ZooError", "cache_dir", "fetch_weights", "get_entry", "load_manifest", "load_pretrained",
           "register_zoo_scheme", "sha256_of", "publish", "strip_state", "export_subnet", "load_subnet",
           "supernet_from_state"]
