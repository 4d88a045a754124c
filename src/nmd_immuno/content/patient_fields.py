"""Schema and loader of ``data/patient_fields.yaml``: the patient fields each disorder accepts.

Why strict: the engine validates every patient against these specs before a pathway sees it, and the widgets
build their inputs from them. A field spec that contradicts itself (a default outside its values, a number
without a range) would turn into a misleading form or a silently wrong recommendation.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from nmd_immuno.content.loader import data_path, display_name, file_stamp, load_yaml_model
from nmd_immuno.content.logic_check import JsonLogic, Variables, check_logic
from nmd_immuno.content.vocabulary import DISORDERS, OUTCOMES, RESERVED_CONTEXT_NAMES
from nmd_immuno.errors import DataError

PATIENT_FIELDS_FILE = "patient_fields.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FieldSpec(_Strict):
    """One patient field: its type, what it accepts, and whether it may be left out."""

    type: Literal["choice", "bool", "number", "history"]
    label: str
    values: list[str] | None = None
    value_labels: dict[str, str] = Field(default_factory=dict)
    min: float | None = None
    max: float | None = None
    unit: str | None = None
    required: bool = True
    default: Any = None

    @model_validator(mode="after")
    def _consistent(self) -> FieldSpec:
        if self.type == "choice":
            if not self.values:
                raise ValueError("a choice field needs a non-empty list of values")
            unknown = sorted(set(self.value_labels) - set(self.values))
            if unknown:
                raise ValueError(f"value_labels for values that are not allowed: {unknown}")
            if self.default is not None and self.default not in self.values:
                raise ValueError(f"default {self.default!r} is not one of the values {self.values}")
        elif self.values is not None:
            raise ValueError(f"only choice fields have values (this field is {self.type})")
        if self.type == "number":
            if self.min is None or self.max is None or self.min > self.max:
                raise ValueError("a number field needs min <= max")
        elif self.min is not None or self.max is not None:
            raise ValueError(f"only number fields have min/max (this field is {self.type})")
        if self.type == "bool" and self.default is not None and not isinstance(self.default, bool):
            raise ValueError(f"default of a bool field must be true or false, not {self.default!r}")
        return self

    def allowed(self) -> str:
        """Human-readable description of what the field accepts (used in PatientError messages)."""
        if self.type == "choice":
            return "one of " + ", ".join(repr(v) for v in self.values or [])
        if self.type == "bool":
            return "true or false"
        if self.type == "number":
            unit = f" {self.unit}" if self.unit else ""
            return f"a number from {self.min:g} to {self.max:g}{unit}"
        return "a mapping {therapy id: outcome}"

    def label_of(self, value: str) -> str:
        return self.value_labels.get(value, value)


class Constraint(_Strict):
    """A combination of field values that cannot describe a real patient."""

    id: str
    fields: list[str]
    message: str
    invalid_when: JsonLogic
    disorders: list[str] | None = None  # None: every disorder


class PatientFields(_Strict):
    """The whole ``data/patient_fields.yaml``."""

    outcomes: dict[str, str]
    common: dict[str, FieldSpec]
    disorders: dict[str, dict[str, FieldSpec]]
    constraints: list[Constraint] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> PatientFields:
        if tuple(self.outcomes) != OUTCOMES:
            raise ValueError(f"outcomes must be exactly {list(OUTCOMES)} in this order")
        for disorder, fields in self.disorders.items():
            clash = sorted(set(fields) & set(self.common))
            if clash:
                raise ValueError(f"disorder {disorder!r} redefines common fields {clash}")
        for where, fields in [("common", self.common), *self.disorders.items()]:
            reserved = sorted(set(fields) & RESERVED_CONTEXT_NAMES)
            if reserved:
                raise ValueError(f"{where}: field names {reserved} are reserved for the engine")
            for name, spec in fields.items():
                if spec.type == "history" and name != "history":
                    raise ValueError(f"{where}.{name}: only the field 'history' may have type history")
        return self

    def fields_for(self, disorder: str) -> dict[str, FieldSpec]:
        """Common fields followed by the disorder's own fields."""
        return {**self.common, **self.disorders[disorder]}

    def constraints_for(self, disorder: str) -> list[Constraint]:
        return [c for c in self.constraints if c.disorders is None or disorder in c.disorders]


@lru_cache(maxsize=8)
def _patient_fields(stamp: tuple[str, int, int]) -> PatientFields:
    fields = load_yaml_model(Path(stamp[0]), PatientFields)

    name = display_name(Path(stamp[0]))
    if set(fields.disorders) != set(DISORDERS):
        raise DataError(name, "disorders", f"must list exactly the disorders {list(DISORDERS)}")
    for constraint in fields.constraints:
        for disorder in constraint.disorders or DISORDERS:
            if disorder not in DISORDERS:
                raise DataError(
                    name, f"constraints[{constraint.id}].disorders", f"unknown disorder {disorder!r}"
                )
            variables = Variables(fields.fields_for(disorder), frozenset())
            check_logic(
                constraint.invalid_when, variables, name, f"constraints[{constraint.id}].invalid_when"
            )
            for field in constraint.fields:
                if field not in fields.fields_for(disorder):
                    raise DataError(
                        name,
                        f"constraints[{constraint.id}].fields",
                        f"unknown field {field!r} for {disorder}",
                    )
    return fields


def patient_fields_stamp() -> tuple[str, int, int]:
    """Cache key of ``data/patient_fields.yaml``: pathways checked against it are re-checked on a change."""
    return file_stamp(data_path(PATIENT_FIELDS_FILE))


def load_patient_fields() -> PatientFields:
    """The validated ``data/patient_fields.yaml`` (cached until the file changes)."""
    return _patient_fields(patient_fields_stamp())
