"""The house: no module of cockpit/ imports one that imports it back, directly or through others. Imports inside
functions count (they hide a loop, they do not remove it)."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "cockpit"


def imports_of(path: Path) -> set[str]:
    """The cockpit modules a file imports anywhere in it (top level or inside functions)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1:  # from . import x / from .x import y
                if node.module:
                    found.add(node.module.split(".")[0])
                else:
                    found.update(a.name for a in node.names)
            elif node.module and node.module.startswith("cockpit."):
                found.add(node.module.split(".")[1])
            elif node.module == "cockpit":
                found.update(a.name for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("cockpit."))
    modules = {p.stem for p in PACKAGE.glob("*.py")} | {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    return (found & modules) - {path.stem, "__init__"}


def graph() -> dict[str, set[str]]:
    return {p.stem: imports_of(p) for p in PACKAGE.glob("*.py") if p.stem != "__init__"}


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


def test_the_cycle_finder_finds_a_loop():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_loop_in_the_package():
    loops = cycles(graph())
    assert loops == [], "import loops: " + "; ".join(" → ".join(loop) for loop in loops)
