"""Cohort workshops on a JupyterHub: every participant's checked quiz answers go to one shared store, and the
instructor watches the cohort's results live.

* :class:`AnswerStore`: the answers in one sqlite file (WAL, busy timeout: safe for many kernels at once),
  named by ``NMD_WORKSHOP_DB``, which the course's hub (``workshop/jupyterhub_config.py``) sets for every
  participant. :class:`nmd_immuno.quiz.widget.QuizWidget` records into it when it is set.
* :func:`cohort_summary`, :func:`participants_progress`, :func:`answer_distribution`: the numbers (pandas).
* :func:`workshop_dashboard`: the instructor's live ipywidgets view of them (imported lazily: the store and
  the summaries do not need ipywidgets).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nmd_immuno.workshop.store import (
    ENV_VAR,
    AnswerStore,
    StoreUnavailable,
    WorkshopInputError,
    current_user,
)
from nmd_immuno.workshop.summary import answer_distribution, cohort_summary, participants_progress

if TYPE_CHECKING:
    from nmd_immuno.workshop.dashboard import WorkshopDashboard

__all__ = [
    "ENV_VAR",
    "AnswerStore",
    "StoreUnavailable",
    "WorkshopInputError",
    "answer_distribution",
    "cohort_summary",
    "current_user",
    "participants_progress",
    "workshop_dashboard",
]


def workshop_dashboard(quiz_id: str | None = None, refresh_s: float | None = 5) -> WorkshopDashboard:
    """The instructor's live dashboard of the configured store (see :mod:`nmd_immuno.workshop.dashboard`)."""
    from nmd_immuno.workshop.dashboard import workshop_dashboard as build

    return build(quiz_id, refresh_s)
