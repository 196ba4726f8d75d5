"""The layout of docs/design.md, recomputed: nothing imports upward, no import cycle, nothing
imports `tools/`; search code never imports torch (DARTS, which does, is its own floor `darts/`);
modules under 500 lines, functions under 60, the report's frame under 150."""
import ast
import sys
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "mixpath_bench"
# package -> subpackages it may import (besides itself and the top-level leaf modules, see leaf_modules)
ALLOWED = {
    "spaces": set(),
    "nn": set(),
    "models": {"nn", "spaces"},
    "data": set(),
    "engine": {"models", "data", "spaces", "nn"},
    "search": {"spaces"},
    "darts": {"search", "engine", "models", "data", "spaces", "nn"},
    "bench": {"spaces", "models", "engine", "data", "nn", "search", "darts"},
    "pipeline": {"bench", "engine", "models", "data", "search", "darts", "spaces", "nn", "zoo"},
    "det": {"models", "spaces", "nn", "zoo"},
    "zoo": {"models", "spaces", "nn"},
}
THIRD_PARTY_BANNED = {"spaces": {"torch", "mmengine", "mmdet", "mmcv"}, "search": {"torch", "mmengine", "mmdet", "mmcv"}}
MM_DET = {"mmdet", "mmcv"}


def imports_of(path: Path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, 0
        elif isinstance(node, ast.ImportFrom):
            yield node.module or "", node.level


def resolve(path: Path, module: str, level: int) -> str:
    if level == 0:
        return module
    parts = list(path.relative_to(PKG.parent).with_suffix("").parts)[:-level]
    return ".".join(parts + ([module] if module else []))


def leaf_modules() -> set[str]:
    """Top-level modules that import none of the subpackages (errors, jsonio, ...): any layer may use them."""
    subpackages = {p.name for p in PKG.iterdir() if (p / "__init__.py").is_file()}
    leaves = set()
    for path in PKG.glob("*.py"):
        names = [resolve(path, module, level).split(".") for module, level in imports_of(path)]
        targets = {parts[1] for parts in names if parts[0] == "mixpath_bench" and len(parts) > 1}
        if path.stem != "__init__" and not targets & subpackages:
            leaves.add(path.stem)
    return leaves


def test_import_direction():
    problems = []
    leaves = leaf_modules()
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(PKG).parts
        if len(rel) < 2:
            continue
        sub = rel[0]
        if sub not in ALLOWED:
            problems.append(f"{path.relative_to(PKG)}: add subpackage {sub!r} to ALLOWED (what it may import)")
            continue
        for module, level in imports_of(path):
            full = resolve(path, module, level)
            top = full.split(".")[0]
            if top == "mixpath_bench":
                target = full.split(".")[1] if "." in full else ""
                if target and target != sub and target not in ALLOWED[sub] | leaves:
                    problems.append(f"{path.relative_to(PKG)} imports {full}")
            elif top in THIRD_PARTY_BANNED.get(sub, set()):
                problems.append(f"{path.relative_to(PKG)} imports {top}")
            elif top in MM_DET and sub != "det":
                problems.append(f"{path.relative_to(PKG)} imports {top} (only det/ may)")
    assert not problems, "\n".join(problems)


def test_modules_stay_small():
    big = [str(p) for p in PKG.rglob("*.py") if len(p.read_text().splitlines()) > 500]
    assert not big


def long_functions(paths, limit: int = 60) -> list[str]:
    """'path:line name (N lines)' for every function or method longer than `limit` lines."""
    out = []
    for path in paths:
        for node in ast.walk(ast.parse(Path(path).read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = node.end_lineno - node.lineno + 1
                if n > limit:
                    out.append(f"{path}:{node.lineno} {node.name} ({n} lines)")
    return out


def test_no_function_over_60_lines():
    paths = [*PKG.rglob("*.py"), *(PKG.parent / "tools").glob("*.py")]
    assert not long_functions(paths), "\n".join(long_functions(paths))


def test_the_function_length_check_counts_lines(tmp_path):
    body = "\n".join(f"        x{i} = {i}" for i in range(60))
    (tmp_path / "m.py").write_text(f"def short():\n    pass\n\n\nclass A:\n    def long(self):\n{body}\n")
    assert long_functions([tmp_path / "m.py"]) == [f"{tmp_path / 'm.py'}:6 long (61 lines)"]


def test_the_report_is_only_a_frame():
    """Sections and verdicts live with their stages; report.py assembles them."""
    lines = (PKG / "pipeline" / "report.py").read_text().splitlines()
    assert len(lines) < 150, len(lines)


def module_name(path: Path, root: Path = PKG) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(root: Path = PKG) -> dict[str, set[str]]:
    """module -> the package's modules it imports (anywhere in the file, function bodies included).

    ``from a import b`` points at module ``a.b`` when there is one, else at ``a``; an import of a
    module does not count as importing its parent packages (every submodule would otherwise form
    a cycle with an ``__init__`` that imports it).
    """
    paths = {module_name(p, root): p for p in root.rglob("*.py")}

    def known(name: str) -> str | None:
        while name and name not in paths:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {name: set() for name in paths}
    for name, path in paths.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = package.split(".")[:len(package.split(".")) - node.level + 1]
                    base = ".".join(parent + ([node.module] if node.module else []))
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in paths else base for a in node.names]
            else:
                continue
            graph[name] |= {t for t in map(known, targets) if t and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10 * len(graph) + 100))
    try:
        for v in sorted(graph):
            if v not in index:
                visit(v)
    finally:
        sys.setrecursionlimit(limit)
    return found


def test_no_import_cycle():
    found = cycles(import_graph())
    assert not found, "import cycles (function-level imports count):\n" + "\n".join(" <-> ".join(c) for c in found)


def test_the_cycle_check_sees_function_level_and_relative_imports(tmp_path):
    pkg = tmp_path / "mixpath_bench"
    (pkg / "a").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "a" / "__init__.py").write_text("from .x import f\n")
    (pkg / "a" / "x.py").write_text("def f():\n    from ..b import g\n")
    (pkg / "b.py").write_text("from .a import x\n")
    (pkg / "c.py").write_text("from . import b\n")
    assert cycles(import_graph(pkg)) == [["mixpath_bench.a.x", "mixpath_bench.b"]]


def test_nothing_imports_tools():
    found = [f"{path.relative_to(PKG)} imports {module}" for path in PKG.rglob("*.py")
             for module, level in imports_of(path) if level == 0 and module.split(".")[0] == "tools"]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("module", ["mixpath_bench.spaces", "mixpath_bench.search"])
def test_search_code_imports_without_torch(module):
    import subprocess

    code = f"import sys, {module}; assert 'torch' not in sys.modules, 'torch imported'"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PKG.parent)
    assert proc.returncode == 0, proc.stderr[-2000:]
