"""Synthetic nbgrader courses, submissions and cohorts for the grading tests and the benchmark.

A tiny fixture assignment ``fx`` (four autograded items with visible and hidden tests, one written answer)
stands in for the course's assignments where a test needs full control over what students submit. Every
submission is built from the *released* notebook, the way a student's would be: answer cells are filled in,
everything else is what nbgrader handed out.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import nbformat
import psutil
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from nmd_immuno.grading.course import Course
from nmd_immuno.grading.notebooks import REGION_MARKERS, cell_source, grade_id, is_answer_cell
from nmd_immuno.grading.runner import run_nbgrader
from nmd_immuno.paths import REPO_ROOT

FIXTURE_ID = "fx"
CONFIG_FILE = REPO_ROOT / "assignments" / "nbgrader_config.py"
COURSE_SOURCE = REPO_ROOT / "assignments" / "source"

#: Text that exists only in the fixture's hidden tests / solutions: a leak scan must never find it.
HIDDEN_MARKER = "hidden-check-ivig-55kg-0.4"
SOLUTION_MARKER = "solution-marker-kaplan-0.07"

# Correct and wrong answers per answer cell of ``fx`` (a wrong answer runs but fails the tests).
CORRECT: dict[str, str] = {
    "q1_answer": "def ivig_total_g(weight_kg, g_per_kg=2.0):\n    return round(weight_kg * g_per_kg, 1)",
    "q2_answer": "answer_plasma_volume_l = round(0.07 * 70 * (1 - 0.4), 2)",
    "q3_answer": "import math\n\ndef nnt(arr):\n    return math.ceil(1 / arr)",
    "q4_answer": "answer_arr = 0.33",
    "q5_answer": "Exchange removes IVIG, so it is not given right after an IVIG course.",
}
WRONG: dict[str, str] = {
    "q1_answer": "def ivig_total_g(weight_kg, g_per_kg=2.0):\n    return weight_kg + g_per_kg",
    "q2_answer": "answer_plasma_volume_l = 4.9",
    "q3_answer": "def nnt(arr):\n    return 1 / arr",
    "q4_answer": "answer_arr = 0.5",
    "q5_answer": "No idea.",
}
#: Autograded items (test cells) of ``fx`` and their points; ``q5_answer`` (2 points) is graded by hand.
ITEMS: dict[str, float] = {"q1_tests": 2.0, "q2_tests": 1.0, "q3_tests": 2.0, "q4_tests": 1.0}
ANSWER_OF: dict[str, str] = {
    "q1_tests": "q1_answer",
    "q2_tests": "q2_answer",
    "q3_tests": "q3_answer",
    "q4_tests": "q4_answer",
}


def _meta(
    gid: str, *, grade: bool = False, solution: bool = False, locked: bool = False, points: float = 0
) -> dict:
    m: dict = {"grade": grade, "grade_id": gid, "locked": locked, "schema_version": 3, "solution": solution}
    if grade:
        m["points"] = points
    return {"nbgrader": m}


def fixture_source_notebook() -> nbformat.NotebookNode:
    """The instructor's version of ``fx``: solutions and hidden tests included."""

    def sol(gid: str) -> str:
        body = CORRECT[gid]
        return f"### BEGIN SOLUTION\n{body}\n### END SOLUTION"

    q1 = (
        "def ivig_total_g(weight_kg, g_per_kg=2.0):\n    ### BEGIN SOLUTION\n"
        f"    # {SOLUTION_MARKER}\n    return round(weight_kg * g_per_kg, 1)\n    ### END SOLUTION"
    )
    cells = [
        new_markdown_cell(
            "# Fixture assignment\nRead-only instructions.", metadata=_meta("intro", locked=True)
        ),
        new_code_cell(
            "import os\nGRADING = bool(os.environ.get('NBGRADER_EXECUTION'))",
            metadata=_meta("setup", locked=True),
        ),
        new_code_cell(q1, metadata=_meta("q1_answer", solution=True)),
        new_code_cell(
            "assert ivig_total_g(70) == 140.0\n### BEGIN HIDDEN TESTS\n"
            f"assert ivig_total_g(55, g_per_kg=0.4) == 22.0, '{HIDDEN_MARKER}'\n"
            "assert ivig_total_g(80, g_per_kg=1.0) == 80.0\n### END HIDDEN TESTS",
            metadata=_meta("q1_tests", grade=True, locked=True, points=2),
        ),
        new_code_cell(sol("q2_answer"), metadata=_meta("q2_answer", solution=True)),
        new_code_cell(
            "assert isinstance(answer_plasma_volume_l, float)\n### BEGIN HIDDEN TESTS\n"
            "assert abs(answer_plasma_volume_l - 2.94) < 0.05, 'plasma volume expected near 2.94'\n"
            "### END HIDDEN TESTS",
            metadata=_meta("q2_tests", grade=True, locked=True, points=1),
        ),
        new_code_cell(sol("q3_answer"), metadata=_meta("q3_answer", solution=True)),
        new_code_cell(
            "assert nnt(0.5) == 2\n### BEGIN HIDDEN TESTS\nassert nnt(0.3) == 4, 'nnt rounds up'\n"
            "assert isinstance(nnt(0.25), int)\n### END HIDDEN TESTS",
            metadata=_meta("q3_tests", grade=True, locked=True, points=2),
        ),
        new_code_cell(sol("q4_answer"), metadata=_meta("q4_answer", solution=True)),
        new_code_cell(
            "### BEGIN HIDDEN TESTS\nassert abs(answer_arr - 0.33) < 0.011, 'arr hidden check'\n"
            "### END HIDDEN TESTS",
            metadata=_meta("q4_tests", grade=True, locked=True, points=1),
        ),
        new_markdown_cell(
            "Why is plasma exchange not given right after IVIG? (2 points)",
            metadata=_meta("q5_prompt", locked=True),
        ),
        new_markdown_cell(sol("q5_answer"), metadata=_meta("q5_answer", grade=True, solution=True, points=2)),
    ]
    return new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
        },
    )


