"""The instructor's nbgrader workflow end to end, on a fixture assignment, with real nbgrader commands.

One temporary course (module-scoped) goes through generate -> release to a real exchange -> students fetch and
submit -> collect -> autograde (two workers) -> feedback -> export -> item analysis. Beside two students who
use the exchange, the course holds the instructor's solution, a blank notebook, a cohort of ten synthetic
students and one student per kind of bad submission; many assertions then read the same gradebook.
"""

from __future__ import annotations

import datetime as dt
import math
import sqlite3
from pathlib import Path

import grading_helpers as gh
import nbformat
import numpy as np
import pandas as pd
import psutil
import pytest

from nmd_immuno.grading import workflow
from nmd_immuno.grading.autograde import autograde
from nmd_immuno.grading.cli import main as cli_main
from nmd_immuno.grading.course import Course
from nmd_immuno.grading.export import grade_export
from nmd_immuno.grading.feedback import generate_feedback, scan_feedback
from nmd_immuno.grading.gradebook import grades_frame, open_gradebook
from nmd_immuno.grading.items import analyse_assignment, item_analysis, score_matrix
from nmd_immuno.grading.leaks import assignment_secrets, find_leaks, html_text
from nmd_immuno.grading.outcomes import load_outcomes
from nmd_immuno.grading.runner import run_nbgrader

pytestmark = pytest.mark.slow

FX = gh.FIXTURE_ID
NOW = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
DUE = NOW + dt.timedelta(days=7)
ON_TIME = NOW - dt.timedelta(days=1)
LATE = DUE + dt.timedelta(days=2)
EXCHANGE_STUDENTS = ("x_alice", "x_bob")


def _bad_submissions(rel: nbformat.NotebookNode) -> dict[str, tuple[dict, str]]:
    """student -> (files to submit, the outcome code that must appear). Each is otherwise a correct answer."""

    def answered(**override: str) -> nbformat.NotebookNode:
        return gh.fill(rel, {**gh.CORRECT, **override})

    deleted = answered()
    deleted.cells = [c for c in deleted.cells if gh.grade_id(c) not in {"q1_tests", "q5_answer"}]
    edited = answered(q1_answer=gh.WRONG["q1_answer"])
    for cell in edited.cells:
        if gh.grade_id(cell) == "q1_tests":
            cell.source = "assert True  # edited by the student"
        if gh.grade_id(cell) == "intro":
            cell.source = "I changed the instructions."
    metadata = answered(q2_answer=gh.WRONG["q2_answer"])
    for cell in metadata.cells:
        if gh.grade_id(cell) == "q2_tests":  # turn a test into a manually graded answer worth 20 points
            cell.metadata.nbgrader.update(solution=True, points=20)
    return {
        "b_loop": ({"fx.ipynb": answered(q2_answer="while True:\n    pass")}, "timeout"),
        "b_flood": (
            {
                "fx.ipynb": answered(
                    q2_answer="for i in range(400):\n    print('flood ' * 2000)\n"
                    "answer_plasma_volume_l = 2.94",
                )
            },
            "output_flood",
        ),
        "b_dies": ({"fx.ipynb": answered(q3_answer="import os\nos._exit(1)")}, "kernel_died"),
        "b_json": ({"fx.ipynb": '{"cells": [ this is not json'}, "invalid_notebook"),
        "b_deleted": ({"fx.ipynb": deleted}, "deleted_cells"),
        "b_edited": ({"fx.ipynb": edited}, "edited_locked_cells"),
        "b_metadata": ({"fx.ipynb": metadata}, "edited_metadata"),
        "b_missing": ({"notes.txt": "I forgot the notebook"}, "missing_notebook"),
        "b_renamed": ({"fx (copy).ipynb": answered()}, "renamed_notebook"),
        "b_late": ({"fx.ipynb": answered()}, "late"),
    }


class FxCourse:
    """The module's course and what was done to it."""

    def __init__(
        self,
        course: Course,
        bad: dict[str, str],
        cohort: dict[str, dict[str, bool]],
        parallel_grades: pd.DataFrame,
        parallel_outcomes: dict,
    ) -> None:
        self.course = course
        self.bad = bad
        self.cohort = cohort
        self.parallel_grades = parallel_grades
        self.parallel_outcomes = parallel_outcomes


