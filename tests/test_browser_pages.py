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


def test_dose_calculator_widgets_render(page: Any, visit: Any) -> None:
    """The calculators' Tab is real DOM (tab bar, labels, inputs) styled by the vendored CSS; screenshot."""
    visit("book/dose-calculators.html")
    counts = wait_until_rendered(page)
    assert counts["views"] >= 1
    tab = page.locator(".widget-tab").first
    tab.wait_for(state="visible", timeout=RENDER_TIMEOUT_MS)
    labels = [label.strip().lower() for label in tab.locator(".lm-TabBar-tabLabel").all_inner_texts()]
    assert len(labels) >= 4, f"tab labels: {labels}"
    assert any("ivig" in label for label in labels), f"tab labels: {labels}"
    # The current tab shows working controls, not an empty box or an error message.
    panel = tab.locator(".widget-tab-contents").first
    assert panel.locator("input, select, button, .widget-slider").count() >= 1, "the calculator has no inputs"
    assert page.locator(".jupyter-widgets .widget-error, .jupyter-widgets-view-error").count() == 0
    # The widget stylesheet applied (the Tab is laid out by Lumino CSS, not shown as plain text).
    assert tab.evaluate("el => getComputedStyle(el).display") != "inline"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / "dose-calculators.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000, "screenshot suspiciously small"
    widget_shot = SCREENSHOTS / "dose-calculators-widget.png"
    tab.screenshot(path=str(widget_shot))
    box = tab.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 150, f"widget box: {box}"


def test_a_second_tab_of_the_static_calculator_opens(page: Any, visit: Any) -> None:
    """Switching tabs works without a kernel (pure browser-side widget behaviour)."""
    visit("book/dose-calculators.html")
    wait_until_rendered(page)
    tab = page.locator(".widget-tab").first
    second = tab.locator(".lm-TabBar-tab").nth(1)
    second.click()
    page.wait_for_function(
        "(el) => el.classList.contains('lm-mod-current')", arg=second.element_handle(), timeout=5000
    )
    assert page.problems == []


def test_theme_mode_is_valid_in_a_fresh_browser(page: Any, visit: Any) -> None:
    """The theme's mode is set (empty storage): the cause of 'Got invalid theme mode' is gone."""
    visit("book/intro.html")
    mode = page.evaluate("document.documentElement.dataset.mode")
    assert mode in {"light", "dark", "auto"}
    assert page.evaluate("typeof THEBE_JS_URL") == "undefined"
