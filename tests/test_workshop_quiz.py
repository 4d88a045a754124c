"""The live quiz in a workshop: each checked answer goes to the shared store as the participant's, in the
letters the dashboard shows; without a store nothing is recorded; a broken store never breaks the quiz."""

from __future__ import annotations

import getpass
from pathlib import Path

import pytest

from nmd_immuno.quiz import load_quiz, quiz_widget
from nmd_immuno.quiz.schema import LETTERS
from nmd_immuno.quiz.widget import ItemView, QuizWidget
from nmd_immuno.workshop import ENV_VAR, AnswerStore

QUIZ = "myasthenia_gravis"


@pytest.fixture
def workshop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AnswerStore:
    path = tmp_path / "shared" / "answers.sqlite"
    monkeypatch.setenv(ENV_VAR, str(path))
    monkeypatch.setenv("JUPYTERHUB_USER", "resident-1")
    return AnswerStore(path)


def single_item(widget: QuizWidget) -> ItemView:
    return next(view for view in widget.items.values() if view.item.type == "single")


def test_checked_answers_are_recorded_as_the_hub_user(workshop: AnswerStore) -> None:
    widget = quiz_widget(QUIZ)
    assert "recorded as <b>resident-1</b>" in widget.children[0].value, "participants are told"
    view = single_item(widget)
    wrong = next(i for i, option in enumerate(view.item.options) if not option.correct)
    view.control.value = wrong
    view.check_button.click()
    view.control.value = view.item.correct_indices[0]
    view.check_button.click()

    attempts = workshop.attempts(QUIZ)
    assert list(attempts["user"]) == ["resident-1", "resident-1"]
    assert set(attempts["item_id"]) == {view.item.id}
    assert list(attempts["answer"]) == [LETTERS[wrong], LETTERS[view.item.correct_indices[0]]]
    assert list(attempts["correct"]) == [False, True]
    assert "not recorded" not in view.feedback.value


def test_multiple_and_numeric_answers_are_recorded_as_letters_and_numbers(workshop: AnswerStore) -> None:
    widget = quiz_widget(QUIZ)
    multiple = next(v for v in widget.items.values() if v.item.type == "multiple")
    for index in multiple.item.correct_indices:
        multiple.checkboxes[index].value = True
    multiple.check_button.click()
    numeric = next(v for v in widget.items.values() if v.item.type == "numeric")
    numeric.control.value = 12.5
    numeric.check_button.click()

    recorded = workshop.attempts(QUIZ).set_index("item_id")
    assert recorded.loc[multiple.item.id, "answer"] == "+".join(
        LETTERS[i] for i in multiple.item.correct_indices
    )
    assert bool(recorded.loc[multiple.item.id, "correct"]) is True
    assert recorded.loc[numeric.item.id, "answer"] == "12.5"


def test_an_incomplete_answer_is_not_recorded(workshop: AnswerStore) -> None:
    view = single_item(quiz_widget(QUIZ))
    view.check_button.click()  # nothing chosen: the quiz asks for an answer
    assert workshop.attempts().empty


def test_without_a_workshop_nothing_is_recorded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    widget = quiz_widget(QUIZ)
    assert widget.store is None and "recorded as" not in widget.children[0].value
    view = single_item(widget)
    view.control.value = view.item.correct_indices[0]
    view.check_button.click()
    assert "Correct." in view.feedback.value


def test_an_unavailable_store_leaves_the_quiz_working_with_a_note(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    widget = QuizWidget(load_quiz(QUIZ), store=AnswerStore(blocker / "answers.sqlite"))
    view = single_item(widget)
    view.control.value = view.item.correct_indices[0]
    view.check_button.click()
    assert "Correct." in view.feedback.value and view.resolved
    assert "this answer was not recorded" in view.feedback.value
    assert "StoreUnavailable" in view.feedback.value


def test_numeric_answers_are_recorded_in_full(workshop: AnswerStore) -> None:
    widget = quiz_widget(QUIZ)
    numeric = next(v for v in widget.items.values() if v.item.type == "numeric")
    for value in (1234567.0, 1234568.0):
        numeric.control.value = value
        numeric.check_button.click()
    assert list(workshop.attempts(QUIZ)["answer"]) == ["1234567.0", "1234568.0"]


def test_an_unknown_user_turns_recording_off_with_a_note(
    workshop: AnswerStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A uid without a passwd entry and no JUPYTERHUB_USER: getpass fails, the quiz must still be built."""

    def no_passwd_entry() -> str:
        raise KeyError("getpwuid(): uid not found: 4242")

    monkeypatch.delenv("JUPYTERHUB_USER")
    monkeypatch.setattr(getpass, "getuser", no_passwd_entry)
    widget = quiz_widget(QUIZ)
    assert widget.store is None and widget.user is None
    assert "not recorded" in widget.children[0].value and "uid not found: 4242" in widget.children[0].value
    view = single_item(widget)
    view.control.value = view.item.correct_indices[0]
    view.check_button.click()
    assert "Correct." in view.feedback.value
    assert not workshop.path.exists(), "nothing is recorded"
