"""The benchmark's place in the package: no import cycles inside it, and nothing the worker
runs imports it (the worker image leaves orchestrator/bench out)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "orchestrator"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> list[tuple[str, str]]:
    """(module, where) for every import in the file; where: "module" (run on import),
    "function" (run when called) or "typing" (under `if TYPE_CHECKING:`, never run)."""
    tree = ast.parse(path.read_text())
    where: dict[int, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            where |= {id(n): "function" for n in ast.walk(node) if n is not node}
        elif isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            where |= {id(n): "typing" for b in node.body for n in ast.walk(b)}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        out += [(n, where.get(id(node), "module")) for n in names]
    return out


def graph(files: list[Path]) -> dict[str, set[str]]:
    modules = {module_name(p): p for p in files}
    return {
        name: {m for m, _ in imports(path) if m in modules and m != name}
        for name, path in modules.items()
    }


def cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as the modules along it, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt, [*path, nxt])):
                return found
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state and (found := visit(start, [start])):
            return found
    return None


def test_cycle_finder_finds_one() -> None:
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle_inside_the_benchmark() -> None:
    files = sorted((PACKAGE / "bench").rglob("*.py"))
    assert len(files) > 10
    assert cycle(graph(files)) is None


def test_only_the_bench_command_imports_the_benchmark_and_only_when_it_runs() -> None:
    users = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.relative_to(PACKAGE).parts[0] == "bench":
            continue
        found = {w for m, w in imports(path) if m.split(".")[:2] == ["orchestrator", "bench"]}
        if found:
            users[module_name(path)] = found
    assert users == {"orchestrator.cli.bench": {"function", "typing"}}
