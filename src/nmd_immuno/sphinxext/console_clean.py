"""Remove the causes of the console errors a default Jupyter Book 1 page raises, so a page can be error-free.

Jupyter Book 1 always loads sphinx-thebe. It injects ``const THEBE_JS_URL = ...`` as an inline script (and a
loader script) even when thebe launch buttons are off; the browser then reports "Identifier 'THEBE_JS_URL' has
already been declared". It also appends a thebe/Binder configuration script to every page. The course does not
use thebe (live work happens in JupyterLab or JupyterHub), so when ``nmd_disable_thebe`` is true the
handlers that inject those scripts are disconnected and its stylesheet dropped.
The theme's other console error ("Got invalid theme mode") is a configuration matter: ``_config.yml`` sets
``html_context.default_mode``.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx

THEBE_MODULE = "sphinx_thebe"
THEBE_ASSETS = ("sphinx-thebe.css", "sphinx-thebe.js")
THEBE_HANDLERS = frozenset({"init_thebe_core", "update_thebe_context"})


def disconnect_thebe(app: Sphinx) -> int:
    """Disconnect sphinx-thebe's script injections; return how many handlers were removed."""
    removed = 0
    for listeners in app.events.listeners.values():
        for listener in list(listeners):
            handler = listener.handler
            if getattr(handler, "__module__", "") == THEBE_MODULE and handler.__name__ in THEBE_HANDLERS:
                app.disconnect(listener.id)
                removed += 1
    return removed


def _on_builder_inited(app: Sphinx) -> None:
    if not app.config.nmd_disable_thebe:
        return
    disconnect_thebe(app)
    # The stylesheet was registered at setup time; drop it from the registry and the builder alike.
    app.registry.css_files[:] = [
        (name, attrs) for name, attrs in app.registry.css_files if name not in THEBE_ASSETS
    ]
    css_files = getattr(app.builder, "_css_files", None)
    if isinstance(css_files, list):
        css_files[:] = [
            css for css in css_files if Path(str(getattr(css, "filename", ""))).name not in THEBE_ASSETS
        ]


def setup(app: Sphinx) -> None:
    """Config: ``nmd_disable_thebe`` (default true): the course serves no thebe launch buttons."""
    app.add_config_value("nmd_disable_thebe", True, "html", [bool])
    app.connect("builder-inited", _on_builder_inited, priority=900)
