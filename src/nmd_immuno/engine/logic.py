"""Evaluate a pathway's JsonLogic conditions against a patient.

Why a separate context builder: the conditions must be writable by a clinician and evaluable in a browser by
json-logic-js, so they only read plain data. Anything that needs iteration over the history (how many
steroid-sparing agents failed) is precomputed here into simple variables, described in
:data:`nmd_immuno.content.algorithms.CONTEXT_HELP`; a JavaScript port needs only this one small function.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from json_logic import jsonLogic
from json_logic.builtins import to_bool

from nmd_immuno.content.therapies import vocabulary
from nmd_immuno.content.vocabulary import OUTCOMES
from nmd_immuno.errors import DataError


def build_context(
    patient: dict[str, Any],
    classes: Iterable[str] | None = None,
    class_of: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Patient fields plus the derived history variables (``tried``, ``outcomes``, ``count``), no facts.

    ``classes``/``class_of``: the therapy classes as a pathway program carries them (default: the vocabulary).
    """
    history: dict[str, str] = patient.get("history") or {}
    class_of = vocabulary().class_of() if class_of is None else class_of
    classes = vocabulary().classes if classes is None else classes
    count = {cls: {**dict.fromkeys(OUTCOMES, 0), "any": 0} for cls in classes}
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
