"""Shared command-line behaviour: one argument convention for every tool, and user mistakes as one
line on stderr with exit status 2.

The convention (MMEngine / MMDetection's): positional ``CONFIG`` then ``CHECKPOINT`` where a tool
has them, ``--cfg-options`` wherever a config is read, ``--work-dir`` for an output folder (``--out``
only for a single output file), ``--device`` defaulting to ``auto``, ``--trust-checkpoint`` to
unpickle a checkpoint in full.  Abbreviated flags are refused, so a command that parses today keeps
its meaning when a flag is added.
"""
from __future__ import annotations

import argparse
import sys
from typing import Callable

from .errors import MissingDependencyError, UserError


def tool_parser(doc: str) -> argparse.ArgumentParser:
    """The parser of a tool whose module docstring is `doc` (its first line is the description)."""
    return argparse.ArgumentParser(description=doc.strip().splitlines()[0], allow_abbrev=False)


def add_config(p: argparse.ArgumentParser, help: str = "python config file", options: bool = True) -> None:
    """Positional CONFIG (a path, or a shipped config by name), and ``--cfg-options key=value ...`` merged into it."""
    p.add_argument("config", help=f"{help}; a shipped one by name: mixpath_bench::<folder>/<file>.py")
    if options:
        add_cfg_options(p)


def add_cfg_options(p: argparse.ArgumentParser, help: str = "key=value overrides of the config") -> None:
    from mmengine.config import DictAction

    p.add_argument("--cfg-options", nargs="+", action=DictAction, default={}, help=help)


def add_checkpoint(p: argparse.ArgumentParser, help: str = "supernet checkpoint (.pth)", nargs: str | None = None) -> None:
    """Positional CHECKPOINT (after CONFIG) and the ``--trust-checkpoint`` opt-in."""
    p.add_argument("checkpoint", nargs=nargs, help=help)
    add_trust_checkpoint(p)


def add_trust_checkpoint(p: argparse.ArgumentParser) -> None:
    p.add_argument("--trust-checkpoint", action="store_true",
                   help="unpickle the checkpoint(s) in full (this can run code): only for files you trust")


def add_work_dir(p: argparse.ArgumentParser, default: str) -> None:
    """``--work-dir``: the folder a tool writes into (`default` says what it is when not given)."""
    p.add_argument("--work-dir", help=f"output folder (default {default})")


def add_device(p: argparse.ArgumentParser) -> None:
    """``--device`` auto|cpu|cuda[:N]; resolve it with `mixpath_bench.engine.device.resolve_device`."""
    p.add_argument("--device", default="auto", help="auto (CUDA when available), cpu or cuda[:N] (default auto)")


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
