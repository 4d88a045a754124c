"""Reading and (minimally) correcting the nbgrader gradebook through nbgrader's own API.

Why a correction at all: when nbgrader fails on a student (kernel died, invalid notebook) it keeps whatever
scores the gradebook held before, possibly from an earlier, different submission. ``zero_autograded`` sets the
autograder scores of that submission to 0, as nbgrader itself does for a missing notebook, and leaves any
score an instructor entered by hand untouched.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import pandas as pd
from nbgrader.api import Gradebook, MissingEntry
from sqlalchemy.exc import SAWarning

from nmd_immuno.grading.course import Course

GRADE_COLUMNS = [
    "assignment",
    "student",
    "notebook",
    "item",
    "kind",
    "cell_type",
    "max_score",
    "auto_score",
    "manual_score",
    "score",
    "needs_manual_grade",
]


@contextmanager
def open_gradebook(course: Course) -> Iterator[Gradebook]:
    if course.gradebook_url is None and not course.db_path.exists():
        raise FileNotFoundError(
            f"gradebook: {course.db_path} does not exist; generate the assignments first "
            "(python -m nmd_immuno.grading generate)"
        )
    gb = Gradebook(course.db_url, course.course_id)
    try:
        yield gb
    finally:
        gb.close()


def has_assignment(course: Course, assignment: str) -> bool:
    if course.gradebook_url is None and not course.db_path.exists():
        return False
    with open_gradebook(course) as gb:
        try:
            gb.find_assignment(assignment)
        except MissingEntry:
            return False
        return True


def zero_autograded(course: Course, assignment: str, student: str) -> None:
    """Set the autograder score of every item of one submission to 0 (manual scores are kept)."""
    with open_gradebook(course) as gb, warnings.catch_warnings():
        # nbgrader's add_submission triggers harmless SQLAlchemy autoflush warnings
        warnings.simplefilter("ignore", SAWarning)
        try:
            submission = gb.find_submission(assignment, student)
        except MissingEntry:  # nbgrader stopped before recording the submission (e.g. no notebook at all)
            gb.update_or_create_student(student)
            submission = gb.update_or_create_submission(assignment, student)
        for nb in submission.notebooks:
            for grade in nb.grades:
                grade.auto_score = 0.0
                grade.needs_manual_grade = False
        gb.db.commit()


def grades_frame(course: Course, assignment: str | None = None) -> pd.DataFrame:
    """One row per student x graded item (nbgrader grade cell or task cell), straight from the gradebook.

    ``kind`` is ``autograded`` (a test cell), ``manual`` (a written or code answer graded by hand) or
    ``task``. ``score`` is nbgrader's: the manual score when one was given, else the autograder's, else 0.
    """
    rows = []
    with open_gradebook(course) as gb:
        assignments = [gb.find_assignment(assignment)] if assignment else gb.assignments
        for a in assignments:
            solution_ids = {(nb.name, c.name) for nb in a.notebooks for c in nb.solution_cells}
            for sub in a.submissions:
                for snb in sub.notebooks:
                    for g in snb.grades:
                        manual = (snb.notebook.name, g.name) in solution_ids
                        kind = "task" if g.cell.type == "TaskCell" else ("manual" if manual else "autograded")
                        rows.append(
                            {
                                "assignment": a.name,
                                "student": sub.student.id,
                                "notebook": snb.notebook.name,
                                "item": g.name,
                                "kind": kind,
                                "cell_type": g.cell_type,
                                "max_score": float(g.max_score),
                                "auto_score": g.auto_score,
                                "manual_score": g.manual_score,
                                "score": float(g.score),
                                "needs_manual_grade": bool(g.needs_manual_grade),
                            }
                        )
    frame = pd.DataFrame(rows, columns=GRADE_COLUMNS)
    return frame.sort_values(["assignment", "student", "notebook", "item"], ignore_index=True)
