"""The live quiz in a workshop: each checked answer is posted to the hub's answers service in the letters the
dashboard shows, with a fresh answer id; without a service nothing is posted; a failing service never breaks
the quiz. (The real service, with real users and tokens: test_workshop_hub.py.)"""

from __future__ import annotations

import pytest

from nmd_immuno.quiz import load_quiz
from nmd_immuno.quiz.schema import LETTERS
from nmd_immuno.widgets.quiz import ItemView, QuizWidget, quiz_widget
from nmd_immuno.workshop import SERVICE_VAR, AnswersService, ServiceError

QUIZ = "myasthenia_gravis"


class FakeService:
    """Stands in for :class:`AnswersService`: keeps what would be posted."""

    def __init__(self, error: Exception | None = None) -> None:
        self.posted: list[tuple[str, str, object]] = []
        self.error = error

    def record(self, quiz_id: str, item_id: str, answer: object, answer_id: str | None = None) -> dict:
        if self.error is not None:
            raise self.error
        self.posted.append((quiz_id, item_id, answer))
        return {"recorded": True}


@pytest.fixture
def service(monkeypatch: pytest.MonkeyPatch) -> FakeService:
    monkeypatch.setenv("JUPYTERHUB_USER", "resident-1")
    return FakeService()


def single_item(widget: QuizWidget) -> ItemView:
    return next(view for view in widget.items.values() if view.item.type == "single")


def test_checked_answers_are_posted_and_the_participant_is_told(service: FakeService) -> None:
    widget = QuizWidget(load_quiz(QUIZ), service=service)  # type: ignore[arg-type]
    assert "recorded as <b>resident-1</b>" in widget.children[0].value, "participants are told"
    view = single_item(widget)
    wrong = next(i for i, option in enumerate(view.item.options) if not option.correct)
    view.control.value = wrong
    view.check_button.click()
    view.control.value = view.item.correct_indices[0]
    view.check_button.click()
    assert service.posted == [
        (QUIZ, view.item.id, LETTERS[wrong]),
        (QUIZ, view.item.id, LETTERS[view.item.correct_indices[0]]),
    ]
    assert "not recorded" not in view.feedback.value


def test_multiple_and_numeric_answers_are_posted_as_letters_and_numbers(service: FakeService) -> None:
    widget = QuizWidget(load_quiz(QUIZ), service=service)  # type: ignore[arg-type]
    multiple = next(v for v in widget.items.values() if v.item.type == "multiple")
    for index in multiple.item.correct_indices:
        multiple.checkboxes[index].value = True
    multiple.check_button.click()
    numeric = next(v for v in widget.items.values() if v.item.type == "numeric")
    for value in (12.5, 1234567.0, 1234568.0):
        numeric.control.value = value
        numeric.check_button.click()
    answers = dict((item, answer) for _, item, answer in service.posted[:1])
    assert answers[multiple.item.id] == "+".join(LETTERS[i] for i in multiple.item.correct_indices)
    assert [answer for _, _, answer in service.posted[1:]] == ["12.5", "1234567.0", "1234568.0"]


def test_an_incomplete_answer_is_not_posted(service: FakeService) -> None:
    view = single_item(QuizWidget(load_quiz(QUIZ), service=service))  # type: ignore[arg-type]
    view.check_button.click()  # nothing chosen: the quiz asks for an answer
    assert service.posted == []


def test_without_a_workshop_nothing_is_posted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SERVICE_VAR, raising=False)
    widget = quiz_widget(QUIZ)
    assert widget.service is None and "recorded as" not in widget.children[0].value
    view = single_item(widget)
    view.control.value = view.item.correct_indices[0]
    view.check_button.click()
    assert "Correct." in view.feedback.value


def test_the_service_comes_from_the_servers_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SERVICE_VAR, "http://127.0.0.1:8010/services/nmd-answers/")
    monkeypatch.delenv("JUPYTERHUB_API_TOKEN", raising=False)
    assert AnswersService.from_env() is None, "no token: no workshop"
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "abc")
    service = AnswersService.from_env()
    assert service is not None and service.url.endswith("/nmd-answers/") and service.token == "abc"


def test_a_failing_service_leaves_the_quiz_working_with_a_note(service: FakeService) -> None:
    service.error = ServiceError("the answers service could not be reached (ConnectionRefusedError)")
    view = single_item(QuizWidget(load_quiz(QUIZ), service=service))  # type: ignore[arg-type]
    view.control.value = view.item.correct_indices[0]
    view.check_button.click()
    assert "Correct." in view.feedback.value and view.resolved
    assert "this answer was not recorded" in view.feedback.value and "ServiceError" in view.feedback.value


def test_an_unreachable_service_is_retried_then_reported() -> None:
    service = AnswersService("http://127.0.0.1:9/services/nmd-answers/", "token", timeout_s=0.5)
    with pytest.raises(ServiceError, match="could not be reached"):
        service.record(QUIZ, "any", "A")
