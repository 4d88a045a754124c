"""Reading nbgrader notebooks: cell roles, delimited regions, and the text that students must never see.

nbgrader marks cells with ``metadata.nbgrader`` (``grade``, ``solution``, ``locked``, ``task``, ``grade_id``,
``points``) and delimits secret text inside cells: solutions (``BEGIN SOLUTION``), hidden tests
(``BEGIN HIDDEN TESTS``) and mark schemes (``BEGIN MARK SCHEME``). These helpers are shared by the integrity
checks, the feedback sanitiser and the leak scanner, so that all three agree on what is secret.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

REGION_MARKERS: dict[str, tuple[str, str]] = {
    "solution": ("BEGIN SOLUTION", "END SOLUTION"),
    "hidden_tests": ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS"),
    "mark_scheme": ("BEGIN MARK SCHEME", "END MARK SCHEME"),
}

#: Secret lines shorter than this (after whitespace is collapsed) are too generic to count as a leak
#: (``pass``, ``return x``, a closing bracket).
MIN_SECRET_CHARS = 10

_WS = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Collapse all whitespace runs to one space (HTML rendering and highlighting change whitespace)."""
    return _WS.sub(" ", text).strip()


def nbgrader_meta(cell: Any) -> dict[str, Any]:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def grade_id(cell: Any) -> str | None:
    gid = nbgrader_meta(cell).get("grade_id")
    return gid if isinstance(gid, str) else None


def is_test_cell(cell: Any) -> bool:
    """An autograder test cell: graded, not a solution (nbgrader's "Autograder tests")."""
    m = nbgrader_meta(cell)
    return bool(m.get("grade")) and not m.get("solution") and cell.get("cell_type") == "code"


def is_answer_cell(cell: Any) -> bool:
    return bool(nbgrader_meta(cell).get("solution"))


def is_locked_cell(cell: Any) -> bool:
    m = nbgrader_meta(cell)
    return bool(m.get("locked")) or (bool(m.get("grade")) and not m.get("solution"))


def cell_source(cell: Any) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


@dataclass(frozen=True)
class Region:
    kind: str
    start: int  # index of the BEGIN line
    end: int  # index of the END line
    lines: tuple[str, ...]  # the lines strictly inside


def regions(source: str, kinds: Iterable[str] = tuple(REGION_MARKERS)) -> list[Region]:
    """Delimited regions of ``source`` (unterminated regions run to the end of the cell)."""
    lines = source.split("\n")
    found: list[Region] = []
    for kind in kinds:
        begin, end = REGION_MARKERS[kind]
        start: int | None = None
        for i, line in enumerate(lines):
            if start is None and begin in line:
                start = i
            elif start is not None and end in line:
                found.append(Region(kind, start, i, tuple(lines[start + 1 : i])))
                start = None
        if start is not None:
            found.append(Region(kind, start, len(lines), tuple(lines[start + 1 :])))
    return sorted(found, key=lambda r: r.start)


def read_notebook(path: Path) -> nbformat.NotebookNode:
    """Read a notebook as nbformat v4; raises ``ValueError`` naming the file if it is not a valid notebook."""
    try:
        return nbformat.read(str(path), as_version=4)
    except (json.JSONDecodeError, nbformat.reader.NotJSONError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path.name}: not valid notebook JSON ({exc.__class__.__name__}: {exc})") from None
    except Exception as exc:  # nbformat raises several validation error types
        raise ValueError(f"{path.name}: not a readable notebook ({exc.__class__.__name__}: {exc})") from None


def secret_lines(source_nb: Any, kinds: Iterable[str] = tuple(REGION_MARKERS)) -> set[str]:
    """Normalised lines inside secret regions of an instructor's source notebook.

    A line that also occurs in the visible text (outside every secret region, anywhere in the notebook,
    also as part of a longer line or as rendered markdown, e.g. a function call quoted in the instructions)
    is not a secret; neither
    is a line shorter than ``MIN_SECRET_CHARS`` or a delimiter line.
    """
    inside: set[str] = set()
    visible: list[str] = []
    kinds = tuple(kinds)
    for cell in source_nb.get("cells", []):
        src = cell_source(cell)
        lines = src.split("\n")
        hidden_idx: set[int] = set()
        for reg in regions(src):
            hidden_idx.update(range(reg.start, min(reg.end, len(lines) - 1) + 1))
            if reg.kind in kinds:
                inside.update(normalise(x) for x in reg.lines)
        visible.extend(x for i, x in enumerate(lines) if i not in hidden_idx)
    visible_text = normalise("\n".join(visible))
    # the same text as markdown renders it (code spans and emphasis marks gone), as a page shows it
    rendered = normalise(re.sub(r"`+|\*\*", "", "\n".join(visible)))
    markers = {m for pair in REGION_MARKERS.values() for m in pair}
    return {
        s
        for s in inside
        if len(s) >= MIN_SECRET_CHARS
        and s not in visible_text
        and s not in rendered
        and not any(m in s for m in markers)
    }


def all_strings(obj: Any) -> Iterator[str]:
    """Every string inside a JSON-like object (sources, outputs, metadata): what a leak scan must read."""
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from all_strings(v)
    elif isinstance(obj, list | tuple):
        for v in obj:
            yield from all_strings(v)


def notebook_text(path: Path) -> str:
    """All text of a notebook file (every JSON string, joined), or the raw file text if it is not JSON."""
    raw = path.read_text(encoding="utf-8", errors="replace")
    try:
        data = json.loads(raw)
    except json.JSONDecodeError:
        return raw
    return "\n".join(all_strings(data))
