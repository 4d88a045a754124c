"""Grading with nbgrader: the instructor's workflow, robust to bad submissions, and item analysis.

Command line: ``python -m nmd_immuno.grading --help`` (and the ``make assignments-*`` targets). Python API:

- ``Course.resolve(root=None, *, exchange=None, course_id=None, cell_timeout_s=None)``
- ``generate(course, assignments=None, *, duedate=None)``, ``release(course, assignments=None)``,
  ``collect(course, assignments=None)``
- ``autograde(course, assignment, *, students=None, workers=1, deadline_s=None, sandboxed=True)``
  ``-> GradingRun`` (kernels in the bubblewrap sandbox: ``sandbox``, ``sandboxed_execute``)
- ``generate_feedback(course, assignment, *, students=None, release=False) -> FeedbackReport``
- ``grade_export(course, assignment=None) -> DataFrame``, ``export_grades(course, output=None,
  assignment=None)``
- ``analyse_assignment(course, assignment, *, include_review=False) -> ItemReport``,
  ``item_analysis(scores, max_points)``, ``distribution_figure(report)``,
  ``difficulty_discrimination_figure(report)``
- ``CODES``: the outcome codes of the export.

Submodules are imported lazily so that ``import nmd_immuno.grading`` does not import nbgrader.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "Course": "course",
    "generate": "workflow",
    "release": "workflow",
    "collect": "workflow",
    "GradingCommandError": "workflow",
    "autograde": "autograde",
    "GradingRun": "autograde",
    "generate_feedback": "feedback",
    "scan_feedback": "feedback",
    "grade_export": "export",
    "export_grades": "export",
    "analyse_assignment": "items",
    "item_analysis": "items",
    "Thresholds": "items",
    "ItemReport": "items",
    "distribution_figure": "items",
    "difficulty_discrimination_figure": "items",
    "cronbach_alpha": "items",
    "write_item_report": "report",
    "CODES": "outcomes",
    "Outcome": "outcomes",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(f"nmd_immuno.grading.{_EXPORTS[name]}"), name)
    raise AttributeError(name)
