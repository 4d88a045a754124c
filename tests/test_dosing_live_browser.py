"""In a live notebook the dose calculators' place shows the live ipywidgets tool, not the browser copy.

Voila (JupyterLab's renderers, a real kernel) serves the Dose calculators chapter; the output that carries
both views must render as the live widget Tab, and typing a weight must be recomputed by Python in the kernel.
The static book's side (the browser tool in the same place) is tested in tests/test_dosing_browser_book.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_live_widget_browser import CELL_ERROR, RENDER_TIMEOUT_MS, VOILA, _stub_font_awesome, _voila

from nmd_immuno.dosing import attempt, ivig_dose

REPO = Path(__file__).resolve().parents[1]
CHAPTER = REPO / "book" / "dose-calculators.md"
CHANGE_TIMEOUT_MS = 60_000

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_the_live_notebook_shows_the_live_widgets(page: Any, tmp_path: Path) -> None:
    if not VOILA.exists():
        pytest.skip("voila is not installed in this environment")
    jupytext = pytest.importorskip("jupytext")
    folder = tmp_path / "chapter"
    folder.mkdir()
    notebook = folder / "dose-calculators.ipynb"
    jupytext.write(jupytext.read(CHAPTER), notebook)
    with _voila(notebook, tmp_path) as url:
        _stub_font_awesome(page)
        page.goto(url, wait_until="load", timeout=RENDER_TIMEOUT_MS)
        tab = page.locator(".widget-tab").first
        failed = page.locator(CELL_ERROR).filter(has_text="Traceback")
        tab.or_(failed).first.wait_for(timeout=RENDER_TIMEOUT_MS)
        assert failed.count() == 0, failed.first.inner_text()[-3000:]
        # Each tool once: the live Tab, and not the browser copy of the same output.
        assert page.locator(".widget-tab").count() == 1
        assert page.locator(".nmdd").count() == 0
        weight = tab.get_by_label("Weight (kg)", exact=True).first
        weight.fill("118")
        weight.press("Enter")
        expected = attempt(ivig_dose, 118.0, 170.0, "female", age=50.0)
        shown = f"{expected.dosing_weight_kg:.1f} ({expected.weight_basis})"
        tab.locator(".nmd-dose-table", has_text=shown).first.wait_for(timeout=CHANGE_TIMEOUT_MS)
    assert page.problems == []
