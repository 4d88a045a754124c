"""The course's single bibliography (``data/references.bib``) and the check that every citation resolves.

Every clinical statement in ``data/`` carries bibliography keys; loaders call :func:`check_references` so
that a typo in a key fails at load time rather than producing an unresolved citation in the book.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from pybtex.database import Entry, parse_file

from nmd_immuno.content.loader import file_stamp
from nmd_immuno.errors import DataError
from nmd_immuno.paths import data_dir

BIB_FILE = "references.bib"


def _entries() -> dict[str, Entry]:
    """Entries by key, re-read when the file changes (an appended source is seen without a restart)."""
    return _parse(*file_stamp(data_dir() / BIB_FILE))


@lru_cache(maxsize=4)
def _parse(path: str, modified_ns: int, size: int) -> dict[str, Entry]:
    if modified_ns < 0:
        raise DataError(f"data/{BIB_FILE}", "(file)", "file not found")
    return dict(parse_file(path).entries)


def bibliography_keys() -> frozenset[str]:
    """All citation keys defined in the bibliography."""
    return frozenset(_entries())


def check_references(keys: Iterable[str], file: str, location: str) -> None:
    """Raise DataError naming the first key that the bibliography lacks (and refuse an empty list)."""
    keys = list(keys)
    if not keys:
        raise DataError(
            file, location, "no citation: every clinical statement needs at least one bibliography key"
        )
    known = bibliography_keys()
    for key in keys:
        if key not in known:
            raise DataError(file, location, f"citation key {key!r} is not in data/{BIB_FILE}")


# LaTeX markup found in the bibliography and its plain-text rendering (order matters: "---" before "--").
_LATEX_TO_TEXT = (
    ("\\&", "&"),
    ("\\%", "%"),
    ('{\\"a}', "ä"),
    ('{\\"o}', "ö"),
    ('{\\"u}', "ü"),
    ("{\\'e}", "é"),
    ("{\\.z}", "ż"),
    ("---", "—"),
    ("--", "-"),
)


def _plain(text: str) -> str:
    """Strip BibTeX markup (braces, escaped & and %, LaTeX accents) for plain-text display."""
    for latex, char in _LATEX_TO_TEXT:
        text = text.replace(latex, char)
    return text.replace("{", "").replace("}", "")


def _entry(key: str) -> Entry:
    entry = _entries().get(key)
    if entry is None:
        raise KeyError(f"unknown citation key {key!r}")
    return entry


def _first_author(entry: Entry) -> str:
    """'Wolfe GI et al.' (or the organisation of a label entry); empty when the entry has no author."""
    persons = entry.persons.get("author", [])
    if not persons:
        return ""
    first = persons[0]
    last = _plain(" ".join(first.prelast_names + first.last_names))
    initials = "".join(name[0] for name in first.first_names + first.middle_names if name)
    lineage = " ".join(first.lineage_names).rstrip(".")
    author = " ".join(part for part in (last, initials, lineage) if part)
    return author + " et al." if len(persons) > 1 else author


def short_citation(key: str) -> str:
    """Author and year ('Howard JF Jr et al. 2017'): for table cells, where a full reference is too long.

    Why not the raw key: readers cannot look up 'label_vyvgart'; author and year lead them to the
    bibliography page, where the full reference is.
    """
    entry = _entry(key)
    fields = entry.fields
    who = _first_author(entry) or _plain(fields.get("title", key))
    return f"{who} {fields.get('year', '')}".strip()


def format_reference(key: str) -> str:
    """A short human-readable reference ('Wolfe GI et al. N Engl J Med 2016') for widgets and quizzes."""
    entry = _entry(key)
    fields = entry.fields
    author = _first_author(entry)
    venue = _plain(fields.get("journal") or fields.get("howpublished") or "")
    title = _plain(fields.get("title", ""))
    parts = [p.rstrip(".") for p in (author, title, venue, fields.get("year", "")) if p]
    text = ". ".join(parts)
    volume, pages = fields.get("volume"), fields.get("pages")
    if volume:
        text += f";{volume}"
        if pages:
            text += f":{pages.replace('--', '-')}"
    return text
