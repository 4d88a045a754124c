"""Load the in-browser explorer's script once per page, instead of pasting it into every output.

An explorer output (:mod:`nmd_immuno.widgets.static_explorer`) carries only markup and its data in a
``<script type="application/json">`` block. This module publishes ``explorer.js`` and the explorer's
stylesheet (``explorer.css`` plus the flowchart's path colours, :func:`nmd_immuno.flowchart.path_css`) in
``_static/``, and on each page whose body contains an explorer adds, once: json-logic-js (vendored, served
by the book: no CDN), the stylesheet and the script.

Why json-logic-js comes first (priority below myst-nb's 500): it is a UMD file. Loaded after require.js (on
the pages with widgets) it would register an anonymous AMD module and require.js would report a mismatch;
loaded before, it sets ``window.jsonLogic``, which explorer.js uses. explorer.js starts every explorer of the
page once the document is parsed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

from nmd_immuno.flowchart import path_css
from nmd_immuno.quiz.static_html import static_asset
from nmd_immuno.sphinxext.offline_assets import _extra_roots, _is_remote, site_path

SCRIPT = "nmd-explorer.js"
STYLESHEET = "nmd-explorer.css"
#: What marks a page that shows an explorer (the root element's class attribute, as the fragment writes it).
MARKER = 'class="nmdx"'


def explorer_stylesheet() -> str:
    """The explorer's form styles and the flowchart's path colours, scoped to the explorer's own drawing."""
    return static_asset("explorer.css") + "\n" + path_css(".nmdx .nmdx-chart")


def _write_assets(app: Sphinx) -> None:
    """Put the script and the stylesheet into ``_static/`` before pages are written (Sphinx then versions
    their URLs by content), and check that json-logic-js is vendored."""
    if app.builder is None or app.builder.format != "html":
        return
    library = app.config.nmd_explorer_library
    if _is_remote(library):
        raise ExtensionError(f"_config.yml: nmd_explorer_library = {library!r} loads from the internet")
    if app.config.nmd_require_offline_assets and not any(
        (root / site_path(library)).is_file() for root in _extra_roots(app)
    ):
        raise ExtensionError(
            f"nmd_explorer_library = {library!r} is not in the vendored assets; run `make vendor` "
            "(npm ci from package-lock.json) before building the book"
        )
    static = Path(app.outdir, "_static")
    static.mkdir(parents=True, exist_ok=True)
    (static / SCRIPT).write_text(static_asset("explorer.js"), encoding="utf-8")
    (static / STYLESHEET).write_text(explorer_stylesheet(), encoding="utf-8")


def _add_to_page(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if MARKER not in (context.get("body") or ""):
        return
    app.add_js_file(app.config.nmd_explorer_library, priority=300)
    app.add_js_file(SCRIPT, priority=800)
    app.add_css_file(STYLESHEET)


def setup(app: Sphinx) -> None:
    """Config: ``nmd_explorer_library``, json-logic-js as a path relative to ``_static/`` (like
    ``mathjax_path``; the vendored copy at the site root by default)."""
    app.add_config_value("nmd_explorer_library", "../vendor/json-logic-js/logic.js", "html", [str])
    app.connect("builder-inited", _write_assets)
    app.connect("html-page-context", _add_to_page)
