"""Find instructor-only text (solutions, hidden tests, mark schemes) in what students receive.

Used after ``generate`` (on the released notebooks) and after ``feedback`` (on each student's HTML), and by
the tests. Text is compared after whitespace is collapsed, and HTML is read twice: as rendered text (syntax
highlighting splits code into many ``<span>`` elements) and as unescaped markup (attributes, scripts).
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from nmd_immuno.grading.notebooks import normalise, notebook_text, read_notebook, secret_lines


@dataclass(frozen=True)
class Leak:
    """A secret line found in a file a student receives."""

    file: Path
    secret: str

    def __str__(self) -> str:
        return f"{self.file}: contains instructor-only text {self.secret!r}"


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_text(markup: str) -> str:
    """The text a browser would show (tags dropped, entities decoded), with tags acting as no separator."""
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts)


def readable_texts(path: Path) -> list[str]:
    """The normalised texts of a file in which a secret could appear."""
    if path.suffix == ".ipynb":
        return [normalise(notebook_text(path))]
    raw = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix in {".html", ".htm"}:
        return [normalise(html_text(raw)), normalise(html.unescape(raw))]
    return [normalise(raw)]


def find_leaks(path: Path, secrets: Iterable[str]) -> list[Leak]:
    """Secrets (normalised lines) that occur in ``path``."""
    texts = readable_texts(path)
    return [Leak(path, s) for s in sorted(set(secrets)) if any(s in t for t in texts)]


def assignment_secrets(source_notebooks: Iterable[Path]) -> set[str]:
    """All secret lines of an assignment's source notebooks."""
    found: set[str] = set()
    for nb_path in source_notebooks:
        found |= secret_lines(read_notebook(nb_path))
    return found


def own_text(submission_dir: Path) -> str:
    """Everything a student submitted (normalised): secrets they wrote themselves are not leaks."""
    if not submission_dir.is_dir():
        return ""
    return normalise("\n".join(notebook_text(p) for p in sorted(submission_dir.glob("*.ipynb"))))
