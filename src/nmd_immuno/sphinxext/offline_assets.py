"""Serve every browser asset a page needs from the book itself (no CDN), and fail early when it is missing.

myst-nb and Sphinx load require.js, the ipywidgets HTML manager and MathJax from CDNs by default, so offline
(or behind a hospital proxy) widgets and formulas are blank. ``_config.yml`` points ``nb_ipywidgets_js`` and
``mathjax_path`` at files that ``make vendor`` copies from the npm registry into ``book/_vendor`` (published
through ``html_extra_path``). This module:

- refuses a build whose widget or MathJax scripts point at a remote URL, or whose vendored files are absent
  (a clear "run make vendor" instead of a book that silently renders blank widgets);
- on pages that embed widgets, adds one line of require.js configuration mapping ``@jupyter-widgets`` to the
  vendored folder: the HTML manager derives its webpack public path (where its Font Awesome fonts live) from
  the AMD module's URL, which would otherwise point next to the page, where there are no fonts. It is the
  documented pre-load form (``var require = {...}`` before require.js), so it needs no ordering between
  myst-nb's scripts.
"""

from __future__ import annotations

import json
import posixpath
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

REMOTE_PREFIXES = ("http://", "https://", "//")


def _is_remote(uri: str) -> bool:
    return uri.strip().lower().startswith(REMOTE_PREFIXES)


def _script_uris(app: Sphinx) -> list[tuple[str, str]]:
    """(config name, uri) of every script the book loads for widgets and math, and of every style sheet
    that is vendored (``../vendor/...``, e.g. the theme's icons) or remote (those in ``_static`` are the
    book's own)."""
    uris = [("nb_ipywidgets_js", str(uri)) for uri in (app.config.nb_ipywidgets_js or {})]
    if app.config.mathjax_path:
        uris.append(("mathjax_path", str(app.config.mathjax_path)))
    for entry in app.config.html_css_files or []:
        uri = str(entry[0] if isinstance(entry, (tuple, list)) else entry)
        if _is_remote(uri) or uri.startswith("../"):
            uris.append(("html_css_files", uri))
    return uris


def site_path(uri: str) -> str:
    """Where a script given to Sphinx lands relative to the site root.

    Sphinx treats a script path without a scheme as relative to ``_static/``, so the vendored files (published
    at the site root through ``html_extra_path``) are configured as ``../vendor/...``.
    """
    return posixpath.normpath(posixpath.join("_static", uri.split("?", 1)[0]))


def _extra_roots(app: Sphinx) -> list[Path]:
    return [Path(app.confdir, p) for p in app.config.html_extra_path]


def check_offline_assets(app: Sphinx) -> None:
    """Raise ExtensionError naming the setting and value when an asset is remote or not vendored."""
    if app.builder is None or app.builder.format != "html" or not app.config.nmd_require_offline_assets:
        return
    roots = _extra_roots(app)
    for name, uri in _script_uris(app):
        if _is_remote(uri):
            raise ExtensionError(
                f"_config.yml: {name} = {uri!r} loads from the internet; the book must serve it itself "
                "(a path under the vendored folder, e.g. 'vendor/...'; see make/book.mk, target vendor)"
            )
        rel = site_path(uri)
        if rel.startswith("../") or not any((root / rel).is_file() for root in roots):
            searched = ", ".join(str(r) for r in roots) or "(html_extra_path is empty)"
            raise ExtensionError(
                f"_config.yml: {name} = {uri!r} is not in the vendored assets ({searched}); "
                "run `make vendor` (npm ci from package-lock.json) before building the book"
            )


def require_config_body(paths: dict[str, str]) -> str:
    """The one-line require.js configuration mapping AMD module prefixes to (page-relative) vendored folders.

    require.js reads a global ``require`` object defined before it loads as its configuration.
    """
    return f"var require = {{paths: {json.dumps(paths, sort_keys=True)}}};"


def _add_require_config(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """On a page that loads require.js (only pages with embedded widgets do), map the widget modules."""
    scripts = context.get("script_files") or []
    require_js = site_path(app.config.nmd_requirejs_path)
    loads_require = any(
        isinstance(getattr(js, "filename", None), str) and posixpath.normpath(js.filename) == require_js
        for js in scripts
    )
    if not loads_require:
        return
    pathto = context["pathto"]
    paths = {prefix: pathto(folder, 1) for prefix, folder in app.config.nmd_require_paths.items()}
    app.add_js_file(None, body=require_config_body(paths), priority=app.config.nmd_require_config_priority)


def setup(app: Sphinx) -> None:
    """Config: ``nmd_requirejs_path`` (the vendored require.js as given in nb_ipywidgets_js),
    ``nmd_require_paths`` (AMD prefix -> folder relative to the site root), ``nmd_require_config_priority``
    (below myst-nb's 500, so the configuration precedes require.js), ``nmd_require_offline_assets`` (the
    CDN/vendored check)."""
    app.add_config_value("nmd_requirejs_path", "../vendor/requirejs/require.js", "html", [str])
    app.add_config_value(
        "nmd_require_paths",
        {
            "@jupyter-widgets": "vendor/html-manager",
            "@jupyter-widgets/html-manager/dist": "vendor/html-manager",
        },
        "html",
        [dict],
    )
    app.add_config_value("nmd_require_config_priority", 490, "html", [int])
    app.add_config_value("nmd_require_offline_assets", True, "html", [bool])
    app.connect("builder-inited", check_offline_assets)
    # After myst-nb's own html-page-context handler (priority 500), which adds the widget scripts.
    app.connect("html-page-context", _add_require_config, priority=600)
