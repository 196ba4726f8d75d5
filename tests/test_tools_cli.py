"""`python_requires` holds for every file, and every tool starts.

`ast.parse(..., feature_version=(3, 10))` rejects grammar newer than 3.10 (`except*`, PEP 695 type
parameters, ...), but it can only reject what the running interpreter's parser knows: on 3.10/3.11 a
backslash or a reused quote inside an f-string expression is always an error, on 3.12+ (PEP 701) it
is not gated by feature_version, so `pep701_fstrings` re-checks those by tokenizing.  Neither sees
library features: `NEWER_NAMES` lists the 3.11+ standard-library names to refuse.  The tools are run
as subprocesses with `--help` from a scratch directory.
"""
import ast
import io
import re
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OLDEST = (3, 10)  # setup.py's python_requires
SOURCES = sorted(p for d in ("mixpath_bench", "tools", "configs", "tests") for p in (ROOT / d).rglob("*.py")
                 if ".mim" not in p.parts) + [ROOT / "setup.py"]
TOOLS = sorted(p.stem for p in (ROOT / "tools").glob("*.py") if not p.stem.startswith("_"))
# standard-library modules and names added after 3.10 (a module, or (module, name))
NEWER_NAMES = {"tomllib", ("typing", "Self"), ("typing", "LiteralString"), ("typing", "Never"),
               ("typing", "assert_never"), ("typing", "reveal_type"), ("typing", "Required"),
               ("typing", "NotRequired"), ("typing", "TypeVarTuple"), ("typing", "Unpack"),
               ("typing", "dataclass_transform"), ("typing", "override"), ("enum", "StrEnum"),
               ("datetime", "UTC"), ("contextlib", "chdir"), ("hashlib", "file_digest"),
               ("asyncio", "TaskGroup"), ("asyncio", "timeout"), ("itertools", "batched")}
NEWER_BUILTINS = {"ExceptionGroup", "BaseExceptionGroup"}


def _quote(token: str) -> str:
    body = token.lstrip("rRbBuUfF")
    return body[:3] if body[:3] in ('"""', "'''") else body[:1]


def pep701_fstrings(source: str) -> list[str]:
    """f-string expressions that only Python 3.12+ accepts: a backslash, a comment or the
    enclosing quote inside the braces (needs the 3.12+ tokenizer; empty before 3.12)."""
    if sys.version_info < (3, 12):
        return []
    problems, quotes = [], []  # quotes of the open f-strings, innermost last
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        where = f"line {tok.start[0]}"
        if tok.type == tokenize.FSTRING_START:
            if quotes and _quote(tok.string)[0] == quotes[-1][0] and len(quotes[-1]) == 1:
                problems.append(f"{where}: nested f-string reuses the enclosing quote")
            quotes.append(_quote(tok.string))
        elif tok.type == tokenize.FSTRING_END:
            quotes.pop()
        elif tok.type == tokenize.FSTRING_MIDDLE:
            if len(quotes) > 1 and "\\" in tok.string:
                problems.append(f"{where}: backslash in an f-string nested inside another")
        elif quotes:
            if tok.type == tokenize.COMMENT:
                problems.append(f"{where}: comment inside an f-string expression")
            elif "\\" in tok.string:
                problems.append(f"{where}: backslash inside an f-string expression")
            elif tok.type == tokenize.STRING and _quote(tok.string)[0] == quotes[-1][0] and len(quotes[-1]) == 1:
                problems.append(f"{where}: f-string expression reuses the enclosing quote")
    return problems


