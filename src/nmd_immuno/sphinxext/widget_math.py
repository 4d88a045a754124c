"""Let the ipywidgets 8 HTML manager typeset formulas with the MathJax 3 the book serves.

The widget HTML manager (``@jupyter-widgets/base`` 6) typesets HTML and Label widgets through the MathJax 2
API, ``MathJax.Hub.Queue(["Typeset", MathJax.Hub, element])``, whenever ``window.MathJax`` exists. The book
serves MathJax 3, which has no ``Hub``: every such widget then throws "Cannot read properties of undefined
(reading 'Queue')" in the reader's console. On pages that embed widgets this module adds a small bridge: a
``Hub.Queue`` that forwards ``Typeset`` jobs to MathJax 3's ``typesetPromise`` (holding them until MathJax has
started), re-attached to the MathJax 3 global when it replaces the configuration object at start-up.
"""

from __future__ import annotations

import posixpath
from typing import Any

from sphinx.application import Sphinx

from nmd_immuno.sphinxext.offline_assets import site_path

MATHJAX2_HUB_BRIDGE = """(function () {
  var pending = [];
  function typeset(elements) {
    var mj = window.MathJax;
    if (mj && typeof mj.typesetPromise === "function") {
      mj.typesetPromise(elements).catch(function (err) { console.warn("MathJax typeset failed", err); });
    } else {
      pending.push.apply(pending, elements);
    }
  }
  var hub = {
    Queue: function () {
      for (var i = 0; i < arguments.length; i++) {
        var job = arguments[i];
        if (Array.isArray(job) && job[0] === "Typeset" && job[2]) { typeset([job[2]]); }
      }
    }
  };
  var config = window.MathJax = window.MathJax || {};
  config.Hub = hub;
  config.startup = config.startup || {};
  var ready = config.startup.ready;
  config.startup.ready = function () {
    if (ready) { ready(); } else { window.MathJax.startup.defaultReady(); }
    window.MathJax.Hub = hub;
    var held = pending;
    pending = [];
    if (held.length) { window.MathJax.startup.promise.then(function () { typeset(held); }); }
  };
})();"""


def _add_bridge(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """On pages that load require.js (those that embed widgets), after Sphinx's MathJax configuration."""
    require_js = site_path(app.config.nmd_requirejs_path)
    scripts = context.get("script_files") or []
    if any(
        isinstance(getattr(js, "filename", None), str) and posixpath.normpath(js.filename) == require_js
        for js in scripts
    ):
        app.add_js_file(None, body=MATHJAX2_HUB_BRIDGE, priority=app.config.nmd_widget_math_priority)


def setup(app: Sphinx) -> None:
    """Config: ``nmd_widget_math_priority``, after Sphinx's ``window.MathJax = {...}`` configuration (500)."""
    app.add_config_value("nmd_widget_math_priority", 501, "html", [int])
    # Runs after sphinx.ext.mathjax (500), which sets window.MathJax, and myst-nb's widget scripts (500).
    app.connect("html-page-context", _add_bridge, priority=600)
