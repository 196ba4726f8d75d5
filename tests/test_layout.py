"""The direction of imports (STYLE.md): nothing imports upward; search code never imports torch."""
import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "mixpath_bench"
# package -> subpackages it may import (besides itself and the leaf modules errors/cli/package_data)
ALLOWED = {
    "spaces": set(),
    "nn": set(),
    "models": {"nn", "spaces"},
    "data": set(),
    "engine": {"models", "data", "spaces", "nn"},
    "search": {"spaces"},
    "bench": {"spaces", "models", "engine", "data", "nn", "search"},
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


def test_import_direction():
    problems = []
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(PKG).parts
        if len(rel) < 2:
            continue
        sub = rel[0]
        for module, level in imports_of(path):
            full = resolve(path, module, level)
            top = full.split(".")[0]
            if top == "mixpath_bench":
                target = full.split(".")[1] if "." in full else ""
                if target and target != sub and target not in ALLOWED[sub] | {"errors", "cli", "jsonio", "provenance", "package_data"}:
                    problems.append(f"{path.relative_to(PKG)} imports {full}")
            elif top in THIRD_PARTY_BANNED.get(sub, set()):
                if not (sub == "search" and path.name == "darts.py"):
                    problems.append(f"{path.relative_to(PKG)} imports {top}")
            elif top in MM_DET and sub != "det":
                problems.append(f"{path.relative_to(PKG)} imports {top} (only det/ may)")
    assert not problems, "\n".join(problems)


def test_modules_stay_small():
    big = [str(p) for p in PKG.rglob("*.py") if len(p.read_text().splitlines()) > 500]
    assert not big
