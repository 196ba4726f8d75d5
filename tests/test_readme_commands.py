"""Every command the README shows runs as written, as far as it can be checked without datasets or GPUs.

The commands are taken from the fenced code blocks (and the inline code that starts with a command)
of README.md and the docs.  Each `python tools/X.py ...`, `torchrun ... tools/X.py ...`,
`python -m mixpath_bench X ...` and `mixpath X ...` is parsed by tool X's own argparse parser (its
`build_parser()`; for a tool without one, the parser its `main` builds), so a renamed or removed
flag, a missing positional or a bad value fails here.  Files the repository ships (`configs/...`,
`model_zoo/...`) must exist, a checkpoint or pareto.json a command reads under `work_dirs/` must be
one a shown training or search command writes, `make` targets must be in the Makefile and
`pip install ".[extra]"` extras in setup.py.  Nothing is run.
"""
from __future__ import annotations

import argparse
import contextlib
import functools
import importlib.util
import io
import re
import shlex
from pathlib import Path
from unittest import mock

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", ROOT / "model_zoo" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
COMMAND_START = re.compile(r"(python3? (tools/|-m mixpath_bench)|torchrun |mixpath\b|make |pip install )")
CHECKED = ("python", "python3", "torchrun", "mixpath", "make", "pip")  # other commands (rm, cd, ...) are not
SHIPPED = ("configs/", "model_zoo/")


def command_lines(text: str) -> list[str]:
    """Shell lines of the fenced code blocks (continuations joined) and inline code that is a command."""
    lines = []
    for block in re.findall(r"^```[a-z]*\n(.*?)^```", text, re.S | re.M):
        lines += [line for line in block.replace("\\\n", " ").splitlines() if COMMAND_START.search(line)]
    prose = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)
    for span in re.findall(r"`([^`\n]+)`", prose):
        if COMMAND_START.match(span):
            lines.append(re.sub(r"(?<!\.)\[|\](?!\")", " ", span))  # optional parts `[--flag X]` are parsed too
    return lines


def simple_commands(line: str) -> list[list[str]]:
    """The simple commands of a shell line (split at ; && || |) that `CHECKED` covers, loop variables
    and ``<placeholders like this>`` replaced by one word."""
    line = re.sub(r"<[\w .:-]+>", "PLACEHOLDER", line)
    lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    commands, current = [], []
    for token in lexer:
        if token in (";", "&&", "||", "|", "&"):
            commands.append(current)
            current = []
        else:
            current.append(re.sub(r"\$\{?\w+\}?", "0", token))
    commands.append(current)
    out = []
    for cmd in commands:
        while cmd and cmd[0] in ("do", "then", "time"):
            cmd = cmd[1:]
        if cmd and cmd[0] in CHECKED:
            out.append(cmd)
    return out


def tool_call(cmd: list[str]) -> tuple[str, list[str]] | None:
    """(tool name, its arguments) of a command that runs one of tools/*.py, else None."""
    if cmd[0] in ("python", "python3") and len(cmd) > 1 and cmd[1].startswith("tools/"):
        return Path(cmd[1]).stem, cmd[2:]
    if cmd[0] in ("python", "python3") and cmd[1:3] == ["-m", "mixpath_bench"]:
        return (cmd[3], cmd[4:]) if len(cmd) > 3 else ("", [])
    if cmd[0] == "mixpath":
        return (cmd[1], cmd[2:]) if len(cmd) > 1 else ("", [])
    if cmd[0] == "torchrun":
        script = next(i for i, t in enumerate(cmd) if t.endswith(".py"))
        return Path(cmd[script]).stem, cmd[script + 1:]
    return None


def collect() -> list[tuple[str, list[str]]]:
    found = {}
    for doc in DOCUMENTS:
        for line in command_lines(doc.read_text()):
            found.update({(doc.relative_to(ROOT).as_posix(), tuple(cmd)): None for cmd in simple_commands(line)})
    return [(where, list(cmd)) for where, cmd in found]


COMMANDS = collect()