def newer_stdlib(tree: ast.AST) -> list[str]:
    """Uses of standard-library names that the oldest supported Python lacks."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [f"import {a.name}" for a in node.names if a.name.split(".")[0] in NEWER_NAMES]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [f"from {node.module} import {a.name}" for a in node.names
                     if node.module in NEWER_NAMES or (node.module, a.name) in NEWER_NAMES]
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            names = [f"{node.value.id}.{node.attr}"] if (node.value.id, node.attr) in NEWER_NAMES else []
        elif isinstance(node, ast.Name):
            names = [node.id] if node.id in NEWER_BUILTINS else []
        else:
            continue
        found += [f"line {node.lineno}: {name} is newer than Python {OLDEST[0]}.{OLDEST[1]}" for name in names]
    return found


def test_python_requires_matches_the_oldest_grammar_checked():
    text = (ROOT / "setup.py").read_text()
    assert re.search(r'python_requires=">=(\d+)\.(\d+)"', text).groups() == tuple(map(str, OLDEST))


def test_every_file_parses_with_the_oldest_supported_grammar():
    problems = []
    for path in SOURCES:
        source = path.read_text(encoding="utf-8")
        name = path.relative_to(ROOT)
        try:
            tree = ast.parse(source, filename=str(name), feature_version=OLDEST)
        except SyntaxError as exc:
            problems.append(f"{name}:{exc.lineno}: {exc.msg}")
            continue
        problems += [f"{name}: {p}" for p in pep701_fstrings(source) + newer_stdlib(tree)]
    assert len(SOURCES) > 100 and not problems, "\n".join(problems)


@pytest.mark.parametrize("source, bad", [
    ("x = f\"{print('a', end='\\r')}\"\n", True),  # what broke tools/download.py
    ("d = {}\nx = f\"{d[\"k\"]}\"\n", True),
    ("try:\n    pass\nexcept* ValueError:\n    pass\n", True),
    ("import tomllib\n", True),
    ("from typing import Self\n", True),
    ("x = f\"{'a'!r:>10}\" + f'''{\"b\"}'''\n", False),
])
def test_the_grammar_check_catches_newer_syntax(source, bad):
    try:
        problems = pep701_fstrings(source) + newer_stdlib(ast.parse(source, feature_version=OLDEST))
    except SyntaxError:
        problems = ["syntax error"]
    assert bool(problems) == bad, problems


@pytest.mark.parametrize("tool", TOOLS)
def test_tool_prints_usage(tool, tmp_path):
    out = subprocess.run([sys.executable, str(ROOT / "tools" / f"{tool}.py"), "--help"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.startswith("usage:"), out.stdout[:500]


def test_mixpath_command_lists_and_runs_every_tool(tmp_path):
    run = [sys.executable, "-c", "from mixpath_bench.launcher import main; main()"]
    listing = subprocess.run(run + ["--help"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert listing.returncode == 0 and all(t in listing.stdout for t in TOOLS), listing.stdout
    wrong = subprocess.run(run + ["trian"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert wrong.returncode == 2 and "unknown tool 'trian'" in wrong.stderr
    helped = subprocess.run(run + ["download", "--help"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert helped.returncode == 0 and helped.stdout.startswith("usage: download.py"), helped.stdout


# tools that another part of the project owns and that keep their own parser (checked by
# tests/test_readme_commands.py through the parser their main() builds)
OWN_PARSER = {"experiment", "gpu_check"}


def _load_tool(tool):
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"cli_tool_{tool}", ROOT / "tools" / f"{tool}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("tool", sorted(set(TOOLS) - OWN_PARSER))
def test_tool_follows_the_cli_convention(tool):
    """CONFIG then CHECKPOINT as positionals, --cfg-options with a config, --trust-checkpoint with a
    checkpoint, --work-dir for folders, --device auto, no abbreviations (mixpath_bench/cli.py)."""
    parser = _load_tool(tool).build_parser()
    flags = {s: a for a in parser._actions for s in a.option_strings}
    positionals = [a.dest for a in parser._actions if not a.option_strings]
    assert not parser.allow_abbrev
    assert "--checkpoint" not in flags and "--out-dir" not in flags and "--output" not in flags
    if "config" in positionals:
        assert positionals[0] == "config" and "--cfg-options" in flags
    if "checkpoint" in positionals:
        assert positionals.index("checkpoint") == (1 if "config" in positionals else 0)
        assert "--trust-checkpoint" in flags
    if "--config" in flags:
        assert "--cfg-options" in flags
    if "--device" in flags:
        assert flags["--device"].default == "auto"
    if "--out" in flags:
        assert tool in {"export", "match_arch", "benchmark", "interval_coverage"}, "--out is for a single file"


def test_config_paths_resolve_from_any_directory(tmp_path, monkeypatch):
    from mixpath_bench.errors import ConfigError
    from mixpath_bench.pipeline.search_job import load_search_config

    monkeypatch.chdir(tmp_path)  # 'configs/supernet/...' does not exist here
    cfg = load_search_config(ROOT / "configs/search/s4_mnist5k.py")
    assert Path(cfg.supernet_config).is_file() and Path(cfg.supernet_config).name == "s4_nb101_mnist5k.py"
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "sup.py").write_text("")
    search = (ROOT / "configs/search/s4_mnist5k.py").read_text()
    (tmp_path / "sub" / "search.py").write_text(search.replace("'configs/supernet/s4_nb101_mnist5k.py'", "'sup.py'"))
    assert Path(load_search_config("sub/search.py").supernet_config) == Path("sub/sup.py")  # beside the config
    (tmp_path / "bad.py").write_text(search.replace("s4_nb101_mnist5k.py", "s4_nope.py"))
    with pytest.raises(ConfigError, match=r"supernet_config = 'configs/supernet/s4_nope.py' in bad.py: no such file"):
        load_search_config("bad.py")
