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
LIVE_WIDGETS = ("explorer_tool(", "algorithm_explorer(", "cohort_simulator(", "cohort_simulator_tool(")


def chapter_text(disorder: str) -> str:
    """The chapter's source, read afresh on each call so that a test sees the file as it is now."""
    return (ROOT / f"{DISORDER_CHAPTERS[disorder]}.md").read_text(encoding="utf-8")


def cited_keys(text: str) -> list[str]:
    return [key.strip() for group in CITE_ROLE.findall(text) for key in group.split(",")]


# A directive's opening line (```{note} Title, :::{admonition} ...), an option (:class: tip), a fence.
DIRECTIVE_LINE = re.compile(r"^(?:(?:`{3,}|:{3,})\{[^}]*\}.*|:[\w-]+:.*|`{3,}|:{3,})$")


def _directive_body(block: str) -> str:
    """The block without directive opening lines, options and fences around it: what a reader sees.

    Why: the first paragraph of an admonition shares its block with the opening line, and a clinical claim in
    a warning box needs its citation as much as one in the running text.
    """
    lines = block.splitlines()
    while lines and DIRECTIVE_LINE.match(lines[0].strip()):
        lines.pop(0)
    while lines and DIRECTIVE_LINE.match(lines[-1].strip()):
        lines.pop()
    return "\n".join(lines).strip()


def prose_paragraphs(text: str) -> list[str]:
    """Long paragraphs of prose (over 200 characters) outside front matter, code, headings, tables and
    substitutions, including the paragraphs inside admonitions and other directives: the places where a
    clinical claim needs a citation."""
    body = text.split("\n---\n", 1)[1]
    body = re.sub(r"```\{code-cell\}.*?```", "", body, flags=re.S)
    blocks = [_directive_body(b.strip()) for b in re.split(r"\n\s*\n", body)]
    return [b for b in blocks if b and not b.startswith(("#", "(", "```", ":", "{{", "|")) and len(b) > 200]


def paragraph_line(text: str, paragraph: str) -> int:
    """The 1-based line of ``text`` on which ``paragraph`` starts (for messages a writer can act on)."""
    return text[: text.index(paragraph)].count("\n") + 1


def has_heading(text: str, heading: str) -> bool:
    """True if a heading of any level contains ``heading`` (matched literally)."""
    return re.search(rf"^#+ .*{re.escape(heading)}", text, flags=re.M) is not None


def code_cells(text: str) -> list[str]:
    return CODE_CELL.findall(text)


def hides_input(cell: str) -> bool:
    """A cell whose output is shown without its code: static output for readers without a kernel."""
    return cell.startswith(":tags: [remove-input]")
