"""Every page of the built book in Chromium (every non-local request blocked by the ``page`` fixture):

- axe-core (``node_modules/axe-core``, a dev dependency injected by the test; no page loads it) reports no
  critical or serious violation;
- at 390 x 844 (a phone) no page scrolls sideways: wide tables and flowcharts scroll in their own box;
- the console stays clean: no error or warning at all, and the only informational lines are the theme's own
  (pydata-sphinx-theme and sphinx-togglebutton announce their mode and buttons; the course logs nothing);
- no widget control in the content is dead: each visible input, select and button changes the page when
  operated, or (a quiz answer) changes what its form's button reports; no frozen ipywidgets anywhere.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from buildtools import REPO_ROOT, toc_documents

pytestmark = [pytest.mark.slow, pytest.mark.browser]

AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
PAGES = [f"{doc}.html" for doc in toc_documents()] + ["search.html", "genindex.html"]
#: Informational console lines of the vendored theme scripts (not the course's code).
THEME_SCRIPTS = ("pydata-sphinx-theme.js", "togglebutton.js")
#: ... and the tags of their lines (the theme also logs from an inline script of the search page).
THEME_TAGS = ("[PST]: ", "[togglebutton]: ")

OPERATE = """async () => {
  const scope = document.querySelector('.bd-article') || document.querySelector('#main-content')
    || document.body;
  const snapshot = () => scope.innerHTML + '|' + location.hash;
  const visible = (e) => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden'
      && !e.closest('[hidden]');
  };
  const tick = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 60)));
  const set = (c, value) => {
    c.value = value;
    c.dispatchEvent(new Event('input', {bubbles: true}));
    c.dispatchEvent(new Event('change', {bubbles: true}));
  };
  const operate = (c) => {
    if (c.tagName === 'SELECT') {
      c.selectedIndex = (c.selectedIndex + 1) % c.options.length;
      c.dispatchEvent(new Event('input', {bubbles: true}));
      c.dispatchEvent(new Event('change', {bubbles: true}));
    } else if (c.tagName === 'INPUT' && ['checkbox', 'radio'].includes(c.type)) {
      c.click();
    } else if (c.tagName === 'INPUT' && c.type === 'range') {
      set(c, String(Number(c.value) + Number(c.step || 1)));
    } else if (c.tagName === 'INPUT' || c.tagName === 'TEXTAREA') {
      set(c, c.value === '1' ? '2' : '1');
    } else {
      c.click();
    }
  };
  // An answer that only feeds its form's button: compare the button's report without and with it.
  const feedsItsButton = async (c) => {
    const group = c.closest('fieldset, form');
    const button = group && Array.from(group.querySelectorAll('button')).find(visible);
    if (!button) { return false; }
    proven.add(button);
    if (['checkbox', 'radio'].includes(c.type)) {
      group.querySelectorAll(`input[name="${c.name}"]`).forEach((r) => { r.checked = false; });
    } else { set(c, ''); }
    button.click(); await tick();
    const without = snapshot();
    operate(c); button.click(); await tick();
    return snapshot() !== without;
  };
  // Buttons already shown to report an answer (clicking one again repeats the same report).
  const proven = new Set();
  // The theme's own chrome (the search form, its header and sidebar buttons, the light/dark switch; on a page
  // without an article, such as the search page, the scope falls back to the whole body) is site navigation,
  // not a tool of the course.
  const chrome = 'form.bd-search, form[role=search], .search-button-field, .bd-header, .bd-header-article, '
    + '.bd-sidebar-primary, .bd-sidebar-secondary, .theme-switch-button, .primary-toggle, .secondary-toggle';
  const controls = Array.from(scope.querySelectorAll(
    'input, select, button, textarea, summary, [role=slider], [role=tab]'))
    .filter((c) => visible(c) && !c.closest(chrome));
  const out = [];
  for (const c of controls) {
    if (!visible(c) || c.disabled) { continue; }
    const what = `${c.tagName}#${c.id} ${(c.textContent || c.name || '').trim().slice(0, 40)}`;
    const before = snapshot();
    operate(c);
    await tick();
    let live = snapshot() !== before || proven.has(c);
    // A choice may leave this case's result as it was: a select is live if any of its options changes it.
    for (let i = 0; !live && c.tagName === 'SELECT' && i < c.options.length; i++) {
      operate(c); await tick(); live = snapshot() !== before;
    }
    if (!live && c.tagName !== 'BUTTON') { live = await feedsItsButton(c); }
    out.push({what: what, live: live});
  }
  return out;
}"""


def _visit(page: Any, book_url: str, path: str) -> None:
    response = page.goto(urljoin(book_url, path), wait_until="load")
    assert response is not None and response.status == 200, path
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_no_critical_or_serious_violation(page: Any, book_url: str, path: str) -> None:
    assert AXE.is_file(), "axe-core missing: run make vendor (npm ci installs the dev dependency)"
    _visit(page, book_url, path)
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """() => axe.run(document, {resultTypes: ['violations'], preload: false}).then((r) => r.violations
            .filter((v) => ['critical', 'serious'].includes(v.impact))
            .map((v) => `${v.id} (${v.impact}): `
                + v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')))"""
    )
    assert violations == [], f"{path}:\n" + "\n".join(violations)


@pytest.mark.parametrize("path", PAGES)
def test_no_page_scrolls_sideways_on_a_phone(browser: Any, book_url: str, path: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        tab = context.new_page()
        tab.route(
            "**/*",
            lambda r: r.continue_() if r.request.url.startswith(book_url) else r.abort("blockedbyclient"),
        )
        _visit(tab, book_url, path)
        width = tab.evaluate("document.scrollingElement.scrollWidth")
        assert width <= 390, f"{path}: the page is {width} px wide at 390 px"
    finally:
        context.close()


@pytest.mark.parametrize("path", PAGES)
def test_console_stays_clean(page: Any, book_url: str, path: str) -> None:
    messages: list[str] = []

    def record(message: Any) -> None:
        source = (message.location or {}).get("url", "")
        theirs = source.split("?", 1)[0].endswith(THEME_SCRIPTS) or message.text.startswith(THEME_TAGS)
        if message.type in {"log", "info", "debug"} and theirs:
            return
        messages.append(f"{message.type}: {message.text} ({source})")

    page.on("console", record)
    _visit(page, book_url, path)
    page.wait_for_timeout(500)
    assert messages == [], f"{path}:\n" + "\n".join(messages)


@pytest.mark.parametrize("path", PAGES)
def test_no_widget_control_is_dead(page: Any, book_url: str, path: str) -> None:
    _visit(page, book_url, path)
    page.wait_for_timeout(300)
    assert page.locator(".jupyter-widgets-disconnected, .widget-image").count() == 0, (
        f"{path}: frozen widgets"
    )
    dead = [c["what"] for c in page.evaluate(OPERATE) if not c["live"]]
    assert dead == [], f"{path}: controls that change nothing:\n" + "\n".join(dead)
    page.problems.clear()  # operating every control may start downloads; the other tests check the console


def test_axe_is_a_test_asset_only(book_html: Path) -> None:
    """axe-core is injected by the tests; no page of the book loads it."""
    for page in book_html.rglob("*.html"):
        assert "axe.min.js" not in page.read_text(encoding="utf-8"), page