@pytest.fixture(scope="module")
def fx(tmp_path_factory: pytest.TempPathFactory) -> FxCourse:
    course = gh.make_course(tmp_path_factory.mktemp("grading") / "course", cell_timeout_s=4)
    workflow.generate(course, duedate=DUE)
    workflow.release(course)
    rel = gh.released(course, FX)

    # two students go through the real exchange: fetch, answer, submit; the instructor collects
    for student in EXCHANGE_STUDENTS:
        home = course.root.parent / "homes" / student
        gh.student_nbgrader(course, home, ["fetch_assignment", FX])
        fetched = home / FX / "fx.ipynb"
        nb = nbformat.read(fetched, as_version=4)
        answers = gh.CORRECT if student == "x_alice" else gh.WRONG
        nbformat.write(gh.fill(nb, answers), fetched)
        gh.student_nbgrader(course, home, ["submit", FX, f"--student={student}"])
    workflow.collect(course)

    # the rest is put in submitted/ directly, as collect would
    source = nbformat.read(course.source_dir(FX) / "fx.ipynb", as_version=4)
    gh.write_submission(
        course, "s_solution", FX, {"fx.ipynb": gh.fill(rel, gh.solution_answers(source))}, timestamp=ON_TIME
    )
    gh.write_submission(course, "s_blank", FX, {"fx.ipynb": rel}, timestamp=ON_TIME)
    cohort = gh.cohort_matrix()
    for student, correct in cohort.items():
        gh.write_submission(
            course, student, FX, {"fx.ipynb": gh.fill(rel, gh.cohort_answers(correct))}, timestamp=ON_TIME
        )
    bad = {}
    for student, (files, code) in _bad_submissions(rel).items():
        gh.write_submission(course, student, FX, files, timestamp=LATE if student == "b_late" else ON_TIME)
        bad[student] = code
    # a student on the roster who never submitted
    result = run_nbgrader(
        ["db", "student", "add", "s_absent", *course.nbgrader_options()],
        cwd=course.root,
        log_path=course.root / "db.log",
    )
    assert result.ok, result.log

    run = autograde(course, FX, workers=2)
    assert {o.student for o in run.outcomes} == set(course.submitted_students(FX))
    # a grader enters the written answers' scores (the cohort's q5), as the formgrader would
    with open_gradebook(course) as gb:
        for student, correct in cohort.items():
            grade = gb.find_grade("q5_answer", FX, FX, student)
            grade.manual_score = 2.0 if correct["q5_answer"] else 0.0
        gb.db.commit()
    grades = grades_frame(course, FX)
    return FxCourse(course, bad, cohort, grades, load_outcomes(course.outcomes_dir(FX)))


def _scores(fx: FxCourse, student: str) -> dict[str, float]:
    g = grades_frame(fx.course, FX)
    g = g[(g["student"] == student) & (g["kind"] == "autograded")]
    return dict(zip(g["item"], g["score"], strict=True))


# --- release and exchange -----------------------------------------------------------------------------------


def test_exchange_round_trip_collects_each_student(fx: FxCourse) -> None:
    for student in EXCHANGE_STUDENTS:
        folder = fx.course.submitted_dir(student, FX)
        assert (folder / "fx.ipynb").is_file() and (folder / "timestamp.txt").is_file()
    assert _scores(fx, "x_alice") == gh.ITEMS
    assert _scores(fx, "x_bob") == {item: 0.0 for item in gh.ITEMS}


def test_released_notebooks_hold_no_solution_or_hidden_test(fx: FxCourse) -> None:
    secrets = assignment_secrets(fx.course.source_notebooks(FX))
    assert any(gh.HIDDEN_MARKER in s for s in secrets) and any(gh.SOLUTION_MARKER in s for s in secrets)
    outbound = fx.course.exchange / fx.course.course_id / "outbound"
    released = [*fx.course.release_dir(FX).rglob("*.ipynb"), *outbound.rglob("*.ipynb")]
    assert len(released) >= 2  # release/ and the exchange's outbound copy
    for path in released:
        assert find_leaks(path, secrets) == []
        assert gh.HIDDEN_MARKER not in path.read_text() and gh.SOLUTION_MARKER not in path.read_text()


