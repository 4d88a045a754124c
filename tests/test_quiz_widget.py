"""The live ipywidgets quiz: checks answers through the package, shows the explanations, reveals the case
stage by stage, and resets. Driven as a learner would (set the control, click the button)."""

from __future__ import annotations

import pytest

from nmd_immuno.quiz import load_quiz
from nmd_immuno.quiz.schema import Item
from nmd_immuno.widgets.quiz import HIDDEN, CaseView, QuizWidget, quiz_widget


@pytest.fixture
def widget() -> QuizWidget:
    return quiz_widget("myasthenia_gravis")


def first_multistep_case(widget: QuizWidget) -> CaseView:
    return next(case for case in widget.cases if len(case.items) >= 3)


def visible(box: object) -> bool:
    return box.layout.display != HIDDEN  # type: ignore[attr-defined]


def wrong_index(item: Item) -> int:
    return next(i for i, option in enumerate(item.options) if not option.correct)


def test_every_item_of_the_quiz_has_a_view(widget: QuizWidget) -> None:
    assert list(widget.items) == [item.id for _, item in load_quiz("myasthenia_gravis").items()]


def test_a_wrong_then_the_right_answer_on_a_single_item(widget: QuizWidget) -> None:
    case = first_multistep_case(widget)
    view, item = case.items[0], case.items[0].item
    assert not visible(case.stages[1])

    wrong = wrong_index(item)
    view.control.value = wrong
    view.check_button.click()
    assert "Incorrect." in view.feedback.value
    assert item.options[wrong].explanation.split()[0] in view.feedback.value
    assert visible(view.reveal_button) and not visible(view.key)
    assert not visible(case.stages[1]), "the case must not continue before the item is answered"

    (key,) = item.correct_indices
    view.control.value = key
    view.check_button.click()
    assert "Correct." in view.feedback.value
    assert visible(view.key) and not visible(view.reveal_button)
    assert item.explanation.split()[0] in view.key.value
    assert "References" in view.key.value
    assert visible(case.stages[1]), "answering reveals the next stage"
    assert "continues below" in view.feedback.value


def test_show_answer_resolves_without_a_correct_answer(widget: QuizWidget) -> None:
    case = first_multistep_case(widget)
    view = case.items[0]
    view.control.value = wrong_index(view.item)
    view.check_button.click()
    view.reveal_button.click()
    assert view.resolved and visible(view.key) and visible(case.stages[1])
    assert "Incorrect." in view.feedback.value  # the verdict stays honest


def test_nothing_chosen_asks_for_an_answer(widget: QuizWidget) -> None:
    view = first_multistep_case(widget).items[0]
    view.check_button.click()
    assert "choose one option" in view.feedback.value
    assert not view.resolved


def test_multiple_answer_item(widget: QuizWidget) -> None:
    view = next(v for v in widget.items.values() if v.item.type == "multiple")
    key = view.item.correct_indices
    view.checkboxes[key[0]].value = True
    view.check_button.click()
    assert "Not quite" in view.feedback.value and not view.resolved
    view.checkboxes[key[1]].value = True
    view.check_button.click()
    assert "Correct." in view.feedback.value and view.resolved


def test_numeric_item_and_its_common_errors(widget: QuizWidget) -> None:
    view = next(v for v in widget.items.values() if v.item.type == "numeric")
    item = view.item
    assert item.answer is not None and item.tolerance is not None
    if item.common_errors:
        view.control.value = item.common_errors[0].value
        view.check_button.click()
        assert "Incorrect." in view.feedback.value
        assert item.common_errors[0].explanation.split()[0] in view.feedback.value
    view.control.value = item.answer + item.tolerance / 2
    view.check_button.click()
    assert "Correct." in view.feedback.value and view.resolved


def test_try_again_and_restart(widget: QuizWidget) -> None:
    case = first_multistep_case(widget)
    first, second = case.items[0], case.items[1]
    first.control.value = first.item.correct_indices[0]
    first.check_button.click()
    assert visible(case.stages[1])
    first.retry_button.click()
    assert first.control.value is None and first.feedback.value == "" and not visible(first.key)
    assert visible(case.stages[1]), "trying an item again keeps the later stages"
    second.check_button.click()
    case.restart_button.click()
    assert not any(visible(stage) for stage in case.stages[1:])
    assert second.feedback.value == "" and not second.resolved
