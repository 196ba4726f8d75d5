"""The named architectures in timm's model registry: ``timm.create_model('mixpath_a')``.

`register_with_timm` adds an entry point per name of `mixpath_bench.list_models()` that timm does
not already have (timm's own names are never replaced).  ``import mixpath_bench`` arranges it: at
once when timm is already imported, otherwise right after timm's own import finishes (a one-shot
import hook, so ``import mixpath_bench`` itself stays light).
"""
from __future__ import annotations

import importlib.abc
import importlib.util
import sys
import threading
import warnings

#: timm's arguments that say where weights come from; our weights come from the model zoo
TIMM_SOURCE_ARGS = ("pretrained_cfg", "pretrained_cfg_overlay", "cache_dir")


def _entry_point(name: str):
    def entry(pretrained: bool = False, **kwargs):
        from .errors import ConfigError
        from .zoo.pretrained import create_model

        for key in TIMM_SOURCE_ARGS:
            if kwargs.pop(key, None) is not None:
                raise ConfigError(f"timm.create_model({name!r}): {key} is not used; weights come from the "
                                  "mixpath_bench model zoo (pretrained=True)")
        device, dtype = kwargs.pop("device", None), kwargs.pop("dtype", None)
        model = create_model(name, pretrained=pretrained, **kwargs)
        return model.to(device=device, dtype=dtype) if device is not None or dtype is not None else model

    entry.__name__ = entry.__qualname__ = name
    entry.__module__ = __name__
    entry.__doc__ = f"{name} from mixpath_bench (mixpath_bench.create_model({name!r}, ...))"
    return entry


def register_with_timm() -> list[str]:
    """Register the named architectures timm does not have; returns the names added now."""
    from timm.models import is_model, register_model

    from .package_data import list_archs

    added = []
    for name in list_archs():
        if not is_model(name):
            entry = _entry_point(name)
            setattr(sys.modules[__name__], name, entry)  # timm lists it in this module's __all__
            register_model(entry)
            added.append(name)
    return added


def _register_quietly() -> None:
    try:
        register_with_timm()
    except Exception as exc:  # noqa: BLE001 - timm itself must keep importing whatever happens here
        warnings.warn(f"mixpath_bench: could not register its models with timm ({exc})", stacklevel=2)


class _AfterTimmImport(importlib.abc.MetaPathFinder):
    """Finds timm through the other finders and registers our names once timm's module has run.

    A lookup alone (``importlib.util.find_spec('timm')``, as libraries do to see whether timm is
    installed) leaves the hook in place; it goes once timm's own code has run."""

    _busy = threading.local()

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "timm" or getattr(self._busy, "on", False):
            return None
        self._busy.on = True
        try:
            spec = importlib.util.find_spec("timm")  # the other finders (this one answers None meanwhile)
        finally:
            self._busy.on = False
        loader = getattr(spec, "loader", None)
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        run = loader.exec_module  # a fresh loader per lookup: changing it touches no one else's

        def exec_module(module):
            run(module)  # an import that fails leaves the hook for the next try
            _uninstall()
            _register_quietly()

        loader.exec_module = exec_module
        return spec


def _uninstall() -> None:
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _AfterTimmImport)]


def install() -> None:
    """Register now if timm is imported, else once it is (idempotent)."""
    if "timm" in sys.modules:
        _register_quietly()
    elif not any(isinstance(f, _AfterTimmImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _AfterTimmImport())
