"""The layers point one way: errors, then corpus, then embeddings, then bot."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# A package may import only the packages listed for it (besides itself).
ALLOWED = {"corpus": set(), "embeddings": {"corpus"}}
OURS = {"bot", "corpus", "embeddings"}


def _imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names & OURS


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_lower_layers_never_import_higher_ones(package: str) -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(used - ALLOWED[package] - {package})
        for path in sorted((ROOT / package).rglob("*.py"))
        if (used := _imported_packages(path)) - ALLOWED[package] - {package}
    }
    assert offenders == {}


def test_the_error_root_imports_nothing_of_ours() -> None:
    assert _imported_packages(ROOT / "corpus" / "errors.py") == set()
