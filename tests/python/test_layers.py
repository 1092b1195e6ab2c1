"""The harness's modules depend downwards only: no import cycle, lazy imports included, and
harness/settings.py (the bottom layer) imports nothing of the harness but its root and errors."""

from __future__ import annotations

import ast

from harness import PROJECT_DIR

PACKAGE = PROJECT_DIR / "harness"


def module_name(path) -> str:
    """A module's dotted name inside the harness: `dbt`, `diff` (a package), `diff.sides`."""
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" and len(parts) > 1 else parts)


def imports() -> dict[str, set[str]]:
    """module -> the harness modules it imports, anywhere in its body (functions too).
    Subpackages count by their modules: `from harness.diff.sides import Side` is an edge to
    `diff.sides`, `from harness.diff import open_side` one to `diff` (its __init__)."""
    graph: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        module = module_name(path)
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert node.level == 0, f"{module}: relative import"
                if node.module == "harness":
                    found |= {
                        alias.name
                        for alias in node.names
                        if (PACKAGE / f"{alias.name}.py").exists()
                        or (PACKAGE / alias.name / "__init__.py").exists()
                    }
                elif node.module.startswith("harness."):
                    found.add(node.module.removeprefix("harness."))
            elif isinstance(node, ast.Import):
                found |= {
                    a.name.removeprefix("harness.")
                    for a in node.names
                    if a.name.startswith("harness.")
                }
        graph[module] = found - {module}
    return graph


def cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as a path of modules, or None (depth-first search)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(module: str, path: list[str]) -> list[str] | None:
        state[module] = 1
        for imported in sorted(graph.get(module, ())):
            if state.get(imported) == 1:
                return [*path, module, imported]
            if imported not in state and (found := visit(imported, [*path, module])):
                return found
        state[module] = 2
        return None

    for module in sorted(graph):
        if module not in state and (found := visit(module, [])):
            return found
    return None


def test_no_import_cycle_in_the_harness():
    graph = imports()
    assert len(graph) > 15
    assert {"diff", "diff.segments", "cli", "cli.options"} <= set(graph), sorted(graph)
    assert cycle(graph) is None, " -> ".join(cycle(graph))


def test_the_cycle_finder_finds_a_planted_cycle():
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b"}, "b": set()}) is None


def test_settings_is_the_bottom_layer():
    assert imports()["settings"] <= {"__init__", "errors"}
