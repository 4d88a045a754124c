"""The published trials behind the course, from ``data/trials.csv``, as one validated long table.

Why a table of published figures at all: the simulator is calibrated to these numbers, ``replicate_trial``
sets its output beside them, and the evidence assignment computes absolute and relative risk reductions,
NNT and confidence intervals from the ``events`` and ``arm_n`` columns. One file, one schema, so a figure
is typed once and every use of it agrees.

Conventions of the file (one row per trial x arm x outcome):

* proportions are fractions (0.54, not 54); ``events``/``arm_n`` are given only when the source gives the
  counts or a percentage of a known arm size, never guessed;
* a between-arm statistic (hazard ratio, odds ratio, rank or risk difference) sits on the experimental
  arm's row and its note says against what; the p-value sits on the experimental arm's row;
* ``p_value`` is text because sources report bounds (``<0.001``) as well as values;
* ``status`` is ``checked`` when the figure was checked against a source, ``to_check`` otherwise.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from nmd_immuno.content.bibliography import check_references
from nmd_immuno.content.loader import data_path, display_name, file_stamp, load_csv_models
from nmd_immuno.errors import DataError

TRIALS_FILE = "trials.csv"

COLUMNS: tuple[str, ...] = (
    "trial_id",
    "disorder",
    "reference",
    "population",
    "design",
    "n_randomised",
    "arm",
    "arm_n",
    "intervention",
    "outcome",
    "outcome_type",
    "timepoint",
    "events",
    "value",
    "ci_low",
    "ci_high",
    "p_value",
    "primary",
    "status",
    "note",
)

OutcomeType = Literal["proportion", "mean_change", "mean", "hazard_ratio", "other"]
DisorderId = Literal["cidp", "mmn", "paraproteinemic", "myasthenia_gravis", "myositis"]

# A reported percentage is rounded; a count over the arm size must agree with it to half a percentage point.
_ROUNDING = 0.0051
_P_VALUE = re.compile(r"^(<|>)?\s*(0(\.\d+)?|1(\.0+)?|\.\d+)$")


class TrialRow(BaseModel):
    """One published figure: trial, arm, outcome and value, with its source and verification status."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    trial_id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$")
    disorder: DisorderId
    reference: str = Field(min_length=1)
    population: str = Field(min_length=1)
    design: str = Field(min_length=1)
    n_randomised: int | None = Field(default=None, ge=1)
    arm: str = Field(min_length=1)
    arm_n: int | None = Field(default=None, ge=1)
    intervention: str = Field(min_length=1)
    outcome: str = Field(min_length=1)
    outcome_type: OutcomeType
    timepoint: str = Field(min_length=1)
    events: int | None = Field(default=None, ge=0)
    value: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    p_value: str | None = None
    primary: bool
    status: Literal["checked", "to_check"]
    note: str | None = None

    @field_validator("p_value")
    @classmethod
    def _p_value_is_a_probability(cls, value: str | None) -> str | None:
        if value is not None and not _P_VALUE.match(value):
            raise ValueError(f"p_value must be a probability such as 0.03 or <0.001 (given: {value!r})")
        return value

    @model_validator(mode="after")
    def _figures_are_consistent(self) -> TrialRow:
        if self.value is None and self.outcome_type != "other":
            raise ValueError(
                f"value: required for outcome_type {self.outcome_type!r} (only 'other' may omit it)"
            )
        if self.value is None and not self.note and self.p_value is None:
            raise ValueError(
                "value: an 'other' row without a value needs a note or a p_value saying what was found"
            )
        if self.outcome_type == "proportion" and self.value is not None and not 0.0 <= self.value <= 1.0:
            raise ValueError(f"value: a proportion is a fraction between 0 and 1 (given: {self.value})")
        if self.outcome_type == "hazard_ratio" and self.value is not None and self.value <= 0:
            raise ValueError(f"value: a hazard ratio is positive (given: {self.value})")
        if self.events is not None:
            if self.outcome_type != "proportion":
                raise ValueError("events: only proportion rows carry an event count")
            if self.arm_n is None:
                raise ValueError("events: an event count needs arm_n (its denominator)")
            if self.events > self.arm_n:
                raise ValueError(f"events: {self.events} is more than arm_n {self.arm_n}")
            if self.value is not None and abs(self.events / self.arm_n - self.value) > _ROUNDING:
                raise ValueError(
                    f"events: {self.events}/{self.arm_n} = {self.events / self.arm_n:.3f} does not match "
                    f"value {self.value} (allowed rounding {_ROUNDING})"
                )
        if (self.ci_low is None) != (self.ci_high is None):
            raise ValueError("ci_low/ci_high: give both ends of the confidence interval or neither")
        if self.ci_low is not None and self.ci_high is not None:
            if self.ci_low > self.ci_high:
                raise ValueError(f"ci_low: {self.ci_low} is above ci_high {self.ci_high}")
            if self.value is not None and not self.ci_low <= self.value <= self.ci_high:
                raise ValueError(f"value: {self.value} lies outside its confidence interval")
        return self


