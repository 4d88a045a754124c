"""Load the ipywidgets HTML manager only on pages that show a widget.

myst-nb adds the saved widget state and the widget scripts (require.js, the HTML manager) to every page whose
notebook holds widget state, even when no output shows a widget view. That is now the rule, not the
exception: an output carrying both a live widget view and a ``text/html`` browser tool (the dose calculators,
the cohort simulator) shows its ``text/html`` in the book (``nb_mime_priority_overrides``), so the widget
state is dead weight (the cohort simulator's saves a PNG) and the manager only costs a download and its
console output: it validates the state with ajv in strict mode, which logs two "strict mode: use
allowUnionTypes" warnings on every such page (the bundle builds its validator with no options, so there is
no configuration to change).

On a page whose rendered doctree contains no widget view, this module removes the widget state and the
``nb_ipywidgets_js`` scripts myst-nb registered for it, before myst-nb's ``html-page-context`` handler adds
them. A page that still shows a widget keeps everything.
"""

from __future__ import annotations

import posixpath
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

WIDGET_VIEW_MIMETYPE = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE_KEY = "ipywidgets_state"


def shows_widget(doctree: nodes.Node | None) -> bool:
    """True if any raw HTML of the page embeds a widget view."""
    if doctree is None:
        return False
    return any(WIDGET_VIEW_MIMETYPE in node.astext() for node in doctree.findall(nodes.raw))


def _widget_script_paths(app: Sphinx) -> set[str]:
    return {posixpath.normpath(str(uri)) for uri in (app.config.nb_ipywidgets_js or {})}


def drop_unused_widget_scripts(js_files: dict[str, Any], widget_paths: set[str]) -> list[str]:
    """Remove the widget state and widget scripts from myst-nb's per-page ``js_files``; return the keys."""
    removed = []
    for key, (uri, _kwargs) in list(js_files.items()):
        if key == WIDGET_STATE_KEY or (uri is not None and posixpath.normpath(str(uri)) in widget_paths):
            del js_files[key]
            removed.append(key)
    return removed


def _on_page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if not app.config.nmd_widget_scripts_only_where_shown or doctree is None or shows_widget(doctree):
        return
    metadata = getattr(app.env, "nb_metadata", None)
    if not metadata or pagename not in metadata:
        return
    js_files = metadata[pagename].get("js_files")
    if js_files:
        drop_unused_widget_scripts(js_files, _widget_script_paths(app))


def setup(app: Sphinx) -> None:
    """Config: ``nmd_widget_scripts_only_where_shown`` (default true)."""
    app.add_config_value("nmd_widget_scripts_only_where_shown", True, "html", [bool])
    # Before myst-nb's handler (priority 500), which adds the page's js_files to the page.
    app.connect("html-page-context", _on_page_context, priority=450)
