"""The quiz file format and the item-writing conventions it enforces.

Why a strict schema: a quiz item that breaks board-item conventions (two defensible answers, "all of the
above", an unexplained distractor, a "select all" item whose stem does not say so) teaches the wrong thing
silently. Every such fault is refused at load time, with the item's id in the message, so the author of a
YAML file in ``data/quizzes/`` sees exactly which item to fix.

Shape of a file: a quiz has cases; a case has a vignette and a sequence of items (later items may carry a
``followup``, "three months later...", revealed only once the previous item is answered); an item is
``single`` (one best answer), ``multiple`` (two or more correct, announced in the stem) or ``numeric``
(answer, tolerance, unit).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints, model_validator

ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
MIN_OPTIONS = 4
MAX_OPTIONS = 5
LETTERS = "ABCDEFGH"

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Identifier = Annotated[str, StringConstraints(strip_whitespace=True, pattern=ID_PATTERN)]
Finite = Annotated[float, Field(allow_inf_nan=False)]

# Options that are not a single claim ("all of the above", "both A and C") reward test-taking tricks.
_COMPOSITE_OPTION = re.compile(
    r"\b(all|none|any|both|neither)\s+of\s+(the\s+)?(above|below|these|those|following|options|answers)\b"
    r"|\b(both|neither)\s+[A-H]\s+(and|nor|or)\s+[A-H]\b"
    r"|^\s*[A-H]\s+and\s+[A-H]\s*$",
    re.IGNORECASE,
)
_SELECT_ALL = re.compile(r"\bselect\s+all\s+that\s+apply\b", re.IGNORECASE)
_SELECT_N = re.compile(r"\bselect\s+(two|three|four|2|3|4)\b", re.IGNORECASE)
_NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "2": 2, "3": 3, "4": 4}


def _normalise(text: str) -> str:
    """Option text as compared for duplicates: case, spacing and final punctuation ignored."""
    return re.sub(r"\s+", " ", text).strip().rstrip(".;:!").casefold()


class _Strict(BaseModel):
    # extra="forbid": a misspelt key ("explanaton") must fail, not silently drop an explanation.
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(_Strict):
    """One answer option; a wrong option must say why it is wrong. ``references`` cite the explanation of
    this option when it rests on a source the item's own references do not hold (checked by the loader)."""

    text: Text
    correct: StrictBool = False
    explanation: str = ""
    references: list[Text] = Field(default_factory=list)


class CommonError(_Strict):
    """A predictable wrong numeric answer (e.g. forgetting the haematocrit) and the feedback it deserves."""

    value: Finite
    tolerance: Finite = Field(default=0.0, ge=0)
    explanation: Text


