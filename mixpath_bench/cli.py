"""Shared command-line behaviour: user mistakes become one line on stderr and exit status 2."""
from __future__ import annotations

import sys
from typing import Callable

from .errors import MissingDependencyError, UserError


def run_cli(main: Callable[[], int | None]) -> None:
    """Run `main`; a `UserError` (also when re-raised by a registry build) prints one line."""
    try:
        code = main()
    except UserError as exc:
        _fail(str(exc) or type(exc).__name__)
    except KeyError as exc:  # MMEngine registries: "X is not in the mmengine::model registry ..."
        text = str(exc.args[0]) if exc.args else ""
        if "registry" not in text:
            raise
        _fail(f"unknown type in config: {text}")
    except KeyboardInterrupt:
        print("interrupted; rerun with --resume to continue from the last checkpoint", file=sys.stderr)
        sys.exit(130)
    sys.exit(code or 0)


def register_for_config(cfg) -> None:
    """Register what a config needs beyond the core: ``zoo://`` checkpoints; MMDetection for mmdet configs."""
    from .zoo import register_zoo_scheme

    register_zoo_scheme()
    if cfg.get("default_scope") == "mmdet":
        try:
            from .det.setup import register_detection
        except ImportError as exc:
            raise MissingDependencyError(
                f"detection configs need the 'det' extra: pip install -e '.[det]' ({exc})") from None
        register_detection()


def _fail(message: str) -> None:
    print(f"error: {message.splitlines()[0]}", file=sys.stderr)
    sys.exit(2)
