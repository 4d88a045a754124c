"""Sphinx extension for the course's Jupyter Book (``_config.yml``, ``sphinx.extra_extensions``).

Ten jobs, each in its own module, so that the static book is correct and self-sufficient:

- :mod:`.inputs_cache`: the execution cache is keyed by a hash of ``data/`` and ``src/`` (jupyter-cache only
  hashes a notebook's own code, so without this a page would keep showing results computed from stale data);
- :mod:`.offline_assets`: the browser assets (require.js, the ipywidgets HTML manager, MathJax) come from the
  book itself, never from a CDN, and the vendored folder must exist before a build starts;
- :mod:`.widget_math`: the ipywidgets HTML manager speaks the MathJax 2 API; a bridge lets it use MathJax 3;
- :mod:`.substitutions`: MyST substitutions may use one another (the JupyterHub address inside the
  ``live_kernel_note`` box), expanded when the configuration is read;
- :mod:`.bibstyle`: a bibliography style that prints titles as published (no forced sentence case);
- :mod:`.explorer_assets`: the in-browser explorer's script, stylesheet and json-logic-js load once per page
  that shows an explorer (its outputs carry only data);
- :mod:`.console_clean`: the causes of console errors a default Jupyter Book 1 page raises are removed
  (sphinx-thebe's duplicate ``const`` declaration), so the browser test can demand zero console errors;
- :mod:`.widget_pages`: the ipywidgets HTML manager and the saved widget state go only to pages that show a
  widget (the book's tools are browser views; a page without a widget view loads no manager and logs nothing);
- :mod:`.a11y`: docutils' bibliography markup is repaired so that axe-core finds no serious violation;
- :mod:`.icon_subset`: only the Font Awesome icons the pages use are published (CSS rules and font glyphs),
  a fraction of the theme's icon weight on every page.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx

from nmd_immuno.sphinxext import (
    a11y,
    bibstyle,
    console_clean,
    explorer_assets,
    icon_subset,
    inputs_cache,
    offline_assets,
    substitutions,
    widget_math,
    widget_pages,
)


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the configuration values and event handlers of the nine parts."""
    inputs_cache.setup(app)
    substitutions.setup(app)
    offline_assets.setup(app)
    widget_math.setup(app)
    bibstyle.setup(app)
    console_clean.setup(app)
    widget_pages.setup(app)
    a11y.setup(app)
    explorer_assets.setup(app)
    icon_subset.setup(app)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
