"""Check a patient profile against ``data/patient_fields.yaml`` before any pathway sees it.

Why so strict: a misspelt field or value would otherwise fall through every condition and produce a plausible
but wrong recommendation. Every refusal is a :class:`~nmd_immuno.errors.PatientError` whose message names the
field, the value given and what is allowed, so that a widget can show it to a student as it is.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from numbers import Real
from typing import Any

from nmd_immuno.content.patient_fields import FieldSpec, load_patient_fields
from nmd_immuno.content.therapies import THERAPY_IDS
from nmd_immuno.content.vocabulary import DISORDERS, OUTCOMES
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


def check_disorder(disorder: object) -> str:
    """Return ``disorder`` if it is one of ``DISORDERS``; otherwise raise PatientError listing them."""
    if not isinstance(disorder, str) or disorder not in DISORDERS:
        raise PatientError(f"disorder: {disorder!r} is not a known disorder; allowed: {', '.join(DISORDERS)}")
    return disorder


def validate_patient(disorder: str, patient: Mapping[str, Any]) -> dict[str, Any]:
    """The patient with every field of the disorder present (defaults filled in), or PatientError."""
    disorder = check_disorder(disorder)
    if not isinstance(patient, Mapping):
        raise PatientError(
            f"patient: expected a mapping of field names to values, got {type(patient).__name__}"
        )
    fields = load_patient_fields()
    specs = fields.fields_for(disorder)
    for name in patient:
        if name not in specs:
            close = difflib.get_close_matches(str(name), list(specs), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise PatientError(
                f"{name}: unknown field for {disorder}{hint}; allowed fields: {', '.join(specs)}"
            )
    normalized = {name: _field_value(name, spec, patient.get(name, _MISSING)) for name, spec in specs.items()}
    _check_constraints(disorder, normalized)
    return normalized


def _field_value(name: str, spec: FieldSpec, value: Any) -> Any:
    if value is _MISSING or value is None:
        if spec.required:
            raise PatientError(f"{name}: missing required field; allowed: {spec.allowed()}")
        default = spec.default
        return dict(default) if isinstance(default, dict) else default
    if spec.type == "choice":
        if not isinstance(value, str) or value not in (spec.values or []):
            raise PatientError(f"{name}: {value!r} is not allowed; allowed: {spec.allowed()}")
        return value
    if spec.type == "bool":
        if type(value).__name__ not in {"bool", "bool_"}:
            raise PatientError(f"{name}: {value!r} is not allowed; allowed: {spec.allowed()}")
        return bool(value)
    if spec.type == "number":
        if isinstance(value, bool) or not isinstance(value, Real) or not _finite(value):
            raise PatientError(f"{name}: {value!r} is not a number; allowed: {spec.allowed()}")
        try:
            number = float(value)
        except OverflowError:  # an int beyond any float: certainly outside every range
            raise PatientError(
                f"{name}: {_shown(value)} is out of range; allowed: {spec.allowed()}"
            ) from None
        if not (spec.min is not None and spec.max is not None and spec.min <= number <= spec.max):
            raise PatientError(f"{name}: {value!r} is out of range; allowed: {spec.allowed()}")
        return int(number) if number.is_integer() else number
    return _history(name, value)


def _history(name: str, value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise PatientError(
            f"{name}: {value!r} is not allowed; allowed: a mapping {{therapy id: outcome}}, "
            f"e.g. {{'pyridostigmine': 'partial'}}"
        )
    history: dict[str, str] = {}
    for therapy, outcome in value.items():
        if therapy not in THERAPY_IDS:
            close = difflib.get_close_matches(str(therapy), sorted(THERAPY_IDS), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise PatientError(
                f"{name}: unknown therapy id {therapy!r}{hint}; allowed: {', '.join(sorted(THERAPY_IDS))}"
            )
        if outcome not in OUTCOMES:
            raise PatientError(
                f"{name}.{therapy}: outcome {outcome!r} is not allowed; allowed: {', '.join(OUTCOMES)}"
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
                f"{'/'.join(constraint.fields)}: invalid combination ({given}): {constraint.message}"
            )