def test_leak_scan_finds_secrets_in_the_source(fx: FxCourse) -> None:
    """The scanner is not blind: run on the instructor's source it reports the hidden tests and solutions."""
    secrets = assignment_secrets(fx.course.source_notebooks(FX))
    found = {leak.secret for leak in find_leaks(fx.course.source_dir(FX) / "fx.ipynb", secrets)}
    assert found == secrets


# --- scores -------------------------------------------------------------------------------------------------


def test_solution_scores_full_marks_and_blank_scores_zero(fx: FxCourse) -> None:
    assert _scores(fx, "s_solution") == gh.ITEMS
    assert _scores(fx, "s_blank") == {item: 0.0 for item in gh.ITEMS}


def test_cohort_scores_match_their_answers_despite_bad_neighbours(fx: FxCourse) -> None:
    """Bad submissions (graded in between, two at a time) never change the grading of the others."""
    for student, correct in fx.cohort.items():
        assert _scores(fx, student) == gh.expected_autograde_scores(correct), student
        assert fx.parallel_outcomes[student].status == ["ok"]


@pytest.mark.parametrize("student", sorted(_bad_submissions(nbformat.v4.new_notebook())))
def test_bad_submission_gets_its_own_outcome(fx: FxCourse, student: str) -> None:
    export = grade_export(fx.course, FX).set_index("student")
    status = export.loc[student, "status"].split(";")
    assert fx.bad[student] in status, (student, status)
    assert "ok" not in status
    assert export.loc[student, "detail"]
    if fx.bad[student] != "late":
        assert export.loc[student, "needs_review"]


def test_scores_of_bad_submissions_follow_the_rules(fx: FxCourse) -> None:
    full = gh.ITEMS
    # an interrupted loop costs only the tests that need its answer; a flood is cut but graded
    assert _scores(fx, "b_loop") == {**full, "q2_tests": 0.0}
    assert _scores(fx, "b_flood") == full
    # nothing gradable: every autograded item is 0
    for student in ("b_dies", "b_json", "b_missing", "b_renamed"):
        assert _scores(fx, student) == {item: 0.0 for item in full}, student
    # a deleted test cell is put back and graded; an edited one is restored, so the wrong answer fails it
    assert _scores(fx, "b_deleted") == full
    assert _scores(fx, "b_edited") == {**full, "q1_tests": 0.0}
    # a test turned into a "manual answer" worth 20 is graded as the 1-point test it is (and fails)
    assert _scores(fx, "b_metadata") == {**full, "q2_tests": 0.0}
    assert grades_frame(fx.course, FX).query("student == 'b_metadata'")["max_score"].sum() == 8.0
    # late work is graded normally
    assert _scores(fx, "b_late") == full


def test_flood_is_capped_in_the_graded_notebook(fx: FxCourse) -> None:
    graded = nbformat.read(fx.course.autograded_dir("b_flood", FX) / "fx.ipynb", as_version=4)
    size = sum(len(str(o)) for c in graded.cells for o in c.get("outputs", []))
    assert size < 400_000  # the 4.8 MB printed were not kept


def test_honest_zero_is_ok_and_absent_student_is_not_submitted(fx: FxCourse) -> None:
    export = grade_export(fx.course, FX).set_index("student")
    assert export.loc["s_blank", "status"] == "ok" and export.loc["s_blank", "score"] == 0.0
    assert not export.loc["s_blank", "needs_review"]
    assert export.loc["b_json", "score"] == 0.0 and export.loc["b_json", "status"] != "ok"
    assert export.loc["s_absent", "status"] == "not_submitted"
    assert export.loc["b_late", "seconds_late"] > 0 and export.loc["s_solution", "seconds_late"] == 0


def _run_cli(fx: FxCourse, *argv: str) -> int:
    """Run the grading CLI on the fixture course, as an instructor would from the shell."""
    course = ["--course-dir", str(fx.course.root), "--exchange", str(fx.course.exchange)]
    return cli_main([*course, "--course-id", fx.course.course_id, *argv])


