"""Check a learner's response to a quiz item and say why it is right or wrong.

Why here and not in the widget: the live widget, a test, an assignment or a workshop dashboard all need the
same verdict, so the decision lives in one pure function. The static page's ``quiz.js`` mirrors these rules
(same tolerance arithmetic, same parsing of "1,5"), and the tests hold the two to the same examples.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from nmd_immuno.quiz.schema import LETTERS, Item, numeric_match

_NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


class QuizResponseError(ValueError):
    """A response that cannot be checked (no option chosen, not a number...); the message says what to do."""


@dataclass(frozen=True)
class OptionFeedback:
    """One option as the learner should see it after checking."""

    letter: str
    text: str
    correct: bool
    chosen: bool
    explanation: str


@dataclass(frozen=True)
class Feedback:
    """The verdict on one response.

    ``chosen`` holds the options the learner picked, each with its explanation; ``missed`` the correct options
    left out (multiple-answer items); ``note`` the numeric feedback (a recognised common error, or the value).
    """

    item_id: str
    correct: bool
    verdict: str
    chosen: tuple[OptionFeedback, ...] = ()
    missed: tuple[OptionFeedback, ...] = ()
    note: str = ""


def parse_number(value: object) -> float:
    """A number from a float or from text (``"2.94"``, ``" 2,94 "``, ``"1e3"``); refuses NaN and infinity."""
    if isinstance(value, bool):
        raise QuizResponseError(f"answer: {value!r} is not a number")
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = re.sub(r"\s+", "", str(value)).replace(",", ".", 1)
        if not _NUMBER.match(text):
            raise QuizResponseError(f"answer: {value!r} is not a number; type digits, e.g. 2.5")
        number = float(text)
    if not math.isfinite(number):
        raise QuizResponseError(f"answer: {value!r} is not a finite number")
    return number


def _option_index(item: Item, choice: object) -> int:
    """An option given as its position (0-based int) or its letter ('B')."""
    count = len(item.options)
    allowed = f"0-{count - 1} or {LETTERS[0]}-{LETTERS[count - 1]}"
    if isinstance(choice, bool):
        raise QuizResponseError(
            f"option: {choice!r} is not an option of item {item.id!r}; allowed: {allowed}"
        )
    if isinstance(choice, int) and 0 <= choice < count:
        return choice
    if isinstance(choice, str) and len(choice.strip()) == 1 and choice.strip().upper() in LETTERS[:count]:
        return LETTERS.index(choice.strip().upper())
    raise QuizResponseError(f"option: {choice!r} is not an option of item {item.id!r}; allowed: {allowed}")


def _option_feedback(item: Item, index: int, chosen: bool) -> OptionFeedback:
    option = item.options[index]
    return OptionFeedback(LETTERS[index], option.text, option.correct, chosen, option.explanation)


def check_response(item: Item, response: object) -> Feedback:
    """Verdict on ``response``: an option (index or letter), several options, or a number, by item type.

    Raises :class:`QuizResponseError` when nothing checkable was given (no choice, text that is not a number).
    """
    if item.type == "numeric":
        return _check_numeric(item, response)
    if item.type == "single":
        if response is None or (isinstance(response, Iterable) and not isinstance(response, str)):
            raise QuizResponseError(f"item {item.id!r}: choose one option")
        picks = [_option_index(item, response)]
    else:
        if response is None or isinstance(response, str | int):
            response = [] if response is None else [response]
        picks = sorted({_option_index(item, choice) for choice in response})  # type: ignore[union-attr]
        if not picks:
            raise QuizResponseError(f"item {item.id!r}: choose at least one option")
    chosen = tuple(_option_feedback(item, index, True) for index in picks)
    correct_set = set(item.correct_indices)
    missed = tuple(
        _option_feedback(item, index, False) for index in item.correct_indices if index not in picks
    )
    is_correct = set(picks) == correct_set
    if is_correct:
        verdict = "Correct."
    elif item.type == "multiple":
        right = len(correct_set.intersection(picks))
        verdict = (
            f"Not quite: {right} of your {len(picks)} choice(s) are correct, "
            f"and {len(correct_set)} options are correct in all."
        )
    else:
        verdict = "Incorrect."
    return Feedback(item.id, is_correct, verdict, chosen, missed if item.type == "multiple" else ())


def _check_numeric(item: Item, response: object) -> Feedback:
    if response is None or (isinstance(response, str) and not response.strip()):
        raise QuizResponseError(f"item {item.id!r}: enter a number")
    value = parse_number(response)
    assert item.answer is not None and item.tolerance is not None
    unit = f" {item.unit}" if item.unit else ""
    if numeric_match(value, item.answer, item.tolerance):
        return Feedback(
            item.id, True, "Correct.", note=f"{_format(value)}{unit} is within the accepted range."
        )
    for error in item.common_errors:
        if numeric_match(value, error.value, error.tolerance):
            return Feedback(item.id, False, "Incorrect.", note=error.explanation)
    return Feedback(
        item.id, False, "Incorrect.", note=f"{_format(value)}{unit} is outside the accepted range."
    )


def _format(value: float) -> str:
    return f"{value:g}"


def answer_text(item: Item) -> str:
    """The key as a learner reads it: 'B' / 'A, C' / '2.94 L (accepted 2.89 to 2.99)'."""
    if item.type != "numeric":
        return ", ".join(f"{LETTERS[i]}. {item.options[i].text}" for i in item.correct_indices)
    assert item.answer is not None and item.tolerance is not None
    unit = f" {item.unit}" if item.unit else ""
    if item.tolerance == 0:
        return f"{_format(item.answer)}{unit}"
    low, high = item.answer - item.tolerance, item.answer + item.tolerance
    return f"{_format(item.answer)}{unit} (accepted {_format(round(low, 10))} to {_format(round(high, 10))})"
