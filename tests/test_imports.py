"""The house: no module of cockpit/ imports one that imports it back, directly or through others. Imports inside
functions count (they hide a loop, they do not remove it)."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "cockpit"


def module_name(path: Path) -> str:
    """cockpit/importer/derived.py → cockpit.importer.derived; a package's __init__.py is the package itself."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imports_of(path: Path, known: set[str]) -> set[str]:
    """The cockpit modules a file imports anywhere in it (top level or inside functions), relative imports resolved
    against the file's package, each named as the module or package (its __init__) that holds it."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            # from X import y: y may itself be a module (from . import records)
            targets.update(f"{module}.{a.name}" for a in node.names)
            targets.add(module)
        elif isinstance(node, ast.Import):
            targets.update(a.name for a in node.names)
    found = set()
    for target in targets:
        while target and target not in known:
            target = target.rpartition(".")[0]
        if target and target != name and target.startswith("cockpit"):
            found.add(target)
    # The package cockpit itself (cockpit/__init__.py) is where every import starts, not a dependency.
    return found - {"cockpit"}


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports_of(path, set(known)) for name, path in known.items()}


def cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """One loop through each module that lies on a loop (depth-first search)."""
    found, seen = [], set()
    for start in sorted(g):
        stack = [(start, [start])]
        visited = set()
        while stack:
            node, path = stack.pop()
            for nxt in sorted(g.get(node, ())):
                if nxt == start:
                    loop = path + [start]
                    key = frozenset(loop)
                    if key not in seen:
                        seen.add(key)
                        found.append(loop)
                elif nxt not in visited:
                    visited.add(nxt)
                    stack.append((nxt, path + [nxt]))
    return found


def test_the_graph_follows_imports_into_subpackages():
    g = graph()
    assert "cockpit.importer.derived" in g["cockpit.importer"]          # the package's __init__ re-exports
    assert "cockpit.db" in g["cockpit.importer.derived"]                # from ..db import connect
    assert "cockpit.records" in g["cockpit.importer.derived"]           # from .. import records


def test_the_cycle_finder_finds_a_loop():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_loop_in_the_package():
    loops = cycles(graph())
    assert loops == [], "import loops: " + "; ".join(" → ".join(loop) for loop in loops)
