"""Case quizzes: content in ``data/quizzes/<quiz_id>.yaml``, rendered two ways.

* :func:`quiz_html` / :func:`show_quiz`: self-contained HTML + JavaScript (no CDN, no fetch) that checks
  answers in the browser, so the quiz works in the static Jupyter Book page as well as in JupyterLab.
* the same quiz with ipywidgets, for a live kernel, is a front end:
  :func:`nmd_immuno.widgets.quiz.quiz_widget` (this package knows nothing of widgets or of the workshop's
  answer service, which the widget posts to).

Both use one schema (:mod:`.schema`, which enforces board-item conventions at load time) and one set of
answer rules (:func:`check_response`). For education only, not for treating patients.
"""

from __future__ import annotations

from nmd_immuno.quiz.answers import Feedback, QuizResponseError, check_response
from nmd_immuno.quiz.loader import available_quizzes, load_quiz
from nmd_immuno.quiz.schema import Case, Item, Option, Quiz
from nmd_immuno.quiz.static_html import quiz_html, render_quiz_html, show_quiz

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
    "render_quiz_html",
    "show_quiz",
]

