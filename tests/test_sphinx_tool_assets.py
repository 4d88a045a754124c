"""The page-level part of the Sphinx extension that the browser tools rely on, without a book build.

- :mod:`nmd_immuno.sphinxext.explorer_assets`: a page with an explorer gets json-logic-js (before require.js),
  the explorer's stylesheet and script, once; other pages get nothing; a CDN address is refused.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from sphinx.errors import ExtensionError

from nmd_immuno.sphinxext import explorer_assets
from nmd_immuno.widgets.static_explorer import static_explorer_html


def _app(calls: list[tuple[str, Any, dict[str, Any]]], **config: Any) -> Any:
    return SimpleNamespace(
        config=SimpleNamespace(**config),
        add_js_file=lambda filename, **kw: calls.append(("js", filename, kw)),
        add_css_file=lambda filename, **kw: calls.append(("css", filename, kw)),
    )


def test_explorer_pages_load_the_script_once_other_pages_nothing() -> None:
    calls: list[tuple[str, Any, dict[str, Any]]] = []
    app = _app(calls, nmd_explorer_library="../vendor/json-logic-js/logic.js")
    page = {"body": "<p>x</p>" + static_explorer_html("mmn")}
    explorer_assets._add_to_page(app, "book/mmn", "page.html", page, None)
    assert calls == [
        ("js", "../vendor/json-logic-js/logic.js", {"priority": 300}),
        ("js", explorer_assets.SCRIPT, {"priority": 800}),
        ("css", explorer_assets.STYLESHEET, {}),
    ]
    calls.clear()
    explorer_assets._add_to_page(app, "book/intro", "page.html", {"body": "<p>no tool</p>"}, None)
    assert calls == []


def test_explorer_library_from_the_internet_is_refused(tmp_path: Any) -> None:
    app = SimpleNamespace(
        builder=SimpleNamespace(format="html"),
        config=SimpleNamespace(nmd_explorer_library="https://cdn.example.org/logic.js"),
    )
    with pytest.raises(ExtensionError, match="loads from the internet"):
        explorer_assets._write_assets(app)


def test_stylesheet_draws_the_path_from_the_class() -> None:
    css = explorer_assets.explorer_stylesheet()
    assert ".nmdx .nmdx-chart .nmd-node.nmd-on-path polygon" in css and "#c0392b" in css
