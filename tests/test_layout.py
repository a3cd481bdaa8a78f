"""The code layout's rules: no import cycle between twinkg's modules; one HTTP client library; what
`twinkg serve` imports on its way to answering (not what it does not need)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import twinkg

SRC = Path(twinkg.__file__).parent


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, modules: set[str]) -> set[str]:
    """The twinkg modules a file imports (at any depth in the file: a cycle dodged inside a function is still one)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        found |= {name for name in names if name in modules}
    return found


def graph() -> dict[str, set[str]]:
    files = {module_name(p): p for p in SRC.rglob("*.py")}
    modules = set(files)
    edges = {name: imports(path, modules) - {name} for name, path in files.items()}
    for name in modules:  # importing a.b runs a/__init__ first, but that is not an edge the code chose
        edges[name] = {m for m in edges[name] if not name.startswith(m + ".")}
    return edges


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_no_import_cycle() -> None:
    assert find_cycle(graph()) is None


def test_the_cycle_finder_finds_one() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_one_http_client_library() -> None:
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                assert not [n for n in names if n.split(".")[0] in ("requests", "urllib3", "aiohttp")], path


def loaded_by(module: str, candidates: tuple[str, ...]) -> set[str]:
    """Which of `candidates` are in sys.modules after importing `module` in a fresh interpreter."""
    code = f"import sys, {module}; print(' '.join(m for m in {candidates!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(done.stdout.split())


def test_the_command_line_leaves_the_build_machinery_out() -> None:
    """`twinkg serve` with nothing to build starts from `import twinkg.cli`: rdflib and pyshacl (build,
    validation), the exports and the server itself are imported by the commands that run them."""
    heavy = ("rdflib", "pyshacl", "twinkg.build", "twinkg.validate", "twinkg.mapping", "twinkg.exports",
             "twinkg.enrich.fetch", "twinkg.enrich.world", "twinkg.world.snapshots", "twinkg.server")
    assert loaded_by("twinkg.cli", heavy) == set()


@pytest.mark.parametrize("worker", ["twinkg.store.worker", "twinkg.query_text"])
def test_query_workers_do_not_read_the_package_metadata(worker: str) -> None:
    """Each of serve's six workers imports twinkg; reading the version from the metadata would cost each 60 ms."""
    assert loaded_by(worker, ("importlib.metadata",)) == set()