@functools.lru_cache(maxsize=None)
def parser_of(tool: str) -> argparse.ArgumentParser:
    path = ROOT / "tools" / f"{tool}.py"
    assert path.is_file(), f"there is no tools/{tool}.py"
    spec = importlib.util.spec_from_file_location(f"readme_tool_{tool}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if hasattr(module, "build_parser"):
        return module.build_parser()
    captured = []  # a tool without build_parser(): the parser its main() builds and parses with

    class Captured(Exception):
        pass

    def capture(self, *args, **kwargs):
        captured.append(self)
        raise Captured

    with mock.patch.object(argparse.ArgumentParser, "parse_args", capture), contextlib.suppress(Captured):
        module.main()
    assert captured, f"tools/{tool}.py builds no argparse parser in main()"
    return captured[0]


def parse(tool: str, args: list[str], shown: str) -> argparse.Namespace:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            return parser_of(tool).parse_args(args)
        except SystemExit:
            pytest.fail(f"{shown}: {(err.getvalue().strip().splitlines() or ['exits'])[-1]}")


def max_epochs(config: str, epochs: int | None) -> int:
    from mmengine.config import Config

    return epochs or Config.fromfile(str(ROOT / config)).train_cfg.max_epochs


@functools.lru_cache(maxsize=None)
def written_files(doc: str) -> frozenset[str]:
    """What the document's commands write: `WORK/epoch_N.pth` of every shipped-config training
    command, `WORK/pareto.json` of every search (WORK: --work-dir, else the tool's default)."""
    written = set()
    for where, cmd in COMMANDS:
        call = tool_call(cmd)
        if where != doc or not call or call[0] not in ("train", "search"):
            continue
        args = parse(call[0], call[1], " ".join(cmd))
        if not (ROOT / args.config).is_file():
            continue  # a placeholder such as CONFIG
        stem = Path(args.config).stem
        if call[0] == "search":
            written.add(f"{(args.work_dir or f'work_dirs/search_{stem}').rstrip('/')}/pareto.json")
            continue
        work = (args.work_dir or f"work_dirs/{stem}").rstrip("/")
        written |= {f"{work}/epoch_{n}.pth" for n in range(1, max_epochs(args.config, args.epochs) + 1)}
    return frozenset(written)


def makefile_targets() -> set[str]:
    return set(re.findall(r"^([\w.-]+):", (ROOT / "Makefile").read_text(), re.M))


def setup_extras() -> set[str]:
    block = re.search(r"extras_require=\{(.*?)\}", (ROOT / "setup.py").read_text(), re.S).group(1)
    return set(re.findall(r'"([\w-]+)":', block))


def test_the_documents_show_commands_for_most_tools():
    tools = {call[0] for _, cmd in COMMANDS if (call := tool_call(cmd))}
    assert {"train", "test", "search", "rank", "export", "darts", "compare", "experiment"} <= tools, tools


@pytest.mark.parametrize("where, cmd", COMMANDS, ids=[f"{w}: {' '.join(c)}"[:100] for w, c in COMMANDS])
def test_command_parses_as_written(where, cmd):
    shown = f"{where}: {' '.join(cmd)}"
    call = tool_call(cmd)
    if cmd[0] == "make":
        targets = {t for t in cmd[1:] if "=" not in t and not t.startswith("-")}  # not VAR=value, -j
        assert targets <= makefile_targets(), f"{shown}: no such make target"
        return
    if cmd[0] == "pip":
        for extras in re.findall(r"\.\[([\w,-]+)\]", " ".join(cmd)):
            assert set(extras.split(",")) <= setup_extras(), f"{shown}: no such extra in setup.py"
        return
    assert call is not None, shown
    tool, args = call
    if not tool:  # `mixpath` alone lists the tools
        return
    parse(tool, args, shown)
    for token in args:
        value = token.split("=", 1)[-1]
        if value.startswith(SHIPPED) and "*" not in value:
            assert (ROOT / value).exists(), f"{shown}: {value} is not in the repository"
        if value.startswith("mixpath_bench::"):  # a shipped config by name
            assert (ROOT / "configs" / value[len("mixpath_bench::"):]).is_file(), f"{shown}: no shipped config {value}"
        if value.startswith("work_dirs/") and value.endswith((".pth", "pareto.json")) and "*" not in value:
            assert value in written_files(where), f"{shown}: no command in {where} writes {value}"


def test_the_checks_catch_what_they_are_for():
    """A renamed flag, a missing checkpoint and an unknown tool are caught (the README once had each)."""
    cmd = simple_commands("python tools/search.py configs/search/s4_mnist5k.py --checkpoint x.pth")[0]
    with pytest.raises(pytest.fail.Exception, match="required: checkpoint|unrecognized arguments: --checkpoint"):
        parse("search", tool_call(cmd)[1], "old search")
    assert "work_dirs/demo_s4/epoch_30.pth" not in written_files("README.md")
    assert {"work_dirs/s4_nb101_mnist5k/epoch_30.pth", "work_dirs/search_s4_mnist5k/pareto.json"} <= \
        written_files("README.md")
    with pytest.raises(AssertionError, match="there is no tools/trian.py"):
        parser_of("trian")
    assert simple_commands("for s in 0 1; do python tools/darts.py C --seed $s; done # x") == [
        ["python", "tools/darts.py", "C", "--seed", "0"]]
