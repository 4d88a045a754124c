"""Accessibility repairs of the HTML that docutils writes, so that axe-core finds no serious violation.

docutils' HTML5 writer puts a bibliography's entries in ``<div role="list" class="citation-list">`` and gives
each entry ``role="doc-biblioentry"``. DPUB-ARIA 1.1 deprecated that role, and axe-core does not count it
as a list item, so the references page fails the critical rule "aria-required-children" (a list must
contain list items). Each entry is given ``role="listitem"`` instead: a list of references, read as one.
"""

from __future__ import annotations

import re
from typing import Any

from sphinx.application import Sphinx

BIBLIOENTRY = re.compile(r'(<div class="citation"[^>]*?) role="doc-biblioentry"')


def repair_body(body: str) -> str:
    """The page body with every bibliography entry a list item."""
    return BIBLIOENTRY.sub(r'\1 role="listitem"', body)


def _on_page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    body = context.get("body")
    if isinstance(body, str):
        context["body"] = repair_body(body)


def setup(app: Sphinx) -> None:
    app.connect("html-page-context", _on_page_context)
