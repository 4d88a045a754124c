"""Reading a disorder chapter (book/<chapter>.md) as text: its citations, its prose, its headings, its cells.

Why one module: the chapter tests of every disorder read the MyST source the same way, and the book build
treats an unknown citation key as an error, so the way a citation is recognised must be the same everywhere.
These helpers read files only (no execution, no book build). Imported directly by the tests
(``from chapter_helpers import chapter_text``), like ``chapters.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

from chapters import DISORDER_CHAPTERS

ROOT = Path(__file__).resolve().parents[1]
# {cite}`a,b` and its variants ({cite:p}, {cite:t}, ...): the group holds the comma-separated keys.
CITE_ROLE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")
CODE_CELL = re.compile(r"```\{code-cell\} ipython3\n(.*?)```", flags=re.S)
LIVE_KERNEL_NOTE = re.compile(r"^\{\{ live_kernel_note \}\}$", flags=re.M)
# Code cells that show a live widget: their input stays visible, every other cell hides it.
LIVE_WIDGETS = ("algorithm_explorer(", "cohort_simulator(")


def chapter_text(disorder: str) -> str:
    """The chapter's source, read afresh on each call so that a test sees the file as it is now."""
    return (ROOT / f"{DISORDER_CHAPTERS[disorder]}.md").read_text(encoding="utf-8")


def cited_keys(text: str) -> list[str]:
    return [key.strip() for group in CITE_ROLE.findall(text) for key in group.split(",")]


def prose_paragraphs(text: str) -> list[str]:
    """Long paragraphs of prose (over 200 characters) outside front matter, code cells, headings, tables,
    directives and substitutions: the places where a clinical claim needs a citation."""
    body = text.split("\n---\n", 1)[1]
    body = re.sub(r"```\{code-cell\}.*?```", "", body, flags=re.S)
    blocks = [b.strip() for b in re.split(r"\n\s*\n", body)]
    return [b for b in blocks if b and not b.startswith(("#", "(", "```", ":", "{{", "|")) and len(b) > 200]


def has_heading(text: str, heading: str) -> bool:
    """True if a heading of any level contains ``heading`` (matched literally)."""
    return re.search(rf"^#+ .*{re.escape(heading)}", text, flags=re.M) is not None


def code_cells(text: str) -> list[str]:
    return CODE_CELL.findall(text)


def hides_input(cell: str) -> bool:
    """A cell whose output is shown without its code: static output for readers without a kernel."""
    return cell.startswith(":tags: [remove-input]")
