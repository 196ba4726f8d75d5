"""Shared command-line behaviour: user mistakes become one line on stderr and exit status 2."""
from __future__ import annotations

import sys
from typing import Callable

from .errors import UserError


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


def _fail(message: str) -> None:
    print(f"error: {message.splitlines()[0]}", file=sys.stderr)
    sys.exit(2)
