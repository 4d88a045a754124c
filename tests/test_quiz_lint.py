"""The item linter (nmd_immuno.quiz.lint): every quiz file is clean, and each rule fires on an item that
breaks it (so a clean result means something)."""

from __future__ import annotations

import pytest

from nmd_immuno.quiz import available_quizzes, load_quiz
from nmd_immuno.quiz.lint import LintRules, lint_item, lint_quiz
from nmd_immuno.quiz.schema import Item, Option

GOOD = Item(
    id="good",
    type="single",
    stem="Which precondition applies before eculizumab?",
    options=[
        Option(text="Hepatitis B serology first", explanation="Rituximab.", references=["label_rituximab"]),
        Option(text="Meningococcal vaccines first", correct=True, explanation="Label."),
        Option(text="TPMT and NUDT15 testing first", explanation="Thiopurines."),
        Option(text="A live zoster vaccine first", explanation="No."),
    ],
    explanation="Why.",
    references=["label_complement_inhibitors"],
)


def _rules(item: Item) -> set[str]:
    return {finding.rule for finding in lint_item(item)}


def _with_options(*options: Option, stem: str | None = None) -> Item:
    update: dict = {"options": list(options)}
    if stem:
        update["stem"] = stem
    return GOOD.model_copy(update=update)


@pytest.mark.parametrize("quiz_id", available_quizzes())
def test_every_quiz_file_passes_the_linter(quiz_id: str) -> None:
    findings = lint_quiz(load_quiz(quiz_id))
    assert not findings, "\n".join(str(f) for f in findings)


def test_principles_quiz_has_twelve_single_best_answer_items_cited_per_option() -> None:
    items = [item for _, item in load_quiz("principles").items()]
    assert len(items) >= 12
    new = [
        i
        for i in items
        if i.id
        in {
            "pr-complement-vaccines",
            "pr-fcrn-live-vaccines",
            "pr-mg-prednisone-start",
            "pr-methotrexate-weekly",
        }
    ]
    assert len(new) == 4
    for item in new:
        assert item.type == "single" and len(item.correct_indices) == 1
        for option in item.options:
            assert option.explanation.strip() and option.references, (item.id, option.text)


def test_a_clean_item_has_no_finding() -> None:
    assert lint_item(GOOD) == []


def test_negative_lead_in_needs_emphasis() -> None:
    assert "negative-lead-in" in _rules(GOOD.model_copy(update={"stem": "Which is not a precondition?"}))
    assert "negative-lead-in" in _rules(GOOD.model_copy(update={"stem": "All are needed except which?"}))
    assert "negative-lead-in" not in _rules(GOOD.model_copy(update={"stem": "Which is NOT a precondition?"}))
    # A negative word in the vignette part of the stem is not the lead-in.
    stem = "She did not respond to IVIG. Which precondition applies before eculizumab?"
    assert "negative-lead-in" not in _rules(GOOD.model_copy(update={"stem": stem}))


def test_all_or_none_of_the_above_is_flagged() -> None:
    # The schema refuses the common forms; the linter also catches "all are correct" and "none of them".
    item = GOOD.model_copy(
        update={"options": [*GOOD.options[:3], Option(text="All are correct", explanation="No.")]}
    )
    assert "all-none-of-the-above" in _rules(item)


def test_single_best_answer_needs_exactly_one_key() -> None:
    two_keys = GOOD.model_copy(
        update={"options": [GOOD.options[0].model_copy(update={"correct": True}), *GOOD.options[1:]]}
    )
    assert "single-best-answer" in _rules(two_keys)


def test_every_option_is_explained_including_the_key() -> None:
    options = [GOOD.options[0], GOOD.options[1].model_copy(update={"explanation": ""}), *GOOD.options[2:]]
    assert "explained" in _rules(GOOD.model_copy(update={"options": options}))


def test_citations_must_resolve() -> None:
    options = [GOOD.options[0].model_copy(update={"references": ["nosuchkey2099"]}), *GOOD.options[1:]]
    assert "cited" in _rules(GOOD.model_copy(update={"options": options}))
    assert "cited" in _rules(GOOD.model_copy(update={"references": ["nosuchkey2099"]}))


def test_a_key_much_longer_than_its_distractors_is_flagged() -> None:
    long_key = GOOD.options[1].model_copy(
        update={"text": "Meningococcal vaccines MenACWY and MenB at least two weeks before"}
    )
    rules = _rules(GOOD.model_copy(update={"options": [GOOD.options[0], long_key, *GOOD.options[2:]]}))
    assert "key-longest" in rules
    assert "key-longest" not in _rules(GOOD)
    relaxed = lint_item(
        GOOD.model_copy(update={"options": [GOOD.options[0], long_key, *GOOD.options[2:]]}),
        LintRules(max_key_length_ratio=5.0),
    )
    assert "key-longest" not in {finding.rule for finding in relaxed}


def test_options_wildly_different_in_length_are_flagged() -> None:
    short = GOOD.options[3].model_copy(update={"text": "None"})
    assert "homogeneous-length" in _rules(GOOD.model_copy(update={"options": [*GOOD.options[:3], short]}))


def test_options_of_different_form_are_flagged() -> None:
    stop = GOOD.options[0].model_copy(update={"text": "Hepatitis B serology first."})
    assert "homogeneous-form" in _rules(GOOD.model_copy(update={"options": [stop, *GOOD.options[1:]]}))
    numbers = [
        Option(text="Plasma exchange", explanation="a"),
        Option(text="375 mg/m2 weekly", correct=True, explanation="b"),
        Option(text="Corticosteroids", explanation="c"),
        Option(text="Azathioprine", explanation="d"),
    ]
    assert "homogeneous-form" in _rules(GOOD.model_copy(update={"options": numbers}))


def test_a_key_that_alone_breaks_a_shared_opening_is_flagged() -> None:
    options = [
        Option(text="Thymectomy is indicated now", explanation="a"),
        Option(text="Thymectomy is indicated later", explanation="b"),
        Option(text="Thymectomy is indicated if older", explanation="c"),
        Option(text="Advise against thymectomy", correct=True, explanation="d"),
    ]
    assert "key-odd-one-out" in _rules(GOOD.model_copy(update={"options": options}))
