"""Case quizzes: content in ``data/quizzes/<quiz_id>.yaml``, rendered two ways.

* :func:`quiz_html` / :func:`show_quiz`: self-contained HTML + JavaScript (no CDN, no fetch) that checks
  answers in the browser, so the quiz works in the static Jupyter Book page as well as in JupyterLab.
* :func:`quiz_widget`: the same quiz with ipywidgets, for a live kernel.

Both use one schema (:mod:`.schema`, which enforces board-item conventions at load time) and one set of
answer rules (:func:`check_response`). For education only, not for treating patients.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nmd_immuno.quiz.answers import Feedback, QuizResponseError, check_response
from nmd_immuno.quiz.loader import available_quizzes, load_quiz
from nmd_immuno.quiz.schema import Case, Item, Option, Quiz
from nmd_immuno.quiz.static_html import quiz_html, render_quiz_html, show_quiz

if TYPE_CHECKING:
    from nmd_immuno.quiz.widget import QuizWidget

__all__ = [
    "Case",
    "Feedback",
    "Item",
    "Option",
    "Quiz",
    "QuizResponseError",
    "available_quizzes",
    "check_response",
    "load_quiz",
    "quiz_html",
    "quiz_widget",
    "render_quiz_html",
    "show_quiz",
]


def quiz_widget(quiz_id: str) -> QuizWidget:
    """The ipywidgets version of the quiz (imported lazily: the HTML quiz does not need ipywidgets)."""
    from nmd_immuno.quiz.widget import quiz_widget as build

    return build(quiz_id)
