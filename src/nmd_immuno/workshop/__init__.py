"""Cohort workshops on a JupyterHub: every participant's checked quiz answers go to the hub's answers service,
and the instructor watches the cohort's results live.

* :mod:`~nmd_immuno.workshop.roster`: who may log in (CSV, validated); the hub's config reads it.
* :mod:`~nmd_immuno.workshop.service`: the JupyterHub service that owns the answers (:class:`AnswerStore`,
  an SQLAlchemy URL: sqlite on one server, PostgreSQL on Kubernetes) and records each answer under the user
  the hub authenticated, never a name the client sends.
* :mod:`~nmd_immuno.workshop.client`: what a kernel uses to post answers (the live quiz does) and, for
  instructors, to read them back (the dashboard does), with the user's own ``JUPYTERHUB_API_TOKEN``.
* :func:`cohort_summary`, :func:`participants_progress`, :func:`answer_distribution`: the numbers (pandas).
* :func:`workshop_dashboard`: the instructor's live ipywidgets view of them (imported lazily: the store and
  the summaries do not need ipywidgets).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nmd_immuno.workshop.client import SERVICE_VAR, AnswersService, ServiceError
from nmd_immuno.workshop.store import URL_VAR, AnswerStore, StoreUnavailable, WorkshopInputError
from nmd_immuno.workshop.summary import answer_distribution, cohort_summary, participants_progress

if TYPE_CHECKING:
    from nmd_immuno.workshop.dashboard import WorkshopDashboard

__all__ = [
    "SERVICE_VAR",
    "URL_VAR",
    "AnswerStore",
    "AnswersService",
    "ServiceError",
    "StoreUnavailable",
    "WorkshopInputError",
    "answer_distribution",
    "cohort_summary",
    "participants_progress",
    "workshop_dashboard",
]


def workshop_dashboard(quiz_id: str | None = None, refresh_s: float | None = 5) -> WorkshopDashboard:
    """The instructor's live dashboard of the hub's answers (see :mod:`nmd_immuno.workshop.dashboard`)."""
    from nmd_immuno.workshop.dashboard import workshop_dashboard as build

    return build(quiz_id, refresh_s)