def make_course(
    root: Path,
    *,
    with_fixture: bool = True,
    course_assignments: tuple[str, ...] = (),
    cell_timeout_s: int | None = 5,
    course_id: str = "test-course",
) -> Course:
    """A fresh course folder with the course's real ``nbgrader_config.py`` and chosen source assignments."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(CONFIG_FILE, root / "nbgrader_config.py")
    if with_fixture:
        (root / "source" / FIXTURE_ID).mkdir(parents=True, exist_ok=True)
        nbformat.write(fixture_source_notebook(), root / "source" / FIXTURE_ID / f"{FIXTURE_ID}.ipynb")
    for aid in course_assignments:
        shutil.copytree(
            COURSE_SOURCE / aid,
            root / "source" / aid,
            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"),
        )
    exchange = root.parent / f"{root.name}-exchange"
    exchange.mkdir(exist_ok=True)
    return Course(root.resolve(), exchange.resolve(), course_id, cell_timeout_s)


def course_assignment_ids() -> list[str]:
    """Assignments of the real course that have a source notebook (found by listing, never hard-coded)."""
    if not COURSE_SOURCE.is_dir():
        return []
    return sorted(p.name for p in COURSE_SOURCE.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def strip_delimiters(text: str) -> str:
    """Source text with solution delimiter lines removed (what a perfect student would have written)."""
    begin, end = REGION_MARKERS["solution"]
    return "\n".join(ln for ln in text.split("\n") if begin not in ln and end not in ln)


def released(course: Course, assignment: str, name: str | None = None) -> nbformat.NotebookNode:
    paths = sorted(course.release_dir(assignment).glob("*.ipynb"))
    path = next(p for p in paths if name is None or p.name == name)
    return nbformat.read(path, as_version=4)


def fill(released_nb: nbformat.NotebookNode, answers: Mapping[str, str]) -> nbformat.NotebookNode:
    """A copy of a released notebook with the given answer cells' sources replaced (by grade id)."""
    nb = copy.deepcopy(released_nb)
    for cell in nb.cells:
        gid = grade_id(cell)
        if gid in answers:
            cell.source = answers[gid]
    return nb


def solution_answers(source_nb: nbformat.NotebookNode) -> dict[str, str]:
    """The instructor's answer for every answer cell, delimiters removed."""
    return {grade_id(c): strip_delimiters(cell_source(c)) for c in source_nb.cells if is_answer_cell(c)}


def solution_submission(course: Course, assignment: str, name: str) -> nbformat.NotebookNode:
    source = nbformat.read(course.source_dir(assignment) / name, as_version=4)
    return fill(released(course, assignment, name), solution_answers(source))


