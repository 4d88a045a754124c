"""The package's layers point one way: content and models below, front ends (widgets) on top.

Why a test: the quiz package once imported the workshop's store while the workshop's dashboard imported the
quiz loader, so neither could be understood or changed alone. Widgets may use both; the models may not use
the front ends or the workshop.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from nmd_immuno.paths import REPO_ROOT

PACKAGE = REPO_ROOT / "src" / "nmd_immuno"
# subpackage -> subpackages it must never import (directly, lazily or under TYPE_CHECKING)
FORBIDDEN = {
    "quiz": {"workshop", "widgets", "grading"},
    "content": {"workshop", "widgets", "grading", "quiz", "engine", "simulate", "dosing"},
    "engine": {"workshop", "widgets", "grading", "quiz"},
    "simulate": {"workshop", "widgets", "grading", "quiz"},
    "dosing": {"workshop", "widgets", "grading", "quiz"},
}


def imported_subpackages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {n.split(".")[1] for n in names if n.startswith("nmd_immuno.") and n.count(".") >= 1}


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_lower_layers_never_import_the_front_ends(layer: str) -> None:
    offences = [
        f"{path.relative_to(PACKAGE)} imports nmd_immuno.{target}"
        for path in sorted((PACKAGE / layer).rglob("*.py"))
        for target in imported_subpackages(path) & FORBIDDEN[layer]
    ]
    assert offences == []


def test_the_scan_sees_a_lazy_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "def f():\n    from nmd_immuno.workshop.store import X\n    import nmd_immuno.widgets.quiz\n"
    )
    assert imported_subpackages(module) == {"workshop", "widgets"}
