"""The house's import rules, read from every module's imports (ast), not from its docs:
docvault.core imports nothing of ours; ingest and pipeline import only docvault.core
(never each other, never the faces); the faces may import anything."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO

OURS = ("docvault", "ingest", "pipeline")


def _package(module: str) -> str:
    """The house part a module belongs to: core, ingest, pipeline, or faces."""
    if module == "docvault.core" or module.startswith("docvault.core."):
        return "core"
    top = module.split(".")[0]
    return "faces" if top == "docvault" else top


ALLOWED = {
    "core": {"core"},
    "ingest": {"core", "ingest"},
    "pipeline": {"core", "pipeline"},
    "faces": {"core", "ingest", "pipeline", "faces"},
}


def _modules() -> list[tuple[str, Path]]:
    found = []
    for top in OURS:
        for path in sorted((REPO / top).rglob("*.py")):
            parts = path.relative_to(REPO).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found.append((name, path))
    return found


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every module of ours that `path` imports, at any depth (functions included)."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names += [(node.lineno, node.module)]
            # `from docvault import core` imports docvault.core
            names += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names
                      if f"{node.module}.{alias.name}" in {m for m, _ in MODULES}]
    return [(line, name) for line, name in names if name.split(".")[0] in OURS]


MODULES = _modules()


def test_the_three_packages_and_the_core_are_found():
    parts = {_package(name) for name, _ in MODULES}
    assert parts == {"core", "ingest", "pipeline", "faces"}
    assert len(MODULES) > 60


@pytest.mark.parametrize(("name", "path"), MODULES, ids=[name for name, _ in MODULES])
def test_imports_go_one_way(name: str, path: Path):
    mine = _package(name)
    wrong = [f"line {line}: {imported} ({_package(imported)})" for line, imported in _imports(path)
             if _package(imported) not in ALLOWED[mine]]
    assert not wrong, f"{name} ({mine}) may import only {sorted(ALLOWED[mine])}: {wrong}"


def test_the_rule_catches_a_wrong_import(tmp_path: Path):
    """The checker itself: a pipeline module importing ingest is caught."""
    bad = tmp_path / "bad.py"
    bad.write_text("from ingest import spool\nimport docvault.cli\nfrom docvault.core import status\n")
    wrong = {name for _, name in _imports(bad) if _package(name) not in ALLOWED["pipeline"]}
    assert wrong == {"ingest", "ingest.spool", "docvault.cli"}