def write_submission(
    course: Course,
    student: str,
    assignment: str,
    notebooks: Mapping[str, object],
    *,
    timestamp: dt.datetime | None = None,
) -> Path:
    """Put a submission where ``nbgrader collect`` would: ``submitted/<student>/<assignment>/``.

    ``notebooks`` maps a file name to a notebook, or to raw text (to write a file that is not JSON).
    """
    folder = course.submitted_dir(student, assignment)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for fname, content in notebooks.items():
        if isinstance(content, str):
            (folder / fname).write_text(content, encoding="utf-8")
        else:
            nbformat.write(content, folder / fname)
    stamp = timestamp or dt.datetime(2026, 1, 10, 12, 0, 0)
    (folder / "timestamp.txt").write_text(stamp.strftime("%Y-%m-%d %H:%M:%S.%f UTC"), encoding="utf-8")
    return folder


def student_nbgrader(course: Course, home: Path, args: Sequence[str]) -> None:
    """Run an nbgrader command as a student would, from their own folder (no course config there).

    Students use the real exchange (``fetch_assignment``, ``submit``, ``fetch_feedback``): only the course id
    and the exchange root are given, as a student's system-wide configuration would. ``home`` is also their
    ``HOME``, so each student has their own nbgrader submission cache (``fetch_feedback`` reads it), as on
    a hub, and the tests leave nothing in the real home folder.
    """
    home.mkdir(parents=True, exist_ok=True)
    opts = [f"--CourseDirectory.course_id={course.course_id}", f"--Exchange.root={course.exchange}"]
    result = run_nbgrader(
        [*args, *opts], cwd=home, log_path=home / f"{args[0]}.log", deadline_s=300, env={"HOME": str(home)}
    )
    assert result.ok, result.log


def cohort_matrix() -> dict[str, dict[str, bool]]:
    """Who answers which item correctly, designed so that item analysis has something to find.

    Students are ordered by ability (c01 strongest). q1 is answered by everybody (too easy), the written q5
    by one student only (too hard), q2 and q3 by the stronger students (they discriminate), q4 by the three
    *weakest* students only (negative discrimination).
    """
    students = [f"c{i:02d}" for i in range(1, 11)]
    return {
        s: {
            "q1_answer": True,
            "q2_answer": rank < 6,
            "q3_answer": rank < 4,
            "q4_answer": rank >= 7,
            "q5_answer": rank < 1,
        }
        for rank, s in enumerate(students)
    }


def cohort_answers(correct: Mapping[str, bool]) -> dict[str, str]:
    return {gid: (CORRECT[gid] if ok else WRONG[gid]) for gid, ok in correct.items()}


def expected_autograde_scores(correct: Mapping[str, bool]) -> dict[str, float]:
    """What each autograded item of ``fx`` must score for a student answering as in ``correct``."""
    return {item: (pts if correct[ANSWER_OF[item]] else 0.0) for item, pts in ITEMS.items()}


def notebook_json_text(nb: nbformat.NotebookNode) -> str:
    return json.dumps(nb)


@contextlib.contextmanager
def grading_scratch() -> Iterator[Path]:
    """A fresh folder in which grading jobs started meanwhile (in this process) keep their temporary files,
    and so their kernels' connection files: ``sandbox_processes_under`` can then tell this test's sandboxes
    from those of a test running beside it. Short, under ``/tmp``: the kernels' sockets live there, and a
    longer path would make the kernel manager fall back to ``/tmp`` itself, out of this folder's sight."""
    folder = Path(tempfile.mkdtemp(prefix="nmd-t-", dir="/tmp"))
    before = tempfile.tempdir
    tempfile.tempdir = str(folder)
    try:
        yield folder
    finally:
        tempfile.tempdir = before
        shutil.rmtree(folder, ignore_errors=True)


def sandbox_processes_under(folder: Path) -> list[int]:
    """Every live process that a grading run under ``grading_scratch(folder)`` started in a sandbox, and
    anything those processes started: each has an ancestor whose command line names ``folder`` (bwrap, and
    the first process of the sandbox, which inherits every orphan of its PID namespace)."""
    marker = str(folder)
    mine = {os.getpid(), *(p.pid for p in psutil.Process().parents())}
    found = []
    for proc in psutil.process_iter():
        try:
            if proc.pid in mine or proc.status() == psutil.STATUS_ZOMBIE:
                continue
            if any(marker in " ".join(p.cmdline()) for p in (proc, *proc.parents())):
                found.append(proc.pid)
        except psutil.Error:
            continue
    return found
