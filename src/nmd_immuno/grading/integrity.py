"""Checks of a submission against the released notebooks, run before autograding.

nbgrader silently repairs or ignores some tampering: a deleted test cell scores 0 without a warning, an edited
test cell is restored with a checksum warning that also fires for every untouched cell holding hidden tests,
and a renamed notebook is skipped. Comparing the submission with the *released* notebooks (what the student
actually received, hidden tests already removed) gives precise findings without those false alarms. The checks
only read files and never raise: a finding is recorded and grading carries on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nmd_immuno.grading.course import Course
from nmd_immuno.grading.notebooks import (
    cell_source,
    grade_id,
    is_answer_cell,
    is_locked_cell,
    is_test_cell,
    nbgrader_meta,
    normalise,
    read_notebook,
)

_ROLE_KEYS = ("grade", "solution", "locked", "task", "points")


@dataclass(frozen=True)
class Finding:
    code: str  # an outcome code (see outcomes.CODES)
    notebook: str
    detail: str


def _role(cell: Any) -> str:
    if is_test_cell(cell):
        return "test"
    if is_answer_cell(cell):
        return "answer"
    if nbgrader_meta(cell).get("task"):
        return "task"
    return "read-only"


def _cell_ids(nb: Any) -> set[str]:
    return {gid for gid in (grade_id(c) for c in nb.cells) if gid}


def compare_notebook(released: Any, submitted: Any, name: str) -> list[Finding]:
    """Deleted cells, edited locked cells and changed nbgrader metadata of one submitted notebook."""
    findings: list[Finding] = []
    got = {}
    for cell in submitted.cells:
        gid = grade_id(cell)
        if gid and gid not in got:
            got[gid] = cell
    deleted = [
        f"{grade_id(c)} ({_role(c)})" for c in released.cells if grade_id(c) and grade_id(c) not in got
    ]
    if deleted:
        findings.append(Finding("deleted_cells", name, "deleted: " + ", ".join(deleted)))
    edited, meta_changed = [], []
    for cell in released.cells:
        gid = grade_id(cell)
        if not gid or gid not in got:
            continue
        sub = got[gid]
        if is_locked_cell(cell) and normalise(cell_source(sub)) != normalise(cell_source(cell)):
            edited.append(f"{gid} ({_role(cell)})")
        want, have = nbgrader_meta(cell), nbgrader_meta(sub)
        changed = [k for k in _ROLE_KEYS if _norm_meta(want.get(k)) != _norm_meta(have.get(k))]
        if sub.get("cell_type") != cell.get("cell_type"):
            changed.append("cell_type")
        if changed:
            meta_changed.append(f"{gid}: {', '.join(changed)}")
    if edited:
        findings.append(Finding("edited_locked_cells", name, "edited: " + ", ".join(edited)))
    if meta_changed:
        findings.append(Finding("edited_metadata", name, "; ".join(meta_changed)))
    return findings


def _norm_meta(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return bool(value)
    if isinstance(value, int | float):
        return float(value)
    return value


def check_submission(course: Course, assignment: str, student: str) -> list[Finding]:
    """Every finding for one student's submission of ``assignment`` (an empty list means nothing to
    report)."""
    released_paths = sorted(course.release_dir(assignment).glob("*.ipynb"))
    folder = course.submitted_dir(student, assignment)
    submitted_paths = {p.name: p for p in sorted(folder.glob("*.ipynb"))} if folder.is_dir() else {}
    expected = {p.name for p in released_paths}
    extra = sorted(set(submitted_paths) - expected)
    findings: list[Finding] = []
    for rel_path in released_paths:
        name = rel_path.name
        released = read_notebook(rel_path)
        if name not in submitted_paths:
            other = _wrong_assignment(course, assignment, released, [submitted_paths[e] for e in extra])
            findings.append(other or _missing(name, released, extra, submitted_paths))
            continue
        try:
            submitted = read_notebook(submitted_paths[name])
        except ValueError as exc:
            findings.append(Finding("invalid_notebook", name, str(exc)))
            continue
        other = _wrong_assignment(course, assignment, released, [submitted_paths[name]])
        if other:
            findings.append(other)
            continue
        findings.extend(compare_notebook(released, submitted, name))
    return findings


def _wrong_assignment(
    course: Course, assignment: str, released: Any, candidates: list[Path]
) -> Finding | None:
    """A submitted notebook that shares (almost) no cell with the released one but most cells with a notebook
    released for another assignment: the student handed in the wrong assignment."""
    wanted = _cell_ids(released)
    base = course.root / "release"
    found = sorted(base.glob("*/*.ipynb")) if base.is_dir() else []
    others = [p for p in found if p.parent.name != assignment]
    for path in candidates:
        try:
            ids = _cell_ids(read_notebook(path))
        except ValueError:
            continue
        if not ids or len(ids & wanted) >= max(1, len(wanted) // 2):
            continue
        for other in others:
            try:
                theirs = _cell_ids(read_notebook(other))
            except ValueError:
                continue
            if theirs and len(ids & theirs) >= max(1, len(theirs) // 2):
                return Finding(
                    "wrong_assignment",
                    path.name,
                    f"{path.name} is the notebook of assignment {other.parent.name!r} "
                    f"({other.name}), not of {assignment!r}",
                )
    return None


def _missing(name: str, released: Any, extra: list[str], submitted: dict[str, Path]) -> Finding:
    """A missing notebook, or a renamed one when another submitted notebook carries its cell ids."""
    wanted = _cell_ids(released)
    for other in extra:
        try:
            ids = _cell_ids(read_notebook(submitted[other]))
        except ValueError:
            continue
        if wanted and len(ids & wanted) >= max(1, len(wanted) // 2):
            return Finding(
                "renamed_notebook",
                name,
                f"{name} is missing; {other} holds its cells "
                f"(rename it to {name} and autograde this student again)",
            )
    if extra:
        return Finding(
            "missing_notebook", name, f"{name} is missing; other files submitted: {', '.join(extra)}"
        )
    return Finding("missing_notebook", name, f"{name} is missing")
