"""Grade export: one row per student and assignment, with a status that tells honest zeros from problems.

``nbgrader export`` writes scores only, so a notebook that was not JSON, a renamed notebook and a student who
simply answered nothing all look like 0. Here each row also carries the outcome codes recorded at autograde
(``outcomes``), lateness from the gradebook, whether an instructor should review the row, and
``unsandboxed``: the submission's code ran outside the grading sandbox (``--unsandboxed``), so nothing stopped
it from changing files or grades.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from nbgrader.api import MissingEntry

from nmd_immuno.grading.course import Course
from nmd_immuno.grading.gradebook import open_gradebook
from nmd_immuno.grading.outcomes import CODE_BY_NAME, load_outcomes, needs_review, ordered

EXPORT_COLUMNS = [
    "assignment",
    "student",
    "status",
    "needs_review",
    "score",
    "max_score",
    "code_score",
    "written_score",
    "needs_manual_grade",
    "submitted_at",
    "seconds_late",
    "detail",
    "unsandboxed",
    "log",
]


def grade_export(course: Course, assignment: str | None = None) -> pd.DataFrame:
    """The export table for one assignment (or all): every student in the gradebook x assignment."""
    rows = []
    with open_gradebook(course) as gb:
        assignments = (
            [gb.find_assignment(assignment)] if assignment else sorted(gb.assignments, key=lambda a: a.name)
        )
        students = sorted(s.id for s in gb.students)
        for a in assignments:
            outcomes = load_outcomes(course.outcomes_dir(a.name))
            for sid in students:
                try:
                    sub = gb.find_submission(a.name, sid)
                except MissingEntry:
                    sub = None
                rows.append(_row(a, sid, sub, outcomes.get(sid)))
    frame = pd.DataFrame(rows, columns=EXPORT_COLUMNS)
    return frame.sort_values(["assignment", "student"], ignore_index=True)


def _row(assignment, student: str, sub, outcome) -> dict:
    if sub is None:
        return {
            "assignment": assignment.name,
            "student": student,
            "status": "not_submitted",
            "needs_review": False,
            "score": 0.0,
            "max_score": float(assignment.max_score),
            "code_score": 0.0,
            "written_score": 0.0,
            "needs_manual_grade": False,
            "submitted_at": "",
            "seconds_late": 0.0,
            "detail": CODE_BY_NAME["not_submitted"].meaning,
            "unsandboxed": False,
            "log": "",
        }
    codes = list(outcome.codes) if outcome else []
    details = dict(outcome.details) if outcome else {}
    late = float(sub.total_seconds_late or 0.0)
    if late > 0:
        codes.append("late")
        details["late"] = f"{late:.0f} s after the due date"
    status = ordered(codes or ["ok"])
    if outcome is None:
        details.setdefault("ok", "no autograde record from this tool (graded directly with nbgrader?)")
    penalty = float(sub.late_submission_penalty or 0.0)
    # students' code ran without isolation: the score may have been tampered with by the submission itself
    unsandboxed = bool(outcome is not None and outcome.sandboxed is False)
    return {
        "assignment": assignment.name,
        "student": student,
        "status": ";".join(status),
        "needs_review": needs_review(status),
        "score": round(float(sub.score) - penalty, 4),
        "max_score": float(sub.max_score),
        "code_score": float(sub.code_score),
        "written_score": float(sub.written_score),
        "needs_manual_grade": bool(sub.needs_manual_grade),
        "submitted_at": _iso(sub.timestamp),
        "seconds_late": late,
        "detail": " | ".join(f"{c}: {details[c]}" for c in status if c in details)
        + (" | graded without the sandbox (--unsandboxed)" if unsandboxed else ""),
        "unsandboxed": unsandboxed,
        "log": outcome.log if outcome else "",
    }


def _iso(value: dt.datetime | None) -> str:
    return value.isoformat(sep=" ") if value else ""


def export_grades(course: Course, output: Path | None = None, assignment: str | None = None) -> Path:
    """Write the export table as CSV (default ``reports/grades.csv``) and return its path."""
    frame = grade_export(course, assignment)
    path = output or course.reports_dir / "grades.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False)
    return path
