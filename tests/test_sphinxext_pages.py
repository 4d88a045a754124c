"""Unit tests of the page-level Sphinx repairs: the widget manager only where a widget shows, and the
bibliography's list semantics (the book build and the browser tests check the built pages)."""

from __future__ import annotations

from docutils import nodes

from nmd_immuno.sphinxext.a11y import repair_body
from nmd_immuno.sphinxext.widget_pages import (
    WIDGET_STATE_KEY,
    drop_unused_widget_scripts,
    shows_widget,
)

WIDGET_JS = {"../vendor/requirejs/require.js", "../vendor/html-manager/embed-amd.js"}


def _page(*raw: str) -> nodes.document:
    doc = nodes.section()
    for text in raw:
        doc += nodes.raw(text=text, format="html")
    return doc


def test_a_page_with_a_widget_view_is_recognised() -> None:
    view = '<script type="application/vnd.jupyter.widget-view+json">{"model_id": "x"}</script>'
    assert shows_widget(_page("<p>text</p>", view))
    assert not shows_widget(_page('<div class="nmdc">browser tool</div>'))
    assert not shows_widget(None)


def test_only_the_widget_state_and_widget_scripts_are_dropped() -> None:
    js_files = {
        WIDGET_STATE_KEY: (None, {"type": "application/vnd.jupyter.widget-state+json", "body": "{}"}),
        "ipywidgets_0": ("../vendor/requirejs/require.js", {}),
        "ipywidgets_1": ("../vendor/html-manager/embed-amd.js", {}),
        "other": ("../vendor/something-else.js", {}),
    }
    removed = drop_unused_widget_scripts(js_files, WIDGET_JS)
    assert removed == [WIDGET_STATE_KEY, "ipywidgets_0", "ipywidgets_1"]
    assert list(js_files) == ["other"]


def test_bibliography_entries_become_list_items() -> None:
    body = (
        '<div role="list" class="citation-list">'
        '<div class="citation" id="id7" role="doc-biblioentry"><p>A</p></div>'
        '<div class="citation" id="id8" role="doc-biblioentry"><p>B</p></div></div>'
        '<p role="doc-biblioentry">not a citation</p>'
    )
    repaired = repair_body(body)
    assert repaired.count('role="listitem"') == 2
    assert '<p role="doc-biblioentry">' in repaired  # only bibliography entries are touched