def test_export_cli_writes_the_csv(fx: FxCourse, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "grades.csv"
    code = _run_cli(fx, "export", "--output", str(out))
    assert code == 0, capsys.readouterr()
    frame = pd.read_csv(out)
    assert list(frame.columns)[:4] == ["assignment", "student", "status", "needs_review"]
    assert set(frame["student"]) == set(fx.course.submitted_students(FX)) | {"s_absent"}


def test_grader_kills_an_unresponsive_kernel_without_stopping(fx: FxCourse) -> None:
    """Code that ignores interrupts is stopped at the hard deadline, kernel included; the run carries on."""
    rel = gh.released(fx.course, FX)
    stubborn = gh.fill(
        rel,
        {
            **gh.CORRECT,
            "q2_answer": (
                "import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                "while True:\n    time.sleep(0.01)"
            ),
        },
    )
    gh.write_submission(fx.course, "b_stubborn", FX, {"fx.ipynb": stubborn}, timestamp=ON_TIME)
    # a long cell timeout, so that only the hard deadline (30 s) can stop it; the honest neighbour needs two
    # sandboxed runs (visible, then with hidden tests) well inside it, even on a loaded machine
    patient = Course(fx.course.root, fx.course.exchange, fx.course.course_id, cell_timeout_s=60)
    with gh.grading_scratch() as scratch:
        run = autograde(patient, FX, students=["b_stubborn", "c01"], workers=2, deadline_s=30)
    by = run.by_student()
    assert by["b_stubborn"].status == ["grader_killed"]
    assert _scores(fx, "b_stubborn") == {item: 0.0 for item in gh.ITEMS}
    assert by["c01"].status == ["ok"]
    assert _scores(fx, "c01") == gh.expected_autograde_scores(fx.cohort["c01"])
    root = str(fx.course.root)
    leftovers = []
    for p in psutil.process_iter(["cwd", "cmdline"]):
        try:
            if (p.info["cwd"] or "").startswith(root) and "ipykernel" in " ".join(p.info["cmdline"] or []):
                leftovers.append(p.pid)
        except psutil.Error:
            continue
    assert leftovers == []
    # nor anything in the two students' sandboxes (whatever user they run as)
    assert gh.sandbox_processes_under(scratch) == []


# --- idempotency and parallel safety -----------------------------------------------------------------------


def _table_counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as con:
        names = [r[0] for r in con.execute("select name from sqlite_master where type='table'")]
        return {n: con.execute(f'select count(*) from "{n}"').fetchone()[0] for n in names}


def test_reautograde_sequentially_is_idempotent_and_matches_parallel(fx: FxCourse) -> None:
    subset = ["s_solution", "s_blank", "c02", "c08", "b_json", "b_dies", "b_deleted", "b_loop", "b_missing"]
    before = _table_counts(fx.course.db_path)
    autograde(fx.course, FX, students=subset, workers=1)
    after = _table_counts(fx.course.db_path)
    assert after == before  # no duplicate rows
    again = grades_frame(fx.course, FX)
    cols = ["student", "item", "auto_score", "score"]
    first = fx.parallel_grades[fx.parallel_grades["student"].isin(subset)][cols].reset_index(drop=True)
    second = again[again["student"].isin(subset)][cols].reset_index(drop=True)
    pd.testing.assert_frame_equal(first, second)
    now = load_outcomes(fx.course.outcomes_dir(FX))
    for s in subset:
        assert now[s].status == fx.parallel_outcomes[s].status, s
    with open_gradebook(fx.course) as gb:
        assert len([s for s in gb.assignment_submissions(FX)]) == len(fx.course.submitted_students(FX))


# --- feedback -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def feedback(fx: FxCourse):
    return generate_feedback(fx.course, FX, release=True)


def test_feedback_is_generated_and_released(fx: FxCourse, feedback) -> None:
    students = {p.parent.parent.name for p in feedback.files}
    assert {"s_blank", "s_solution", "c01", "b_loop"} <= students
    assert feedback.released == sorted(EXCHANGE_STUDENTS)  # the others never used the exchange
    assert "s_blank" in feedback.not_released
    released = list((fx.course.exchange / fx.course.course_id / "feedback").glob("*.html"))
    assert len(released) == len(EXCHANGE_STUDENTS)
    assert feedback.withheld == []


def test_feedback_shows_no_hidden_test_nor_solution(fx: FxCourse, feedback) -> None:
    assert scan_feedback(fx.course, FX) == []
    secrets = assignment_secrets(fx.course.source_notebooks(FX))
    for path in feedback.files:
        text = html_text(path.read_text())
        assert gh.HIDDEN_MARKER not in text and "g_per_kg=0.4" not in text, path
        if path.parent.parent.name == "s_blank":  # wrote nothing: every secret counts
            assert find_leaks(path, secrets) == [], path


def test_feedback_summarises_a_failing_hidden_test(fx: FxCourse, feedback) -> None:
    # c05 passes q3's visible test but fails a hidden one; x_bob fails q1 on the visible assert
    c05 = html_text((fx.course.feedback_dir("c05", FX) / "fx.html").read_text())
    assert "Hidden tests are not shown" in c05
    assert "nnt rounds up" not in c05 and "nnt(0.3)" not in c05
    bob = html_text((fx.course.feedback_dir("x_bob", FX) / "fx.html").read_text())
    assert "a visible test" in bob and "assert ivig_total_g(70) == 140.0" in bob


def _feedback_with(fx: FxCourse, name: str, preprocessors: list[str]) -> list[Path]:
    folder = f"feedback_{name}"
    args = [
        "generate_feedback",
        FX,
        "--force",
        f"--CourseDirectory.feedback_directory={folder}",
        f"--GenerateFeedback.preprocessors={preprocessors!r}",
        *fx.course.nbgrader_options(),
    ]
    result = run_nbgrader(args, cwd=fx.course.root, log_path=fx.course.root / f"{folder}.log")
    assert result.ok, result.log
    return sorted((fx.course.root / folder).glob(f"*/{FX}/*.html"))


def test_nbgrader_default_feedback_would_leak(fx: FxCourse, feedback) -> None:
    """Why the sanitiser exists: nbgrader's own feedback shows hidden tests (the leak scan catches them). Its
    ClearHiddenTests would still leave the failing hidden assert in the traceback, were the hidden tests not
    run in a separate grading run whose outputs are dropped."""
    secrets = assignment_secrets(fx.course.source_notebooks(FX))
    default = _feedback_with(
        fx,
        "default",
        ["nbgrader.preprocessors.GetGrades", "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor"],
    )
    blank = next(p for p in default if p.parent.parent.name == "s_blank")
    assert gh.HIDDEN_MARKER in html_text(blank.read_text()) and find_leaks(blank, secrets)
    cleared = _feedback_with(
        fx,
        "cleared",
        [
            "nbgrader.preprocessors.ClearHiddenTests",
            "nbgrader.preprocessors.GetGrades",
            "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
        ],
    )
    c05 = html_text(next(p for p in cleared if p.parent.parent.name == "c05").read_text())
    # nbgrader alone would quote the failing hidden assert in the traceback; the grading run's outputs are
    # never kept (sandboxed_execute), so even nbgrader's ClearHiddenTests feedback has only the neutral line
    assert "nnt(0.3) == 4" not in c05
    assert "a hidden test of this cell did not pass" in c05


# --- item analysis ------------------------------------------------------------------------------------------


def _independent_item_stats(db: Path, students: list[str], items: list[str]) -> dict[str, dict[str, float]]:
    """Difficulty, point-biserial (textbook formula for 0/1 items) and upper-lower D, from raw SQL."""
    with sqlite3.connect(db) as con:
        rows = con.execute(
            "select st.id, bc.name, coalesce(g.manual_score, g.auto_score, 0), gc.max_score "
            "from grade g join submitted_notebook sn on g.notebook_id = sn.id "
            "join submitted_assignment sa on sn.assignment_id = sa.id "
            "join student st on sa.student_id = st.id "
            "join base_cell bc on g.cell_id = bc.id join grade_cells gc on gc.id = bc.id"
        ).fetchall()
    score = {(s, i): v for s, i, v, _ in rows}
    maxp = {i: m for _, i, _, m in rows}
    total = {s: sum(score[(s, i)] for i in items) for s in students}
    ranked = sorted(students, key=lambda s: (-total[s], s))
    k = max(1, round(0.27 * len(students)))
    upper, lower = ranked[:k], ranked[-k:]
    out = {}
    for i in items:
        x = [1 if score[(s, i)] == maxp[i] else 0 for s in students]  # every fx item is all-or-nothing
        rest = [total[s] - score[(s, i)] for s in students]
        p = sum(x) / len(x)
        m1 = np.mean([r for r, xi in zip(rest, x, strict=True) if xi]) if 0 < p < 1 else math.nan
        m0 = np.mean([r for r, xi in zip(rest, x, strict=True) if not xi]) if 0 < p < 1 else math.nan
        sd = float(np.std(rest))
        rpb = (m1 - m0) / sd * math.sqrt(p * (1 - p)) if 0 < p < 1 and sd > 0 else math.nan
        d = np.mean([score[(s, i)] / maxp[i] for s in upper]) - np.mean(
            [score[(s, i)] / maxp[i] for s in lower]
        )
        out[i] = {"difficulty": p, "point_biserial": rpb, "discrimination_ul": float(d)}
    return out


def test_item_analysis_matches_an_independent_computation(fx: FxCourse) -> None:
    cohort = sorted(fx.cohort)
    grades = grades_frame(fx.course, FX)
    scores, max_points, kinds = score_matrix(grades[grades["student"].isin(cohort)])
    analysis = item_analysis(scores, max_points, kinds=kinds).set_index("item")
    expected = _independent_item_stats(fx.course.db_path, cohort, sorted(max_points))
    for item, values in expected.items():
        for key, value in values.items():
            got = analysis.loc[item, key]
            assert (math.isnan(value) and math.isnan(got)) or got == pytest.approx(value, abs=1e-9), (
                item,
                key,
            )
    flags = analysis["flags"].to_dict()
    assert "too_easy" in flags["q1_tests"] and "no_variance" in flags["q1_tests"]
    assert "too_hard" in flags["q5_answer"]
    assert "negative_discrimination" in flags["q4_tests"] and analysis.loc["q4_tests", "point_biserial"] < 0
    for item in ("q2_tests", "q3_tests"):
        assert flags[item] == "" and analysis.loc[item, "point_biserial"] > 0.2
        assert analysis.loc[item, "discrimination_ul"] > 0


def test_item_report_leaves_out_submissions_that_need_review(fx: FxCourse, tmp_path: Path) -> None:
    report = analyse_assignment(fx.course, FX)
    assert "b_json" in report.excluded and "b_dies" in report.excluded
    assert "s_blank" in report.scores.index and "b_json" not in report.scores.index
    code = _run_cli(fx, "report", FX, "--output-dir", str(tmp_path))
    assert code == 0
    table = pd.read_csv(tmp_path / f"{FX}-items.csv")
    assert set(table["item"]) == {*gh.ITEMS, "q5_answer"}
    assert (tmp_path / f"{FX}-distributions.png").stat().st_size > 5000
    assert (tmp_path / f"{FX}-difficulty-discrimination.png").stat().st_size > 5000


def test_item_analysis_notebook_runs_on_the_gradebook(fx: FxCourse, monkeypatch: pytest.MonkeyPatch) -> None:
    from nbclient import NotebookClient

    nb = nbformat.read(gh.REPO_ROOT / "notebooks" / "item-analysis.ipynb", as_version=4)
    monkeypatch.setenv("NMD_COURSE_DIR", str(fx.course.root))
    monkeypatch.setenv("NMD_COURSE_ID", fx.course.course_id)
    monkeypatch.setenv("NMD_ITEM_ASSIGNMENT", FX)
    NotebookClient(nb, timeout=180, kernel_name="python3").execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = str(outputs)
    assert "q4_tests" in text and "Left out" in text and "Cronbach" in text
    assert sum("image/png" in o.get("data", {}) for o in outputs) == 2
