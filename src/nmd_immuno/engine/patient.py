"""Check a patient profile against ``data/patient_fields.yaml`` before any pathway sees it.

Why so strict: a misspelt field or value would otherwise fall through every condition and produce a plausible
but wrong recommendation. Every refusal is a :class:`~nmd_immuno.errors.PatientError` whose message names the
field, the value given and what is allowed, so that a widget can show it to a student as it is. The messages
are the templates of :data:`nmd_immuno.engine.program.MESSAGES`, which the browser explorer fills alike.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from numbers import Real
from typing import Any

from nmd_immuno.content.patient_fields import FieldSpec, load_patient_fields
from nmd_immuno.content.therapies import THERAPY_IDS
from nmd_immuno.content.vocabulary import DISORDERS, OUTCOMES
from nmd_immuno.engine.program import MESSAGES, close_match, fill
from nmd_immuno.errors import PatientError

_MISSING = object()


def _finite(value: Real) -> bool:
    """Whether ``value`` is finite; an int too large for a float is finite (and refused as out of range)."""
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return True


def _shown(value: object) -> str:
    """``repr(value)``, shortened for an integer too long to print whole (Python refuses over 4300 digits)."""
    if isinstance(value, int) and abs(value) >= 10**30:
        return f"an integer of {len(str(abs(value))) if abs(value) < 10**4000 else 'more than 4000'} digits"
    return repr(value)


def _hint(word: object, options: list[str]) -> str:
    close = close_match(str(word), options)
    return "" if close is None else fill(MESSAGES["hint"], value=repr(close))


def check_disorder(disorder: object) -> str:
    """Return ``disorder`` if it is one of ``DISORDERS``; otherwise raise PatientError listing them."""
    if not isinstance(disorder, str) or disorder not in DISORDERS:
        raise PatientError(fill(MESSAGES["disorder"], value=repr(disorder), allowed=", ".join(DISORDERS)))
    return disorder


def validate_patient(disorder: str, patient: Mapping[str, Any]) -> dict[str, Any]:
    """The patient with every field of the disorder present (defaults filled in), or PatientError."""
    disorder = check_disorder(disorder)
    if not isinstance(patient, Mapping):
        raise PatientError(fill(MESSAGES["not_mapping"], type=type(patient).__name__))
    fields = load_patient_fields()
    specs = fields.fields_for(disorder)
    for name in patient:
        if name not in specs:
            raise PatientError(
                fill(
                    MESSAGES["unknown_field"],
                    name=str(name),
                    disorder=disorder,
                    hint=_hint(name, list(specs)),
                    allowed=", ".join(specs),
                )
            )
    normalized = {name: _field_value(name, spec, patient.get(name, _MISSING)) for name, spec in specs.items()}
    _check_constraints(disorder, normalized)
    return normalized


def _refuse(kind: str, name: str, spec: FieldSpec, value: str = "") -> PatientError:
    return PatientError(fill(MESSAGES[kind], name=name, value=value, allowed=spec.allowed()))


def _field_value(name: str, spec: FieldSpec, value: Any) -> Any:
    if value is _MISSING or value is None:
        if spec.required:
            raise _refuse("missing", name, spec)
        default = spec.default
        return dict(default) if isinstance(default, dict) else default
    if spec.type == "choice":
        if not isinstance(value, str) or value not in (spec.values or []):
            raise _refuse("not_allowed", name, spec, repr(value))
        return value
    if spec.type == "bool":
        if type(value).__name__ not in {"bool", "bool_"}:
            raise _refuse("not_allowed", name, spec, repr(value))
        return bool(value)
    if spec.type == "number":
        if isinstance(value, bool) or not isinstance(value, Real) or not _finite(value):
            raise _refuse("not_a_number", name, spec, repr(value))
        try:
            number = float(value)
        except OverflowError:  # an int beyond any float: certainly outside every range
            raise _refuse("out_of_range", name, spec, _shown(value)) from None
        if not (spec.min is not None and spec.max is not None and spec.min <= number <= spec.max):
            raise _refuse("out_of_range", name, spec, repr(value))
        return int(number) if number.is_integer() else number
    return _history(name, value)


def _history(name: str, value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise PatientError(fill(MESSAGES["history_not_mapping"], name=name, value=repr(value)))
    history: dict[str, str] = {}
    therapy_ids = sorted(THERAPY_IDS)
    for therapy, outcome in value.items():
        if therapy not in THERAPY_IDS:
            raise PatientError(
                fill(
                    MESSAGES["unknown_therapy"],
                    name=name,
                    value=repr(therapy),
                    hint=_hint(therapy, therapy_ids),
                    allowed=", ".join(therapy_ids),
                )
            )
        if outcome not in OUTCOMES:
            raise PatientError(
                fill(
                    MESSAGES["bad_outcome"],
                    name=name,
                    therapy=therapy,
                    value=repr(outcome),
                    allowed=", ".join(OUTCOMES),
                )
            )
        history[therapy] = outcome
    return history


def _check_constraints(disorder: str, patient: dict[str, Any]) -> None:
    from nmd_immuno.engine.logic import build_context, holds

    fields = load_patient_fields()
    context = build_context(patient)
    for constraint in fields.constraints_for(disorder):
        if holds(
            constraint.invalid_when, context, "data/patient_fields.yaml", f"constraints[{constraint.id}]"
        ):
            given = ", ".join(f"{f}={patient.get(f)!r}" for f in constraint.fields)
            raise PatientError(
                fill(
                    MESSAGES["combination"],
                    fields="/".join(constraint.fields),
                    given=given,
                    message=constraint.message,
                )
            )
