"""check_response: the one place where a response becomes a verdict (used by the widget, mirrored by
quiz.js)."""

from __future__ import annotations

import pytest

from nmd_immuno.quiz import QuizResponseError, check_response, load_quiz
from nmd_immuno.quiz.answers import answer_text, parse_number
from nmd_immuno.quiz.schema import LETTERS, Item


def items_of_type(kind: str) -> list[Item]:
    return [
        item
        for quiz_id in ("myasthenia_gravis", "principles")
        for _, item in load_quiz(quiz_id).items()
        if item.type == kind
    ]


@pytest.mark.parametrize("item", items_of_type("single"), ids=lambda item: item.id)
def test_single_items_accept_only_their_key(item: Item) -> None:
    (key,) = item.correct_indices
    for index, option in enumerate(item.options):
        feedback = check_response(item, index)
        assert feedback.correct is (index == key)
        assert feedback.verdict == ("Correct." if index == key else "Incorrect.")
        # The learner sees why the chosen option is right or wrong, and only that option.
        assert [o.text for o in feedback.chosen] == [option.text]
        if index != key:
            assert feedback.chosen[0].explanation == option.explanation
    assert check_response(item, LETTERS[key].lower()).correct


@pytest.mark.parametrize("item", items_of_type("multiple"), ids=lambda item: item.id)
def test_multiple_items_need_exactly_the_correct_set(item: Item) -> None:
    key = list(item.correct_indices)
    wrong = [i for i in range(len(item.options)) if i not in key]
    assert check_response(item, key).correct
    assert check_response(
        item, [LETTERS[i] for i in reversed(key)]
    ).correct  # order and letters do not matter
    partial = check_response(item, key[:1])
    assert not partial.correct
    assert f"1 of your 1 choice(s) are correct, and {len(key)} options are correct" in partial.verdict
    assert [o.letter for o in partial.missed] == [LETTERS[i] for i in key[1:]]
    too_many = check_response(item, [*key, wrong[0]])
    assert not too_many.correct
    assert {o.letter for o in too_many.chosen if not o.correct} == {LETTERS[wrong[0]]}
    assert item.options[wrong[0]].explanation in [o.explanation for o in too_many.chosen]


@pytest.mark.parametrize("item", items_of_type("numeric"), ids=lambda item: item.id)
def test_numeric_items_check_within_the_tolerance(item: Item) -> None:
    assert item.answer is not None and item.tolerance is not None
    edge = item.answer + item.tolerance
    assert check_response(item, item.answer).correct
    assert check_response(item, edge).correct
    assert check_response(item, f" {edge} ".replace(".", ",")).correct  # a decimal comma is accepted
    outside = item.answer + item.tolerance + max(1.0, abs(item.answer)) * 0.5
    assert not check_response(item, outside).correct
    for error in item.common_errors:
        feedback = check_response(item, error.value)
        assert not feedback.correct
        assert feedback.note == error.explanation


@pytest.mark.parametrize(
    ("kind", "response", "message"),
    [
        ("single", None, "choose one option"),
        ("single", 9, "not an option"),
        ("single", "Z", "not an option"),
        ("single", True, "not an option"),
        ("single", [0], "choose one option"),
        ("multiple", [], "choose at least one option"),
        ("multiple", None, "choose at least one option"),
        ("multiple", [0, 42], "not an option"),
        ("numeric", "", "enter a number"),
        ("numeric", "about three", "not a number"),
        ("numeric", "nan", "not a number"),
        ("numeric", float("inf"), "not a finite number"),
    ],
)
def test_uncheckable_responses_explain_what_to_do(kind: str, response: object, message: str) -> None:
    item = items_of_type(kind)[0]
    with pytest.raises(QuizResponseError, match=message):
        check_response(item, response)


@pytest.mark.parametrize(
    ("text", "value"),
    [("2.94", 2.94), ("2,94", 2.94), (" 1 000 ", 1000.0), ("-3", -3.0), (".5", 0.5), ("1e3", 1000.0)],
)
def test_parse_number_reads_what_learners_type(text: str, value: float) -> None:
    assert parse_number(text) == pytest.approx(value)


def test_answer_text_names_the_key() -> None:
    single = items_of_type("single")[0]
    (key,) = single.correct_indices
    assert answer_text(single) == f"{LETTERS[key]}. {single.options[key].text}"
    numeric = next(i for i in items_of_type("numeric") if i.tolerance)
    assert answer_text(numeric).startswith(f"{numeric.answer:g} {numeric.unit} (accepted ")