# Trial-level facts must be the same on every row of a trial; population may differ (subgroups).
_TRIAL_LEVEL = ("disorder", "reference", "design", "n_randomised")


def _check_table(rows: list[TrialRow], file: str) -> None:
    first: dict[str, tuple[int, TrialRow]] = {}
    seen: dict[tuple[str, str, str], int] = {}
    for number, row in enumerate(rows, start=2):
        check_references([row.reference], file, f"row {number}, column 'reference'")
        if row.trial_id in first:
            first_number, first_row = first[row.trial_id]
            for field in _TRIAL_LEVEL:
                if getattr(row, field) != getattr(first_row, field):
                    raise DataError(
                        file,
                        f"row {number}, column '{field}'",
                        f"{getattr(row, field)!r} differs from {getattr(first_row, field)!r} "
                        f"on row {first_number} of the same trial {row.trial_id!r}",
                    )
        else:
            first[row.trial_id] = (number, row)
        key = (row.trial_id, row.arm, row.outcome)
        if key in seen:
            raise DataError(
                file, f"row {number}", f"duplicate trial/arm/outcome {key} (first on row {seen[key]})"
            )
        seen[key] = number


def _check_header(file_path) -> None:
    with file_path.open(encoding="utf-8") as handle:
        header = handle.readline().strip().split(",")
    if tuple(header) != COLUMNS:
        missing = [c for c in COLUMNS if c not in header]
        extra = [c for c in header if c not in COLUMNS]
        problem = "columns must be exactly, in order: " + ", ".join(COLUMNS)
        if missing or extra:
            problem += f" (missing: {missing or 'none'}; unexpected: {extra or 'none'})"
        raise DataError(display_name(file_path), "row 1 (header)", problem)


def _load_rows() -> tuple[TrialRow, ...]:
    return _read_rows(*file_stamp(data_path(TRIALS_FILE)))


@lru_cache(maxsize=4)
def _read_rows(file: str, modified_ns: int, size: int) -> tuple[TrialRow, ...]:
    """The validated rows of one version of the file (the key changes when the file is edited)."""
    path = Path(file)
    if modified_ns < 0:
        raise DataError(display_name(path), "(file)", "file not found")
    _check_header(path)
    rows = load_csv_models(path, TrialRow)
    _check_table(rows, display_name(path))
    return tuple(rows)


def trial_rows() -> tuple[TrialRow, ...]:
    """The validated rows (cached until the file changes); use :func:`load_trials` for a DataFrame."""
    return _load_rows()


def load_trials() -> pd.DataFrame:
    """All trial figures as a DataFrame, one row per trial x arm x outcome, columns in the documented order.

    Integer columns that may be empty (``n_randomised``, ``arm_n``, ``events``) use pandas' nullable
    ``Int64`` so that a missing count stays missing instead of turning into NaN or a guessed number.
    """
    records = [row.model_dump() for row in _load_rows()]
    frame = pd.DataFrame.from_records(records, columns=list(COLUMNS))
    for column in ("n_randomised", "arm_n", "events"):
        frame[column] = frame[column].astype("Int64")
    for column in ("value", "ci_low", "ci_high"):
        frame[column] = frame[column].astype("float64")
    frame["primary"] = frame["primary"].astype(bool)
    return frame


def clear_cache() -> None:
    """Forget the loaded table (the cache already follows the file; this forces a re-read)."""
    _read_rows.cache_clear()
