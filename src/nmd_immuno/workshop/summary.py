"""What the instructor sees, computed from the attempts in the store (pure pandas, no widgets).

Two views of correctness, because they answer different questions: the **first attempt** of each
participant says what the cohort knew before the feedback taught them; the **latest** says where they ended.
The answer distribution counts each participant's latest answer once, so a participant who clicks Check ten
times does not outvote the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import pandas as pd

from nmd_immuno.workshop.store import WorkshopInputError


class AnswerStore(Protocol):
    """Where attempts come from: :class:`nmd_immuno.workshop.store.AnswerStore` (the service's own store) or
    :class:`nmd_immuno.workshop.client.AnswersService` (the instructor's kernel, through the service)."""

    def attempts(self, quiz_id: str | None = None) -> pd.DataFrame: ...


ITEM_KEY = ["quiz_id", "item_id"]
SUMMARY_COLUMNS = [
    "quiz_id",
    "item_id",
    "participants",
    "attempts",
    "first_correct_pct",
    "latest_correct_pct",
    "answers",
]
PROGRESS_COLUMNS = [
    "user",
    "items_answered",
    "items_correct",
    "correct_first_try",
    "attempts",
    "last_answer_at",
]
DISTRIBUTION_COLUMNS = ["answer", "participants", "correct", "share_pct"]
WHICH = ("first", "latest")


def _per_participant(attempts: pd.DataFrame, which: str) -> pd.DataFrame:
    """One row per participant and item: their first or latest attempt (order of recording)."""
    ordered = attempts.sort_values("attempt")
    keep = "first" if which == "first" else "last"
    return ordered.drop_duplicates([*ITEM_KEY, "user"], keep=keep)


def _answer_counts(latest: pd.DataFrame) -> dict[str, int]:
    counts = latest["answer"].value_counts()
    ranked = sorted(counts.items(), key=lambda pair: (-pair[1], str(pair[0])))
    return {str(answer): int(count) for answer, count in ranked}


def _check_items(items: Sequence[str], quiz_id: str | None) -> None:
    """``items`` must be a list of distinct, non-empty item ids of one quiz.

    Why so strict: a string is a sequence too (``"q1"`` would list the items 'q', '1'), and a duplicate or an
    empty id would add a row no participant can ever answer.
    """
    allowed = "expected a list of distinct, non-empty item ids (strings), e.g. ['q1', 'q2']"
    if isinstance(items, str) or not isinstance(items, Sequence):
        raise WorkshopInputError(f"items: got {items!r}; {allowed}")
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise WorkshopInputError(f"items: got {list(items)!r}, which contains {item!r}; {allowed}")
    duplicates = sorted({item for item in items if list(items).count(item) > 1})
    if duplicates:
        raise WorkshopInputError(f"items: got {list(items)!r}, which repeats {duplicates!r}; {allowed}")
    if quiz_id is None:
        raise WorkshopInputError(
            f"items: got {list(items)!r} without a quiz_id; give the quiz_id they belong to"
        )


def cohort_summary(
    store: AnswerStore, quiz_id: str | None = None, items: Sequence[str] | None = None
) -> pd.DataFrame:
    """One row per item: participants who answered, attempts, % correct at first and latest attempt, answers.

    ``answers`` maps each latest answer to the number of participants who gave it, most frequent first.
    ``items`` (with ``quiz_id`` only) fixes the rows and their order, e.g. the quiz's reading order: items
    nobody has answered yet appear with 0 participants and no percentage (NaN); answered items missing from
    the list follow at the end. Without it, items appear in the order they were first answered.
    """
    if items is not None:
        _check_items(items, quiz_id)
    attempts = store.attempts(quiz_id)
    first = _per_participant(attempts, "first").set_index(ITEM_KEY)
    latest = _per_participant(attempts, "latest").set_index(ITEM_KEY)
    rows = []
    keys = list(dict.fromkeys(zip(attempts["quiz_id"], attempts["item_id"], strict=True)))
    if items is not None:
        listed = [(quiz_id, item) for item in items]
        keys = listed + [key for key in keys if key not in set(listed)]
    for key in keys:
        answered = attempts[(attempts["quiz_id"] == key[0]) & (attempts["item_id"] == key[1])]
        if answered.empty:
            rows.append((*key, 0, 0, float("nan"), float("nan"), {}))
            continue
        key_first, key_latest = first.loc[[key]], latest.loc[[key]]
        rows.append(
            (
                *key,
                len(key_latest),
                len(answered),
                100.0 * key_first["correct"].mean(),
                100.0 * key_latest["correct"].mean(),
                _answer_counts(key_latest),
            )
        )
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS).astype({"participants": "int64", "attempts": "int64"})


def answer_distribution(
    store: AnswerStore, quiz_id: str, item_id: str, which: str = "latest"
) -> pd.DataFrame:
    """For one item: each answer given, by how many participants, whether it is correct, and its share (%).

    ``which`` is ``"latest"`` (where participants ended) or ``"first"`` (before any feedback).
    """
    if which not in WHICH:
        raise WorkshopInputError(f"which: got {which!r}; expected one of {', '.join(WHICH)}")
    attempts = store.attempts(quiz_id)
    chosen = _per_participant(attempts[attempts["item_id"] == item_id], which)
    if chosen.empty:
        return pd.DataFrame(columns=DISTRIBUTION_COLUMNS).astype(
            {"answer": "string", "participants": "int64", "correct": bool, "share_pct": float}
        )
    table = (
        chosen.groupby("answer", as_index=False)
        .agg(participants=("user", "nunique"), correct=("correct", "any"))
        .sort_values(["participants", "answer"], ascending=[False, True], ignore_index=True)
    )
    table["share_pct"] = 100.0 * table["participants"] / len(chosen)
    return table[DISTRIBUTION_COLUMNS]


def participants_progress(store: AnswerStore, quiz_id: str | None = None) -> pd.DataFrame:
    """One row per participant: items answered, items whose latest answer is correct, items right at the
    first attempt, attempts in all, and the time of the last answer (UTC)."""
    attempts = store.attempts(quiz_id)
    first = _per_participant(attempts, "first")
    latest = _per_participant(attempts, "latest")
    by_user = attempts.groupby("user")
    table = pd.DataFrame(
        {
            "items_answered": latest.groupby("user").size(),
            "items_correct": latest.groupby("user")["correct"].sum(),
            "correct_first_try": first.groupby("user")["correct"].sum(),
            "attempts": by_user.size(),
            "last_answer_at": by_user["recorded_at"].max(),
        }
    )
    table = table.rename_axis("user").reset_index().sort_values("user", ignore_index=True)
    counts = ["items_answered", "items_correct", "correct_first_try", "attempts"]
    return table.astype(dict.fromkeys(counts, "int64"))[PROGRESS_COLUMNS]
