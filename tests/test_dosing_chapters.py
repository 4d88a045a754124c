"""The principles and dose-calculator chapters: front matter, resolving citations, content, execution."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nmd_immuno.content.bibliography import bibliography_keys
from nmd_immuno.paths import REPO_ROOT

CHAPTERS = {name: REPO_ROOT / "book" / f"{name}.md" for name in ("principles", "dose-calculators")}
CITE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")


@pytest.mark.parametrize("name", CHAPTERS)
def test_front_matter_makes_code_cells_executable(name: str) -> None:
    text = CHAPTERS[name].read_text(encoding="utf-8")
    assert text.startswith("---\njupytext:\n")
    assert "format_name: myst" in text and "name: python3" in text
    assert "```{code-cell} ipython3" in text


@pytest.mark.parametrize("name", CHAPTERS)
def test_every_citation_resolves(name: str) -> None:
    text = CHAPTERS[name].read_text(encoding="utf-8")
    keys = [key.strip() for group in CITE.findall(text) for key in group.split(",")]
    assert keys, "a chapter without citations"
    missing = sorted(set(keys) - bibliography_keys())
    assert not missing


def test_dose_chapter_says_teaching_tool_and_has_the_live_kernel_note() -> None:
    text = CHAPTERS["dose-calculators"].read_text(encoding="utf-8")
    assert "not a prescription" in text
    assert re.search(r"^\{\{ live_kernel_note \}\}$", text, flags=re.MULTILINE)
    assert "dose_calculators_tool()" in text  # the browser tool in the book, the live widgets in Jupyter
    assert text.count("attempt(") >= 3  # refused inputs are shown statically


def test_principles_links_to_the_calculators_and_renders_the_drug_table() -> None:
    text = CHAPTERS["principles"].read_text(encoding="utf-8")
    assert "{doc}`dose-calculators`" in text
    assert "drug_table()" in text
    for current in ("2024", "December 2025", "2026"):
        assert current in text


@pytest.mark.slow
@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_executes_without_errors(name: str, tmp_path: Path) -> None:
    jupytext = pytest.importorskip("jupytext")
    nbclient = pytest.importorskip("nbclient")
    notebook = jupytext.read(CHAPTERS[name])
    nbclient.NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert not [o for o in outputs if o.get("output_type") == "stream" and o.get("name") == "stderr"]
    assert any("text/html" in o.get("data", {}) for o in outputs)
