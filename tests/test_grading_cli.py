"""The instructor's command line (``python -m nmd_immuno.grading``) and the ``make assignments-*`` targets.

Two layers, both as an instructor runs them:

- the slow end-to-end test runs every CLI subcommand as a separate process on the smallest fixture course
  (``fx``): generate -> release -> two students fetch and submit through the real exchange -> collect ->
  autograde -> feedback (released, fetched back by a student) -> export -> report; then the student with full
  marks resubmits through the exchange a notebook that is not JSON and is collected and graded again (through
  the Python API, to keep the test under a minute), which must give 0 and ``invalid_notebook``, never the
  earlier full marks ("never a stale score", book/instructors.md);
- the quick test expands each make target with ``make -n`` and parses the command it would run with the
  CLI's own argument parser, so the Makefile and the CLI cannot drift apart unnoticed.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import grading_helpers as gh
import nbformat
import pandas as pd
import pytest

from nmd_immuno.grading import workflow
from nmd_immuno.grading.autograde import autograde
from nmd_immuno.grading.cli import _parser
from nmd_immuno.grading.course import Course
from nmd_immuno.grading.export import grade_export
from nmd_immuno.grading.feedback import scan_feedback
from nmd_immuno.grading.gradebook import grades_frame, open_gradebook
from nmd_immuno.grading.leaks import Leak, assignment_secrets, find_leaks, html_text
from nmd_immuno.paths import REPO_ROOT

FX = gh.FIXTURE_ID
STUDENTS = {"x_alice": gh.CORRECT, "x_bob": gh.WRONG}
DUE = dt.datetime.now(dt.UTC).replace(tzinfo=None, second=0, microsecond=0) + dt.timedelta(days=7)
NOT_JSON = '{"cells": [ this is not json'
CLI_TIMEOUT_S = 300


# --- end to end through the CLI -----------------------------------------------------------------------------


def _cli(course: Course, *argv: str) -> str:
    """Run one CLI subcommand in its own process, as an instructor would from a shell; return its stdout."""
    cmd = [
        sys.executable,
        "-m",
        "nmd_immuno.grading",
        "--course-dir",
        str(course.root),
        "--exchange",
        str(course.exchange),
        "--course-id",
        course.course_id,
        "--timeout",
        str(course.cell_timeout_s),
        *argv,
    ]
    done = subprocess.run(
        cmd, cwd=course.root.parent, capture_output=True, text=True, timeout=CLI_TIMEOUT_S, check=False
    )
    assert done.returncode == 0, f"{shlex.join(argv)} exited {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@dataclass
class Snapshot:
    """What the course looked like after a run of the CLI (taken before anything later changes it)."""

    stdout: dict[str, str] = field(default_factory=dict)  # what each CLI step printed
    status: str = ""  # the outcome autograde reported (in-process steps)
    # every file under the course's parent (course, exchange, students' homes), relative to it
    files: set[str] = field(default_factory=set)
    texts: dict[str, str] = field(default_factory=dict)  # the HTML files among them (feedback)
    leaks: list[Leak] = field(default_factory=list)  # scan_feedback (it depends on what was submitted)
    export: pd.DataFrame | None = None
    grades: pd.DataFrame | None = None


def _files(course: Course) -> set[str]:
    base = course.root.parent
    return {p.relative_to(base).as_posix() for p in base.rglob("*") if p.is_file()}


def _home(course: Course, student: str) -> Path:
    return course.root.parent / "homes" / student


@dataclass
class CliCourse:
    course: Course
    first: Snapshot  # after the whole workflow
    regraded: Snapshot  # after x_alice resubmitted a notebook that is not JSON and was graded again


@pytest.fixture(scope="module")
def cli_course(tmp_path_factory: pytest.TempPathFactory) -> CliCourse:
    course = gh.make_course(tmp_path_factory.mktemp("cli") / "course", cell_timeout_s=4)
    first = Snapshot()
    out = first.stdout
    out["generate"] = _cli(course, "generate", FX, "--duedate", DUE.strftime("%Y-%m-%d %H:%M"))
    out["release"] = _cli(course, "release", FX)
    for student, answers in STUDENTS.items():
        home = _home(course, student)
        gh.student_nbgrader(course, home, ["fetch_assignment", FX])
        fetched = home / FX / "fx.ipynb"
        nbformat.write(gh.fill(nbformat.read(fetched, as_version=4), answers), fetched)
        gh.student_nbgrader(course, home, ["submit", FX, f"--student={student}"])
    out["collect"] = _cli(course, "collect", FX)
    out["autograde"] = _cli(course, "autograde", FX, "--workers", "2")
    out["feedback"] = _cli(course, "feedback", FX, "--release")
    gh.student_nbgrader(course, _home(course, "x_alice"), ["fetch_feedback", FX, "--student=x_alice"])
    out["export"] = _cli(course, "export")
    out["report"] = _cli(course, "report", FX)
    first.files = _files(course)
    base = course.root.parent
    first.texts = {f: (base / f).read_text(encoding="utf-8") for f in first.files if f.endswith(".html")}
    first.leaks = scan_feedback(course, FX)
    first.export = pd.read_csv(course.reports_dir / "grades.csv")
    first.grades = grades_frame(course, FX)

    # x_alice (full marks) submits again through the exchange, this time a file that is not a notebook, and is
    # collected and graded again (in-process: the CLI's own startup is already covered above, and time counts)
    regraded = Snapshot()
    home = _home(course, "x_alice")
    (home / FX / "fx.ipynb").write_text(NOT_JSON, encoding="utf-8")
    gh.student_nbgrader(course, home, ["submit", FX, "--student=x_alice"])
    workflow.collect(course, [FX])
    run = autograde(course, FX, students=["x_alice"])
    regraded.status = ";".join(run.by_student()["x_alice"].status)
    regraded.files = _files(course)
    regraded.export = grade_export(course, FX)
    regraded.grades = grades_frame(course, FX)
    return CliCourse(course, first, regraded)


def _autograded_scores(grades: pd.DataFrame, student: str) -> dict[str, float]:
    g = grades[(grades["student"] == student) & (grades["kind"] == "autograded")]
    return dict(zip(g["item"], g["score"], strict=True))


@pytest.mark.slow
def test_cli_generate_and_release_write_leak_free_notebooks(cli_course: CliCourse) -> None:
    course, first = cli_course.course, cli_course.first
    assert f"generate: done for {FX}" in first.stdout["generate"]
    assert f"release: done for {FX}" in first.stdout["release"]
    cid = course.course_id
    assert {"course/release/fx/fx.ipynb", f"course-exchange/{cid}/outbound/fx/fx.ipynb"} <= first.files
    assert "course/gradebook.db" in first.files
    with open_gradebook(course) as gb:
        assert gb.find_assignment(FX).duedate == DUE  # --duedate reached the gradebook
    secrets = assignment_secrets(course.source_notebooks(FX))
    assert secrets
    for path in (course.release_dir(FX) / "fx.ipynb", course.exchange / cid / "outbound" / FX / "fx.ipynb"):
        assert find_leaks(path, secrets) == [], path


@pytest.mark.slow
def test_cli_collect_and_autograde_grade_each_exchange_student(cli_course: CliCourse) -> None:
    first = cli_course.first
    for student in STUDENTS:
        assert {
            f"course/submitted/{student}/fx/fx.ipynb",
            f"course/submitted/{student}/fx/timestamp.txt",
            f"course/autograded/{student}/fx/fx.ipynb",
            f"course/reports/outcomes/fx/{student}.json",
        } <= first.files, student
        assert re.search(rf"^\s+{student}\s+ok\s", first.stdout["autograde"], re.MULTILINE), student
    assert "2 submissions" in first.stdout["autograde"] and "2 worker(s)" in first.stdout["autograde"]
    assert _autograded_scores(first.grades, "x_alice") == gh.ITEMS
    assert _autograded_scores(first.grades, "x_bob") == {item: 0.0 for item in gh.ITEMS}


@pytest.mark.slow
def test_cli_feedback_is_sanitised_released_and_fetched(cli_course: CliCourse) -> None:
    course, first = cli_course.course, cli_course.first
    assert "released to the exchange for 2 students" in first.stdout["feedback"]
    released = {f for f in first.files if f.startswith(f"course-exchange/{course.course_id}/feedback/")}
    assert len(released) == len(STUDENTS) and all(f.endswith(".html") for f in released)
    fetched = [f for f in first.files if f.startswith("homes/x_alice/fx/feedback/") and f.endswith(".html")]
    assert len(fetched) == 1, fetched  # her own feedback, found in the exchange by her fetch_feedback
    assert first.texts[fetched[0]] == first.texts["course/feedback/x_alice/fx/fx.html"]
    for student in STUDENTS:
        assert f"course/feedback/{student}/fx/fx.html" in first.files
    assert first.leaks == []  # the project's scan: no secret line the student did not write themselves
    bob = html_text(first.texts["course/feedback/x_bob/fx/fx.html"])
    assert gh.HIDDEN_MARKER not in bob and "Hidden tests are not shown" in bob


@pytest.mark.slow
def test_cli_export_matches_the_gradebook(cli_course: CliCourse) -> None:
    first = cli_course.first
    assert "course/reports/grades.csv" in first.files
    export = first.export.set_index("student")
    assert sorted(export.index) == sorted(STUDENTS)
    totals = first.grades.groupby("student")["score"].sum()
    for student in STUDENTS:
        row = export.loc[student]
        assert row["status"] == "ok" and not row["needs_review"], (student, row["detail"])
        assert row["score"] == pytest.approx(totals[student]), student
        assert row["code_score"] == pytest.approx(sum(_autograded_scores(first.grades, student).values()))
        assert bool(row["needs_manual_grade"])  # the written answer q5 is not graded yet
        assert row["seconds_late"] == 0 and isinstance(row["submitted_at"], str) and row["submitted_at"]
    assert export.loc["x_alice", "score"] == pytest.approx(sum(gh.ITEMS.values()))
    assert export.loc["x_bob", "score"] == 0.0
    assert "'ok': 2" in first.stdout["export"]


@pytest.mark.slow
def test_cli_report_writes_the_item_analysis(cli_course: CliCourse) -> None:
    course, first = cli_course.course, cli_course.first
    names = ("items.csv", "distributions.png", "difficulty-discrimination.png", "summary.txt")
    for name in names:
        assert f"course/reports/items/{FX}-{name}" in first.files, name
    items = pd.read_csv(course.reports_dir / "items" / f"{FX}-items.csv")
    assert set(items["item"]) == {*gh.ITEMS, "q5_answer"}
    summary = (course.reports_dir / "items" / f"{FX}-summary.txt").read_text(encoding="utf-8")
    assert f"{FX}: 2 students" in summary


@pytest.mark.slow
def test_resubmitted_invalid_notebook_never_keeps_a_stale_score(cli_course: CliCourse) -> None:
    """Full marks, then a resubmitted file that is not JSON: 0 and invalid_notebook, not the old marks."""
    course, first, regraded = cli_course.course, cli_course.first, cli_course.regraded
    assert first.export.set_index("student").loc["x_alice", "score"] == pytest.approx(sum(gh.ITEMS.values()))
    # the resubmission really replaced the graded one (collect --update took the newer exchange copy)
    submitted = course.submitted_dir("x_alice", FX) / "fx.ipynb"
    assert submitted.read_text(encoding="utf-8") == NOT_JSON
    assert regraded.status == "invalid_notebook"  # what autograde reported for her
    row = regraded.export.set_index("student").loc["x_alice"]
    assert row["score"] == 0.0 and row["code_score"] == 0.0
    assert "invalid_notebook" in row["status"].split(";") and bool(row["needs_review"])
    assert _autograded_scores(regraded.grades, "x_alice") == {item: 0.0 for item in gh.ITEMS}
    assert "course/autograded/x_alice/fx/fx.ipynb" not in regraded.files  # no graded copy of the old one
    # nor the feedback of the old one, which a later `feedback` run would take for a leak
    assert "course/feedback/x_alice/fx/fx.html" in first.files
    assert "course/feedback/x_alice/fx/fx.html" not in regraded.files
    # the other student was not touched by the re-grade
    bob = regraded.export.set_index("student").loc["x_bob"]
    assert bob["status"] == "ok" and bob["score"] == first.export.set_index("student").loc["x_bob", "score"]


# --- make targets -------------------------------------------------------------------------------------------

_MAKE_ENV_DROP = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")


def _make_n(target: str, **variables: str) -> str:
    """``make -n <target> VAR=value ...`` in the repository: the recipe, printed, not run."""
    env = {k: v for k, v in os.environ.items() if k not in _MAKE_ENV_DROP}  # when pytest runs under make
    env.pop("NBGRADER_EXCHANGE", None)
    env.pop("NMD_COURSE_ID", None)
    cmd = ["make", "-n", "--no-print-directory", "-C", str(REPO_ROOT), target]
    cmd += [f"{k}={v}" for k, v in variables.items()]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _grading_commands(printed: str) -> list[list[str]]:
    """The ``python -m nmd_immuno.grading`` command lines a recipe would run, loops over ``$a`` expanded.

    Each is returned as argv without the interpreter, checked to be the virtual environment's python.
    """
    commands: list[str] = []
    for line in printed.replace("\\\n", " ").splitlines():
        if "-m nmd_immuno.grading" not in line:
            continue
        loop = re.fullmatch(r"\s*set -e; for a in (.*?); do\s+(.*?);\s*done\s*", line)
        if loop is None:
            commands.append(line)
            continue
        body = [part.strip() for part in loop.group(2).split(";") if part.strip()]
        echoes = [b for b in body if b.startswith("echo ")]
        runs = [b for b in body if not b.startswith("echo ")]
        assert len(runs) == 1, body
        # the loop prints what it runs, so the instructor's terminal shows each command
        assert [shlex.split(shlex.split(e)[1]) for e in echoes] == [shlex.split(runs[0])], body
        commands += [runs[0].replace("$a", name) for name in loop.group(1).split()]
    argvs = []
    for command in commands:
        words = shlex.split(command)
        assert words[:3] == [".venv/bin/python", "-m", "nmd_immuno.grading"], command
        argvs.append(words[3:])
    return argvs


def _phony_assignment_targets() -> set[str]:
    text = (REPO_ROOT / "make" / "instructor.mk").read_text(encoding="utf-8").replace("\\\n", " ")
    phony = re.search(r"^\.PHONY:(.*)$", text, re.MULTILINE)
    assert phony, "no .PHONY line in make/instructor.mk"
    return {t for t in phony.group(1).split() if t.startswith("assignments-")}


@pytest.fixture
def course_dir(tmp_path: Path) -> Path:
    """A course folder with two assignments (found by the make targets) and a folder without a notebook."""
    for aid, name in (("b-second", "second.ipynb"), ("a-first", "first.ipynb")):
        (tmp_path / "source" / aid).mkdir(parents=True)
        (tmp_path / "source" / aid / name).write_text("{}", encoding="utf-8")
    (tmp_path / "source" / "c-empty").mkdir()
    return tmp_path


# target -> (make variables beyond the course's, CLI subcommand, expected parsed values per command)
TARGETS: dict[str, tuple[dict[str, str], str, dict[str, object]]] = {
    "assignments-generate": (
        {"ASSIGNMENT": "fx", "DUEDATE": "2026-03-01 23:59"},
        "generate",
        {"assignments": ["fx"], "duedate": "2026-03-01 23:59"},
    ),
    "assignments-release": ({"ASSIGNMENT": "fx"}, "release", {"assignments": ["fx"]}),
    "assignments-collect": ({"ASSIGNMENT": "fx"}, "collect", {"assignments": ["fx"]}),
    "assignments-autograde": (
        {"ASSIGNMENT": "fx", "STUDENT": "alice bob", "WORKERS": "3"},
        "autograde",
        {"assignments": ["fx"], "student": ["alice", "bob"], "workers": 3},
    ),
    "assignments-feedback": (
        {"ASSIGNMENT": "fx", "STUDENT": "alice bob"},
        "feedback",
        {"assignment": "fx", "student": ["alice", "bob"], "release": True},
    ),
    "assignments-export": ({"ASSIGNMENT": "fx"}, "export", {"assignment": "fx", "output": None}),
    "assignments-report": ({"ASSIGNMENT": "fx"}, "report", {"assignment": "fx", "output_dir": None}),
}


def test_every_instructor_target_is_covered() -> None:
    assert _phony_assignment_targets() == set(TARGETS)


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_make_target_expands_to_the_cli_command(target: str, course_dir: Path) -> None:
    variables, command, expected = TARGETS[target]
    course = {"COURSE_DIR": str(course_dir), "EXCHANGE": "/srv/exchange", "COURSE_ID": "cid", "TIMEOUT": "7"}
    argvs = _grading_commands(_make_n(target, **course, **variables))
    assert len(argvs) == 1, argvs
    args = _parser().parse_args(argvs[0])
    assert args.command == command
    assert (args.course_dir, args.exchange, args.course_id, args.timeout) == (
        str(course_dir),
        "/srv/exchange",
        "cid",
        7,
    )
    for key, value in expected.items():
        assert getattr(args, key) == value, (key, argvs[0])


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_make_target_defaults_cover_every_assignment(target: str, course_dir: Path) -> None:
    """Without ASSIGNMENT: one command for all (the CLI's default) or, for feedback and report (one assignment
    per CLI call), one command per assignment folder holding a notebook, in order."""
    _, command, _ = TARGETS[target]
    argvs = _grading_commands(_make_n(target, COURSE_DIR=str(course_dir)))
    parsed = [_parser().parse_args(a) for a in argvs]
    assert {p.command for p in parsed} == {command}
    for p in parsed:
        assert (p.course_dir, p.exchange, p.course_id, p.timeout) == (str(course_dir), None, None, None)
    if command in {"feedback", "report"}:
        assert [p.assignment for p in parsed] == ["a-first", "b-second"]
    else:
        assert len(parsed) == 1
        assert getattr(parsed[0], "assignments", None) in ([], None)
        assert getattr(parsed[0], "assignment", None) is None
    if command == "autograde":
        assert parsed[0].student is None and parsed[0].workers == 1
    if command == "generate":
        assert parsed[0].duedate is None
