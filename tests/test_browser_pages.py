"""The built book in a real browser: headless Debian chromium, the book served on 127.0.0.1.

Every page opens without a console error, a failed or an external request; embedded widgets and formulas
really render; a screenshot of the dose calculators is kept in ``_build/screenshots/``.
"""

from __future__ import annotations

from typing import Any

import pytest
from buildtools import REPO_ROOT, toc_documents

pytestmark = [pytest.mark.slow, pytest.mark.browser]

SCREENSHOTS = REPO_ROOT / "_build" / "screenshots"
# Every page of the book: the chapters of _toc.yml, the redirecting index and Sphinx's own pages.
PAGES = [f"{doc}.html" for doc in toc_documents()] + ["index.html", "search.html", "genindex.html"]
RENDER_TIMEOUT_MS = 30_000

VIEWS_RENDERED = """() => {
    const views = document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]');
    return Array.from(views).every(
        (s) => s.previousElementSibling && s.previousElementSibling.querySelector('.jupyter-widgets'));
}"""
MATH_RENDERED = """() => {
    const math = document.querySelectorAll('article .math');
    return math.length === document.querySelectorAll('article .math mjx-container').length;
}"""


def wait_until_rendered(page: Any) -> dict[str, int]:
    """Wait for the widget views and MathJax formulas of the current page; return how many there were."""
    views = page.locator('script[type="application/vnd.jupyter.widget-view+json"]').count()
    math = page.locator("article .math").count()
    if views:
        page.wait_for_function(VIEWS_RENDERED, timeout=RENDER_TIMEOUT_MS)
    if math:
        page.wait_for_function(MATH_RENDERED, timeout=RENDER_TIMEOUT_MS)
    return {"views": views, "math": math}


@pytest.mark.parametrize("path", PAGES)
def test_page_opens_cleanly(page: Any, visit: Any, path: str) -> None:
    """Zero console errors, zero failed/external requests; widgets and math rendered where present."""
    visit(path)
    wait_until_rendered(page)
    if path == "index.html":
        page.wait_for_url("**/book/intro.html", timeout=RENDER_TIMEOUT_MS)
    assert page.locator("h1").count() >= 1 or path == "index.html", f"{path}: no heading rendered"
    assert page.problems == []


def test_dose_calculators_render(page: Any, visit: Any) -> None:
    """The dose page shows the browser calculators (not a frozen widget Tab), working; screenshot."""
    visit("book/dose-calculators.html")
    wait_until_rendered(page)
    tool = page.locator(".nmdd").first
    page.wait_for_selector(".nmdd[data-ready=true]", timeout=RENDER_TIMEOUT_MS)
    options = [text.strip().lower() for text in tool.locator(".nmdd-chooser option").all_inner_texts()]
    assert len(options) >= 4 and any("ivig" in text for text in options), f"calculators: {options}"
    assert tool.locator(".nmdd-panel input, .nmdd-panel select").count() >= 1, "the calculator has no inputs"
    assert page.locator(".widget-tab").count() == 0, "a frozen widget Tab is still on the page"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / "dose-calculators.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000, "screenshot suspiciously small"
    tool.screenshot(path=str(SCREENSHOTS / "dose-calculators-widget.png"))
    box = tool.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 150, f"tool box: {box}"


def test_a_second_calculator_of_the_static_page_opens(page: Any, visit: Any) -> None:
    """Choosing another calculator works without a kernel (the browser tool)."""
    visit("book/dose-calculators.html")
    page.wait_for_selector(".nmdd[data-ready=true]", timeout=RENDER_TIMEOUT_MS)
    page.locator(".nmdd-chooser").select_option(index=1)
    page.wait_for_function(
        "() => document.querySelector('.nmdd-result caption')?.textContent === 'Plasma exchange course'",
        timeout=5000,
    )
    assert page.problems == []


def test_theme_mode_is_valid_in_a_fresh_browser(page: Any, visit: Any) -> None:
    """The theme's mode is set (empty storage): the cause of 'Got invalid theme mode' is gone."""
    visit("book/intro.html")
    mode = page.evaluate("document.documentElement.dataset.mode")
    assert mode in {"light", "dark", "auto"}
    assert page.evaluate("typeof THEBE_JS_URL") == "undefined"
