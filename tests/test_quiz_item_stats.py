"""Item statistics written back beside the items (nmd_immuno.grading.item_stats), from a real small report.

The report comes from a real nbgrader gradebook: the fixture assignment is generated with nbgrader, six
students' submissions are added through nbgrader's own Gradebook API with chosen scores, and the course's
``write_item_report`` (what ``make assignments-report`` runs) analyses it and writes the statistics back.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import grading_helpers as gh
import pandas as pd
import pytest

from nmd_immuno.grading import workflow
from nmd_immuno.grading.cli import _parser
from nmd_immuno.grading.gradebook import open_gradebook
from nmd_immuno.grading.item_stats import load_item_stats, weakest_items, write_item_stats
from nmd_immuno.grading.report import write_item_report

FX = gh.FIXTURE_ID
# Fraction of each item's points per student: q1 easy for all, q2 and q3 follow ability, q4 is answered right
# by the weakest students only (a miskeyed item), q5 (the written answer) by nobody.
ABILITY_ORDER = ["s1", "s2", "s3", "s4", "s5", "s6"]  # strongest first
SCORES = {
    "q1_tests": [1, 1, 1, 1, 1, 1],
    "q2_tests": [1, 1, 1, 0, 0, 0],
    "q3_tests": [1, 1, 1, 1, 0, 0],
    "q4_tests": [0, 0, 0, 1, 1, 1],
    "q5_answer": [0, 0, 0, 0, 0, 0],
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory):
    course = gh.make_course(tmp_path_factory.mktemp("stats") / "course")
    workflow.generate(course)
    with open_gradebook(course) as gb:
        for number, student in enumerate(ABILITY_ORDER):
            gb.add_student(student)
            submission = gb.add_submission(FX, student)
            for grade in submission.notebooks[0].grades:
                fraction = SCORES[grade.name][number]
                if grade.name == "q5_answer":
                    grade.manual_score = fraction * grade.max_score
                else:
                    grade.auto_score = fraction * grade.max_score
                grade.needs_manual_grade = False
            gb.db.commit()
    return course


def test_a_real_report_is_written_back_beside_the_items(graded, tmp_path: Path) -> None:
    stats_dir = tmp_path / "item_stats"
    paths = write_item_report(graded, FX, tmp_path / "reports", stats_dir=stats_dir)
    stats_path = stats_dir / f"{FX}.csv"
    assert stats_path in paths
    stats = load_item_stats(FX, folder=stats_dir)
    assert set(stats["item"]) == set(SCORES)
    row = stats.set_index("item")
    assert row.loc["q2_tests", "difficulty"] == pytest.approx(0.5)
    assert row.loc["q1_tests", "difficulty"] == pytest.approx(1.0)
    assert (row["n"] == len(ABILITY_ORDER)).all()
    assert (row["date"] == dt.date.today().isoformat()).all()
    assert "negative_discrimination" in row.loc["q4_tests", "flags"]
    assert row.loc["q4_tests", "point_biserial"] < 0
    # Weakest first: the miskeyed item leads, the good items come last.
    assert stats["item"].iloc[0] == "q4_tests"
    assert set(stats["item"].iloc[-2:]) == {"q2_tests", "q3_tests"}
    assert weakest_items(FX, 1, folder=stats_dir) == ["q4_tests"]
    assert "q2_tests" not in weakest_items(FX, 10, folder=stats_dir)  # unflagged items are not "weak"


def test_a_later_report_updates_its_items_and_keeps_the_others(tmp_path: Path) -> None:
    first = pd.DataFrame(
        {
            "item": ["a", "b"],
            "difficulty": [0.5, 0.95],
            "point_biserial": [0.4, 0.1],
            "discrimination_ul": [0.5, 0.0],
            "n": [20, 20],
            "flags": ["", "too_easy;low_discrimination"],
        }
    )
    write_item_stats(first, "a1", folder=tmp_path, date=dt.date(2026, 11, 1))
    second = first.iloc[[0]].assign(
        difficulty=0.2, point_biserial=-0.3, flags="too_hard;negative_discrimination"
    )
    write_item_stats(second, "a1", folder=tmp_path, date=dt.date(2026, 12, 1))
    stats = load_item_stats("a1", folder=tmp_path).set_index("item")
    assert stats.loc["a", "date"] == "2026-12-01" and stats.loc["a", "difficulty"] == pytest.approx(0.2)
    assert stats.loc["b", "date"] == "2026-11-01"  # kept
    assert weakest_items("a1", 2, folder=tmp_path) == ["a", "b"]


def test_bad_input_names_the_field() -> None:
    with pytest.raises(ValueError, match="analysis: missing columns"):
        write_item_stats(pd.DataFrame({"item": ["a"]}), "a1")
    with pytest.raises(ValueError, match=r"assignment: got '\.\./x'"):
        load_item_stats("../x")
    with pytest.raises(ValueError, match="count: got -1"):
        weakest_items("a1", -1)


def test_the_cli_takes_the_stats_folder() -> None:
    args = _parser().parse_args(["report", "fx", "--item-stats", "data/quizzes/item_stats"])
    assert args.item_stats == Path("data/quizzes/item_stats")
    assert _parser().parse_args(["report", "fx"]).item_stats is None


def test_make_assignments_report_passes_the_stats_folder(tmp_path: Path) -> None:
    """``make assignments-report ITEM_STATS=...`` runs the report with --item-stats (and without it, not)."""
    from test_grading_cli import _grading_commands, _make_n

    (tmp_path / "source" / "a1").mkdir(parents=True)
    (tmp_path / "source" / "a1" / "a1.ipynb").write_text("{}", encoding="utf-8")
    with_stats = _grading_commands(
        _make_n("assignments-report", COURSE_DIR=str(tmp_path), ITEM_STATS="data/quizzes/item_stats")
    )
    (args,) = [_parser().parse_args(argv) for argv in with_stats]
    assert args.assignment == "a1" and args.item_stats == Path("data/quizzes/item_stats")
    (plain,) = [
        _parser().parse_args(a)
        for a in _grading_commands(_make_n("assignments-report", COURSE_DIR=str(tmp_path)))
    ]
    assert plain.item_stats is None
