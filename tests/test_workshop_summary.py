"""The instructor's numbers: first attempt and latest per participant, answer distribution by participant,
progress per participant. A small cohort is recorded in a real store and the figures are counted by hand."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from nmd_immuno.workshop import (
    AnswerStore,
    WorkshopInputError,
    answer_distribution,
    cohort_summary,
    participants_progress,
)


@pytest.fixture
def store(tmp_path: Path) -> AnswerStore:
    """q1: ana wrong (B) then right (A); ben right (A); cleo wrong (C) twice. q2: ana right.
    Another quiz: dan."""
    store = AnswerStore(tmp_path / "answers.sqlite")
    for user, item, answer, correct in [
        ("ana", "q1", "B", False),
        ("ben", "q1", "A", True),
        ("ana", "q1", "A", True),
        ("cleo", "q1", "C", False),
        ("cleo", "q1", "C", False),
        ("ana", "q2", "42", True),
    ]:
        store.record(user, "mg", item, answer, correct)
    store.record("dan", "cidp", "q1", "D", True)
    return store


def test_summary_per_item_first_attempt_latest_and_answers(store: AnswerStore) -> None:
    summary = cohort_summary(store, "mg").set_index("item_id")
    q1 = summary.loc["q1"]
    assert q1["participants"] == 3 and q1["attempts"] == 5
    assert q1["first_correct_pct"] == pytest.approx(100 / 3)  # only ben was right at once
    assert q1["latest_correct_pct"] == pytest.approx(200 / 3)  # ana corrected herself
    assert q1["answers"] == {"A": 2, "C": 1}, "one latest answer per participant, most frequent first"
    q2 = summary.loc["q2"]
    assert (q2["participants"], q2["first_correct_pct"], q2["answers"]) == (1, 100.0, {"42": 1})


def test_summary_of_every_quiz_keeps_quizzes_apart(store: AnswerStore) -> None:
    summary = cohort_summary(store)
    assert list(zip(summary["quiz_id"], summary["item_id"], strict=True)) == [
        ("mg", "q1"),
        ("mg", "q2"),
        ("cidp", "q1"),
    ]
    assert summary.set_index(["quiz_id", "item_id"]).loc[("cidp", "q1"), "participants"] == 1


def test_listed_items_fix_the_rows_and_unanswered_items_show_no_percentage(store: AnswerStore) -> None:
    summary = cohort_summary(store, "mg", items=["q3", "q2"])
    assert list(summary["item_id"]) == ["q3", "q2", "q1"]
    q3 = summary.iloc[0]
    assert q3["participants"] == 0 and math.isnan(q3["first_correct_pct"]) and q3["answers"] == {}


def test_items_need_their_quiz(store: AnswerStore) -> None:
    with pytest.raises(WorkshopInputError, match=r"items: got \['q1'\] without a quiz_id"):
        cohort_summary(store, items=["q1"])


@pytest.mark.parametrize(
    ("items", "fault"),
    [
        ("q1", "got 'q1'"),
        (["q1", "q2", "q1"], "repeats ['q1']"),
        (["q1", ""], "contains ''"),
        (["q1", "  "], "contains '  '"),
        (["q1", 3], "contains 3"),
    ],
)
def test_listed_items_must_be_distinct_non_empty_ids(store: AnswerStore, items: object, fault: str) -> None:
    with pytest.raises(WorkshopInputError) as caught:
        cohort_summary(store, "mg", items=items)  # type: ignore[arg-type]
    message = str(caught.value)
    assert message.startswith("items: got ") and fault in message
    assert "expected a list of distinct, non-empty item ids" in message


def test_an_empty_store_gives_empty_tables(tmp_path: Path) -> None:
    empty = AnswerStore(tmp_path / "none.sqlite")
    assert cohort_summary(empty).empty
    assert participants_progress(empty).empty
    assert answer_distribution(empty, "mg", "q1").empty


def test_answer_distribution_latest_and_first(store: AnswerStore) -> None:
    latest = answer_distribution(store, "mg", "q1")
    assert list(latest["answer"]) == ["A", "C"]
    assert list(latest["participants"]) == [2, 1]
    assert list(latest["correct"]) == [True, False]
    assert latest["share_pct"].tolist() == pytest.approx([200 / 3, 100 / 3])
    first = answer_distribution(store, "mg", "q1", which="first")
    assert dict(zip(first["answer"], first["participants"], strict=True)) == {"A": 1, "B": 1, "C": 1}


def test_answer_distribution_refuses_an_unknown_view(store: AnswerStore) -> None:
    with pytest.raises(WorkshopInputError, match=r"which: got 'best'; expected one of first, latest"):
        answer_distribution(store, "mg", "q1", which="best")


def test_participants_progress(store: AnswerStore) -> None:
    progress = participants_progress(store, "mg").set_index("user")
    assert list(progress.index) == ["ana", "ben", "cleo"]
    assert progress.loc["ana"].to_dict() | {"last_answer_at": None} == {
        "items_answered": 2,
        "items_correct": 2,
        "correct_first_try": 1,
        "attempts": 3,
        "last_answer_at": None,
    }
    assert (progress.loc["cleo", "items_correct"], progress.loc["cleo", "attempts"]) == (0, 2)
    every = store.attempts("mg")
    assert progress.loc["ana", "last_answer_at"] == every[every["user"] == "ana"]["recorded_at"].max()
    assert "dan" in set(participants_progress(store)["user"])