class Item(_Strict):
    """One question; ``references`` are bibliography keys (checked against the bibliography by the loader)."""

    id: Identifier
    type: Literal["single", "multiple", "numeric"]
    followup: str = ""
    stem: Text
    options: list[Option] = Field(default_factory=list)
    answer: Finite | None = None
    tolerance: Finite | None = None
    unit: str | None = None
    common_errors: list[CommonError] = Field(default_factory=list)
    explanation: Text
    references: list[Text] = Field(min_length=1)

    @model_validator(mode="after")
    def _conventions(self) -> Item:
        where = f"item {self.id!r}"
        if "?" not in self.stem:
            raise ValueError(f"{where}: the stem must ask a clear question (it contains no '?')")
        if self.type == "numeric":
            self._check_numeric(where)
        else:
            self._check_choice(where)
        return self

    def _check_numeric(self, where: str) -> None:
        if self.options:
            raise ValueError(f"{where}: a numeric item takes 'answer', 'tolerance' and 'unit', not 'options'")
        missing = [name for name in ("answer", "tolerance", "unit") if getattr(self, name) in (None, "")]
        if missing:
            raise ValueError(f"{where}: a numeric item needs {', '.join(missing)}")
        assert self.answer is not None and self.tolerance is not None
        if self.tolerance < 0:
            raise ValueError(f"{where}: tolerance must be >= 0 (given: {self.tolerance})")
        for error in self.common_errors:
            if abs(error.value - self.answer) <= self.tolerance + error.tolerance:
                raise ValueError(
                    f"{where}: common error {error.value} overlaps the accepted answer "
                    f"{self.answer} ± {self.tolerance}"
                )

    def _check_choice(self, where: str) -> None:
        for name in ("answer", "tolerance", "unit"):
            if getattr(self, name) not in (None, ""):
                raise ValueError(f"{where}: '{name}' belongs to numeric items, not to a {self.type!r} item")
        if self.common_errors:
            raise ValueError(f"{where}: 'common_errors' belongs to numeric items")
        count = len(self.options)
        if not MIN_OPTIONS <= count <= MAX_OPTIONS:
            raise ValueError(f"{where}: needs {MIN_OPTIONS}-{MAX_OPTIONS} options, found {count}")
        seen: dict[str, int] = {}
        for number, option in enumerate(self.options):
            letter = LETTERS[number]
            if _COMPOSITE_OPTION.search(option.text):
                raise ValueError(
                    f"{where}, option {letter}: {option.text!r} is a composite option "
                    "('all/none of the above', 'both A and B'); write one claim per option"
                )
            key = _normalise(option.text)
            if key in seen:
                raise ValueError(
                    f"{where}, option {letter}: duplicate of option {LETTERS[seen[key]]} ({option.text!r})"
                )
            seen[key] = number
            if not option.correct and not option.explanation.strip():
                raise ValueError(
                    f"{where}, option {letter}: a wrong option needs an explanation of why it is wrong"
                )
        correct = sum(option.correct for option in self.options)
        if self.type == "single":
            if correct != 1:
                raise ValueError(
                    f"{where}: a single-answer item needs exactly one correct option, found {correct}"
                )
            if _SELECT_ALL.search(self.stem) or _SELECT_N.search(self.stem):
                raise ValueError(f"{where}: the stem asks to select several options but the type is 'single'")
            return
        if correct < 2:
            raise ValueError(
                f"{where}: a multiple-answer item needs at least two correct options, found {correct}"
            )
        if correct == count:
            raise ValueError(
                f"{where}: every option is correct; a multiple-answer item needs a wrong option too"
            )
        announced = _SELECT_N.search(self.stem)
        if announced:
            expected = _NUMBER_WORDS[announced.group(1).lower()]
            if expected != correct:
                raise ValueError(
                    f"{where}: the stem says 'Select {announced.group(1)}' but {correct} options are correct"
                )
        elif not _SELECT_ALL.search(self.stem):
            raise ValueError(
                f"{where}: a multiple-answer stem must say 'Select all that apply' "
                "or 'Select TWO' (or THREE...)"
            )

    @property
    def correct_indices(self) -> tuple[int, ...]:
        """Positions of the correct options (empty for numeric items)."""
        return tuple(number for number, option in enumerate(self.options) if option.correct)


class Case(_Strict):
    """A vignette and its sequence of items; item *k+1* is shown once item *k* has been answered."""

    id: Identifier
    title: Text
    vignette: Text
    items: list[Item] = Field(min_length=1)


class Quiz(_Strict):
    """A chapter's quiz: ``data/quizzes/<id>.yaml``."""

    id: Identifier
    title: Text
    description: str = ""
    cases: list[Case] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> Quiz:
        seen: dict[str, str] = {}
        for case in self.cases:
            entries = [
                (case.id, "a case"),
                *((item.id, f"an item of case {case.id!r}") for item in case.items),
            ]
            for identifier, what in entries:
                if identifier in seen:
                    raise ValueError(f"duplicate id {identifier!r}: used by {seen[identifier]} and by {what}")
                seen[identifier] = what
        return self

    def items(self) -> Iterator[tuple[Case, Item]]:
        """Every item with its case, in reading order."""
        for case in self.cases:
            for item in case.items:
                yield case, item

    def item(self, item_id: str) -> Item:
        """Look an item up by id (KeyError names the available ids)."""
        for _, item in self.items():
            if item.id == item_id:
                return item
        raise KeyError(f"quiz {self.id!r} has no item {item_id!r}; items: {[i.id for _, i in self.items()]}")


def numeric_match(value: float, target: float, tolerance: float) -> bool:
    """Whether ``value`` is within ``tolerance`` of ``target`` (float round-off forgiven, as in quiz.js)."""
    return math.isfinite(value) and abs(value - target) <= tolerance + 1e-9 * max(1.0, abs(target))
