"""Leave the ipywidgets manager out of pages that show no widget.

myst-nb adds require.js, the ipywidgets HTML manager (3.6 MB) and the notebook's saved widget state to every
page whose notebook holds widget state. A course tool shown as one output with two views (the live widget
and a browser tool, e.g. :func:`nmd_immuno.widgets.static_explorer.explorer_tool`) is rendered in the book
from its ``text/html`` (``nb_mime_priority_overrides``), so such a page may draw no widget at all and would
still download the manager for nothing. On a page whose body contains no widget view, this module removes
those scripts and the state before the page is written; pages that draw a widget keep everything.
"""

from __future__ import annotations

import posixpath
from typing import Any

from sphinx.application import Sphinx

from nmd_immuno.sphinxext.offline_assets import site_path

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def _widget_script(js: Any, manager: set[str]) -> bool:
    filename = getattr(js, "filename", None)
    if isinstance(filename, str) and posixpath.normpath(filename) in manager:
        return True
    return (getattr(js, "attributes", None) or {}).get("type") == WIDGET_STATE


def _prune(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    if not app.config.nmd_prune_unused_widgets or WIDGET_VIEW in (context.get("body") or ""):
        return
    scripts = context.get("script_files")
    if not isinstance(scripts, list):
        return
    uris = [str(uri) for uri in (app.config.nb_ipywidgets_js or {})]
    manager = {posixpath.normpath(uri) for uri in uris} | {site_path(uri) for uri in uris}
    scripts[:] = [js for js in scripts if not _widget_script(js, manager)]


def setup(app: Sphinx) -> None:
    """Config: ``nmd_prune_unused_widgets`` (default true). Runs after myst-nb adds the widget scripts (500)
    and before :mod:`.offline_assets` looks for require.js (600)."""
    app.add_config_value("nmd_prune_unused_widgets", True, "html", [bool])
    app.connect("html-page-context", _prune, priority=550)
