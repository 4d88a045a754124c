"""A bibliography style that keeps titles as the sources print them.

pybtex's standard styles put article titles in sentence case, which lowercases every unbraced capital:
"224th ENMC international workshop ... Zandvoort" becomes "224th enmc international workshop ... zandvoort",
and a drug name or trial acronym without braces in ``data/references.bib`` loses its capitals. The course's
style ("nmd_plain") is pybtex's ``plain`` (sorted by author, year and title) without that case change, so
the entries read as published whatever the bib file's bracing.
"""

from __future__ import annotations

from typing import Any

from pybtex.plugin import register_plugin
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.template import field, sentence
from sphinx.application import Sphinx

STYLE_NAME = "nmd_plain"


class KeepCaseStyle(PlainStyle):
    """``plain`` ordering and layout, titles unchanged."""

    def format_title(self, e: Any, which_field: str, as_sentence: bool = True) -> Any:
        formatted_title = field(which_field)
        return sentence[formatted_title] if as_sentence else formatted_title


def setup(app: Sphinx) -> None:
    """Registers the style with pybtex; ``_config.yml`` selects it with ``bibtex_default_style:
    nmd_plain``."""
    register_plugin("pybtex.style.formatting", STYLE_NAME, KeepCaseStyle, force=True)
