"""The live-notebook quiz: the same cases and checks with ipywidgets (RadioButtons, Checkboxes, FloatText).

Only layout and wiring: the verdict comes from :func:`nmd_immuno.quiz.answers.check_response`, the answer key
from :mod:`nmd_immuno.quiz.static_html`. Long option texts are listed as HTML above the controls because
ipywidgets draws radio and checkbox labels on a single fixed-height line.

In a cohort workshop (the hub's answers service named by ``NMD_WORKSHOP_ANSWERS_SERVICE``, see
:mod:`nmd_immuno.workshop`) each checked answer is also posted to the service, with the participant's own hub
token, for the instructor's dashboard. The service is a bonus, never a condition: if it cannot be reached the
quiz works as usual and says, under the feedback, that the answer was not recorded.
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from nmd_immuno.quiz.answers import Feedback, QuizResponseError, check_response
from nmd_immuno.quiz.loader import load_quiz
from nmd_immuno.quiz.schema import LETTERS, Case, Item, Quiz
from nmd_immuno.quiz.static_html import NOTICE, key_html, paragraphs_html, static_asset
from nmd_immuno.workshop.client import AnswersService
from nmd_immuno.workshop.store import number_text

HIDDEN = "none"
QUIZ_WAIT_S = 5.0
# Called after each checked answer with (item, response, feedback); returns a note to show, or None.
OnChecked = Callable[[Item, Any, Feedback], str | None]


def feedback_html(feedback: Feedback) -> str:
    """The verdict with the explanation of each chosen option (and the numeric note), as HTML."""
    css = "nmdq-ok" if feedback.correct else "nmdq-bad"
    parts = [f'<p class="nmdq-verdict {css}">{html.escape(feedback.verdict)}</p>']
    if feedback.chosen:
        rows = "".join(
            f'<li class="{"nmdq-chosen-right" if option.correct else "nmdq-chosen-wrong"}">'
            f'<span class="nmdq-letter">{option.letter}.</span> {html.escape(option.text)}: '
            f"{html.escape(option.explanation or 'Correct.')}</li>"
            for option in feedback.chosen
        )
        parts.append(f'<ul class="nmdq-chosen">{rows}</ul>')
    if feedback.note:
        parts.append(f'<p class="nmdq-note">{html.escape(feedback.note)}</p>')
    return f'<div class="nmdq-feedback">{"".join(parts)}</div>'


def response_text(item: Item, response: Any) -> str:
    """A checked response as the workshop store keeps it: letters ("B", "A+C") or the number given."""
    if item.type == "single":
        return LETTERS[response]
    if item.type == "multiple":
        return "+".join(LETTERS[i] for i in sorted(response))
    return number_text(response)  # shortest round trip: distinct numbers stay distinct


def _message(text: str, css: str = "nmdq-warn") -> str:
    return f'<div class="nmdq-feedback"><p class="nmdq-verdict {css}">{html.escape(text)}</p></div>'


class ItemView(widgets.VBox):
    """One question: stem, options, control, Check / Show answer / Try again, feedback, and the key."""

    def __init__(
        self, item: Item, number: int, on_resolved: Callable[[], bool], on_checked: OnChecked | None = None
    ) -> None:
        self.item = item
        self.resolved = False
        self._on_resolved = on_resolved
        self._on_checked = on_checked
        stem = html.escape(" ".join(item.stem.split()))
        header = widgets.HTML(
            f'<div class="nmdq-stem"><span class="nmdq-qnum">Question {number}.</span> {stem}</div>'
        )
        parts: list[widgets.Widget] = [header]
        self.checkboxes: list[widgets.Checkbox] = []
        if item.type != "numeric":
            listing = "".join(
                f'<li><span class="nmdq-letter">{LETTERS[i]}.</span> {html.escape(o.text)}</li>'
                for i, o in enumerate(item.options)
            )
            parts.append(
                widgets.HTML(
                    f'<ul class="nmdq-options" style="list-style:none;padding-left:0.5em">{listing}</ul>'
                )
            )
        if item.type == "single":
            self.control: widgets.Widget = widgets.RadioButtons(
                options=[(LETTERS[i], i) for i in range(len(item.options))],
                value=None,
                orientation="horizontal",
                description="Answer:",
            )
        elif item.type == "multiple":
            self.checkboxes = [
                widgets.Checkbox(
                    value=False, description=LETTERS[i], indent=False, layout=widgets.Layout(width="auto")
                )
                for i in range(len(item.options))
            ]
            self.control = widgets.HBox([widgets.Label("Answers:"), *self.checkboxes])
        else:
            self.control = widgets.FloatText(
                value=0.0, description=f"Answer ({item.unit}):", style={"description_width": "initial"}
            )
        parts.append(self.control)
        self.check_button = widgets.Button(description="Check answer", button_style="primary")
        self.reveal_button = widgets.Button(description="Show answer", layout=widgets.Layout(display=HIDDEN))
        self.retry_button = widgets.Button(description="Try again", layout=widgets.Layout(display=HIDDEN))
        self.check_button.on_click(lambda _: self.check())
        self.reveal_button.on_click(lambda _: self.resolve(by_correct_answer=False))
        self.retry_button.on_click(lambda _: self.reset())
        self.feedback = widgets.HTML("")
        self.key = widgets.HTML(key_html(item, open_=True), layout=widgets.Layout(display=HIDDEN))
        parts += [
            widgets.HBox([self.check_button, self.reveal_button, self.retry_button]),
            self.feedback,
            self.key,
        ]
        super().__init__(
            parts,
            layout=widgets.Layout(
                border="1px solid rgba(128,128,128,0.45)", padding="0.4em", margin="0.4em 0"
            ),
        )

    def response(self) -> object:
        """What the learner has entered, in the form ``check_response`` takes."""
        if self.item.type == "multiple":
            return [i for i, box in enumerate(self.checkboxes) if box.value]
        return self.control.value  # type: ignore[attr-defined]

    def check(self) -> Feedback | None:
        """Check the response and show the verdict; returns it (None when nothing checkable was given)."""
        response = self.response()
        try:
            result = check_response(self.item, response)
        except QuizResponseError as error:
            self.feedback.value = _message(str(error))
            return None
        self.feedback.value = feedback_html(result)
        note = self._on_checked(self.item, response, result) if self._on_checked else None
        if note:
            self.feedback.value += _message(note, "nmdq-note")
        self.retry_button.layout.display = None
        if result.correct:
            self.resolve(by_correct_answer=True)
        elif not self.resolved:
            self.reveal_button.layout.display = None
        return result

    def resolve(self, *, by_correct_answer: bool) -> None:
        """Show the key (answer, every explanation, references) and let the case continue."""
        self.key.layout.display = None
        self.reveal_button.layout.display = HIDDEN
        self.retry_button.layout.display = None
        first = not self.resolved
        self.resolved = True
        if not by_correct_answer and first:
            self.feedback.value += _message("Answer shown below.", "nmdq-note")
        if first and self._on_resolved():
            self.feedback.value += _message("The case continues below.", "nmdq-continue")

    def reset(self) -> None:
        """Clear the response, the feedback and the key."""
        if self.item.type == "multiple":
            for box in self.checkboxes:
                box.value = False
        elif self.item.type == "single":
            self.control.value = None  # type: ignore[attr-defined]
        else:
            self.control.value = 0.0  # type: ignore[attr-defined]
        self.feedback.value = ""
        self.key.layout.display = HIDDEN
        self.reveal_button.layout.display = HIDDEN
        self.retry_button.layout.display = HIDDEN
        self.resolved = False


class CaseView(widgets.VBox):
    """A vignette and its stages; stage *k+1* appears once item *k* is resolved."""

    def __init__(
        self, case: Case, case_number: int, first_number: int, on_checked: OnChecked | None = None
    ) -> None:
        self.case = case
        self.stages: list[widgets.VBox] = []
        self.items: list[ItemView] = []
        for offset, item in enumerate(case.items):
            view = ItemView(item, first_number + offset, self._revealer(offset + 1), on_checked)
            followup = (
                widgets.HTML(paragraphs_html(item.followup, "nmdq-followup"))
                if item.followup.strip()
                else None
            )
            stage = widgets.VBox([w for w in (followup, view) if w is not None])
            stage.layout.display = None if offset == 0 else HIDDEN
            self.stages.append(stage)
            self.items.append(view)
        title = html.escape(f"Case {case_number}: {case.title}")
        intro = widgets.HTML(
            f'<div class="nmdq-case-title">{title}</div>'
            f'<div class="nmdq-vignette">{paragraphs_html(case.vignette, "nmdq-vignette-p")}</div>'
        )
        self.restart_button = widgets.Button(description="Restart this case")
        self.restart_button.on_click(lambda _: self.restart())
        super().__init__([intro, *self.stages, self.restart_button])

    def _revealer(self, index: int) -> Callable[[], bool]:
        def reveal() -> bool:
            if index < len(self.stages) and self.stages[index].layout.display == HIDDEN:
                self.stages[index].layout.display = None
                return True
            return False

        return reveal

    def restart(self) -> None:
        for view in self.items:
            view.reset()
        for offset, stage in enumerate(self.stages):
            stage.layout.display = None if offset == 0 else HIDDEN


class QuizWidget(widgets.VBox):
    """The whole quiz; ``items`` maps each item id to its :class:`ItemView` (for tests and dashboards).

    ``service``: where checked answers are posted; by default the workshop's answers service of this server
    (:meth:`AnswersService.from_env`), or none (nothing recorded) outside a workshop.
    """

    def __init__(self, quiz: Quiz, service: AnswersService | None = None) -> None:
        self.quiz = quiz
        # a participant's click waits at most a few seconds for the service, then gets a note
        self.service = service if service is not None else AnswersService.from_env(timeout_s=QUIZ_WAIT_S)
        # Shown to the participant only: the service records the user its token belongs to.
        self.user: str | None = os.environ.get("JUPYTERHUB_USER") if self.service is not None else None
        on_checked = self._record if self.service is not None else None
        self.cases: list[CaseView] = []
        number = 1
        for case_number, case in enumerate(quiz.cases, start=1):
            self.cases.append(CaseView(case, case_number, number, on_checked))
            number += len(case.items)
        self.items: dict[str, ItemView] = {view.item.id: view for case in self.cases for view in case.items}
        workshop = (
            f'<p class="nmdq-note">Workshop: each answer you check is recorded as '
            f"<b>{html.escape(self.user or 'your hub user')}</b> for the instructor's dashboard.</p>"
            if self.service is not None
            else ""
        )
        header = widgets.HTML(
            f"<style>{static_asset('quiz.css')}</style>"
            f'<div class="nmdq-title">{html.escape(quiz.title)}</div>'
            f'<p class="nmdq-notice">{html.escape(NOTICE)}</p>{workshop}'
        )
        super().__init__([header, *self.cases])
        self.add_class("nmdq")  # scopes quiz.css (colours, spacing) to this widget

    def _record(self, item: Item, response: Any, result: Feedback) -> str | None:
        """Post a checked answer to the answers service; on any failure, a note instead of an error."""
        assert self.service is not None
        try:
            self.service.record(self.quiz.id, item.id, response_text(item, response))
        except Exception as error:  # the quiz must keep working whatever happens to the service
            return f"Workshop: this answer was not recorded ({type(error).__name__}: {error})."
        return None


def quiz_widget(quiz_id: str) -> QuizWidget:
    """The ipywidgets version of ``data/quizzes/<quiz_id>.yaml`` (needs a live kernel)."""
    return QuizWidget(load_quiz(quiz_id))
