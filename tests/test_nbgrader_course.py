"""The course's own assignments (``assignments/source/*``, found by listing) through real nbgrader.

For every assignment: the released notebook holds no solution and no hidden test; the instructor's solution
scores full marks on every autograded cell; the released (blank) notebook scores zero on every one; and the
blank student's feedback shows no hidden test. The static checks (nbgrader metadata, widget guards) are fast.
"""

from __future__ import annotations

import re
from pathlib import Path

import grading_helpers as gh
import nbformat
import pytest

from nmd_immuno.grading import workflow
from nmd_immuno.grading.autograde import autograde
from nmd_immuno.grading.course import Course
from nmd_immuno.grading.feedback import generate_feedback, scan_feedback
from nmd_immuno.grading.gradebook import grades_frame
from nmd_immuno.grading.leaks import assignment_secrets, find_leaks
from nmd_immuno.grading.notebooks import cell_source, grade_id, is_test_cell, nbgrader_meta

ASSIGNMENTS = gh.course_assignment_ids()
WIDGET_CALL = re.compile(
    r"\b(interact|interactive|interact_manual|dose_calculators|algorithm_explorer|"
    r"cohort_simulator|quiz_widget)\s*\(|\bwidgets\.\w+\("
)


def test_the_course_has_assignments() -> None:
    assert ASSIGNMENTS, f"no assignment notebooks under {gh.COURSE_SOURCE}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_source_notebook_is_a_consistent_nbgrader_notebook(assignment: str) -> None:
    """Unique grade ids, points on every graded cell, at least one autograded test and one hidden test."""
    for path in sorted((gh.COURSE_SOURCE / assignment).glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        ids = [grade_id(c) for c in nb.cells if grade_id(c)]
        assert len(ids) == len(set(ids)), f"{path.name}: duplicate grade ids"
        graded = [c for c in nb.cells if nbgrader_meta(c).get("grade")]
        assert graded and all(float(nbgrader_meta(c).get("points", 0)) > 0 for c in graded), path.name
        tests = [c for c in nb.cells if is_test_cell(c)]
        assert tests, f"{path.name}: no autograded test cell"
        assert any("BEGIN HIDDEN TESTS" in cell_source(c) for c in tests), f"{path.name}: no hidden test"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_widget_cells_are_guarded_for_autograding(assignment: str) -> None:
    """A widget or interact cell can hang the autograder: it must check NBGRADER_EXECUTION first."""
    for path in sorted((gh.COURSE_SOURCE / assignment).glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            src = cell_source(cell)
            if cell.cell_type == "code" and WIDGET_CALL.search(src):
                assert "NBGRADER_EXECUTION" in src, f"{path.name}: unguarded widget cell:\n{src[:300]}"


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Course:
    if not ASSIGNMENTS:
        pytest.skip("no assignments yet")
    course = gh.make_course(
        tmp_path_factory.mktemp("course-all") / "course",
        with_fixture=False,
        course_assignments=tuple(ASSIGNMENTS),
        cell_timeout_s=120,
    )
    workflow.generate(course)  # raises if a released notebook leaks
    for aid in ASSIGNMENTS:
        names = [p.name for p in course.source_notebooks(aid)]
        gh.write_submission(
            course, "solution", aid, {n: gh.solution_submission(course, aid, n) for n in names}
        )
        gh.write_submission(course, "blank", aid, {n: gh.released(course, aid, n) for n in names})
        autograde(course, aid, workers=2)
    return course


def _autograded(course: Course, assignment: str, student: str):
    g = grades_frame(course, assignment)
    return g[(g["student"] == student) & (g["kind"] == "autograded")]


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_released_notebook_leaks_nothing(course: Course, assignment: str) -> None:
    secrets = assignment_secrets(course.source_notebooks(assignment))
    assert secrets, "a source notebook with no solution or hidden test text"
    for path in sorted(course.release_dir(assignment).glob("*.ipynb")):
        assert find_leaks(path, secrets) == []


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solution_scores_full_marks_on_every_autograded_cell(course: Course, assignment: str) -> None:
    graded = _autograded(course, assignment, "solution")
    assert len(graded) > 0
    short = graded[graded["score"] < graded["max_score"]]
    log = course.logs_dir(assignment) / "solution.autograde.log"
    assert short.empty, f"{short[['item', 'score', 'max_score']].to_dict('records')}; see {log}"


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_blank_notebook_scores_zero_on_every_autograded_cell(course: Course, assignment: str) -> None:
    graded = _autograded(course, assignment, "blank")
    assert len(graded) > 0
    scored = graded[graded["score"] > 0]
    assert scored.empty, f"a blank notebook scores on {scored['item'].tolist()}"


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_outcomes_are_clean_for_solution_and_blank(course: Course, assignment: str) -> None:
    from nmd_immuno.grading.outcomes import load_outcomes

    outcomes = load_outcomes(course.outcomes_dir(assignment))
    for student in ("solution", "blank"):
        assert outcomes[student].status == ["ok"], (student, outcomes[student].details)


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_feedback_of_blank_leaks_nothing(course: Course, assignment: str) -> None:
    report = generate_feedback(course, assignment, students=["blank"])
    assert report.files and report.withheld == []
    assert scan_feedback(course, assignment, ["blank"]) == []
    secrets = assignment_secrets(course.source_notebooks(assignment))
    for path in report.files:
        assert find_leaks(path, secrets) == [], Path(path).name
