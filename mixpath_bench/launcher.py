"""The `mixpath` command: ``mixpath TOOL [ARGS ...]`` runs the shipped ``tools/TOOL.py`` with ARGS.

``mixpath train CONFIG`` is ``python tools/train.py CONFIG`` without a checkout; ``mixpath`` alone
lists the tools.  The tools stay plain scripts (the OpenMMLab convention); this only finds them.
"""
from __future__ import annotations

import runpy
import sys
from pathlib import Path

from .package_data import data_path


def tool_paths() -> dict[str, Path]:
    """{tool name: script path} of the shipped command-line tools."""
    return {p.stem: p for p in sorted(data_path("tools").glob("*.py")) if not p.stem.startswith("_")}


def main(argv: list[str] | None = None) -> None:
    """Run the tool named by the first argument, as if it were the script itself."""
    argv = sys.argv[1:] if argv is None else argv
    tools = tool_paths()
    if not argv or argv[0] in ("-h", "--help"):
        print("usage: mixpath TOOL [ARGS ...]   (mixpath TOOL --help for a tool's options)\n\ntools: "
              + ", ".join(tools))
        sys.exit(0 if argv else 2)
    if argv[0] not in tools:
        print(f"error: unknown tool {argv[0]!r}; tools: {', '.join(tools)}", file=sys.stderr)
        sys.exit(2)
    sys.argv = [str(tools[argv[0]]), *argv[1:]]
    runpy.run_path(str(tools[argv[0]]), run_name="__main__")
