"""Evaluate a pathway's JsonLogic conditions against a patient.

Why a separate context builder: the conditions must be writable by a clinician and evaluable in a browser by
json-logic-js, so they only read plain data. Anything that needs iteration over the history (how many
steroid-sparing agents failed) is precomputed here into simple variables, described in
:data:`nmd_immuno.content.algorithms.CONTEXT_HELP`; a JavaScript port needs only this one small function.
"""

from __future__ import annotations

from typing import Any

from json_logic import jsonLogic
from json_logic.builtins import to_bool

from nmd_immuno.content.algorithms import Algorithm
from nmd_immuno.content.therapies import vocabulary
from nmd_immuno.content.vocabulary import OUTCOMES
from nmd_immuno.errors import DataError


def build_context(patient: dict[str, Any]) -> dict[str, Any]:
    """Patient fields plus the derived history variables (``tried``, ``outcomes``, ``count``), no facts."""
    history: dict[str, str] = patient.get("history") or {}
    class_of = vocabulary().class_of()
    count = {cls: {**dict.fromkeys(OUTCOMES, 0), "any": 0} for cls in vocabulary().classes}
    for therapy, outcome in history.items():
        cls = class_of[therapy]
        count[cls][outcome] += 1
        count[cls]["any"] += 1
    return {
        **patient,
        "history": dict(history),
        "tried": list(history),
        "outcomes": {o: [t for t, v in history.items() if v == o] for o in OUTCOMES},
        "count": count,
        "facts": {},
    }


def evaluate(expr: Any, context: dict[str, Any], file: str, location: str) -> Any:
    """Evaluate one expression; a failure is a fault of the data file, reported with its location."""
    try:
        return jsonLogic(expr, context)
    except Exception as exc:  # the evaluator raises TypeError/ReferenceError/ZeroDivisionError...
        raise DataError(file, location, f"condition could not be evaluated: {exc!r}") from exc


def holds(expr: Any, context: dict[str, Any], file: str, location: str) -> bool:
    """Truthiness as JsonLogic defines it (empty list is false), so Python and JavaScript agree."""
    if expr is None:
        return True
    return to_bool(evaluate(expr, context, file, location))


def pathway_context(algorithm: Algorithm, patient: dict[str, Any], file: str) -> dict[str, Any]:
    """The full evaluation context: patient, derived history variables and the file's facts, in order."""
    context = build_context(patient)
    for name, expr in algorithm.facts.items():
        context["facts"][name] = evaluate(expr, context, file, f"facts.{name}")
    return context
