"""Methotrexate: once weekly only, pregnancy and severe renal impairment refused, renal dose reduction,
rounding to whole 2.5 mg steps and the safety warnings."""

from __future__ import annotations

import re

import pytest

from nmd_immuno.dosing import methotrexate_dose
from nmd_immuno.dosing.parameters import dosing_parameters
from nmd_immuno.errors import DoseInputError, DoseRefused


def _mtx():
    return dosing_parameters().methotrexate


def test_weekly_dose_with_normal_renal_function_is_the_requested_dose() -> None:
    dose = methotrexate_dose(15, egfr_ml_min=90)
    assert dose.weekly_mg == 15 and dose.renal_factor == 1.0
    assert _mtx().renal_reduce_warning.text not in dose.warnings
    assert _mtx().renal_unknown_warning.text not in dose.warnings


def test_daily_schedule_is_refused_saying_weekly_never_daily() -> None:
    with pytest.raises(DoseRefused) as excinfo:
        methotrexate_dose(7.5, schedule="daily")
    message = str(excinfo.value)
    assert message.startswith("schedule:")
    assert "weekly" in message.lower() and "never daily" in message.lower()


@pytest.mark.parametrize("field", ["pregnant", "planning_pregnancy"])
def test_pregnancy_or_planned_pregnancy_is_refused(field: str) -> None:
    with pytest.raises(DoseRefused) as excinfo:
        methotrexate_dose(10, **{field: True})
    message = str(excinfo.value)
    assert message.startswith(f"{field}:")
    assert "pregnan" in message.lower() and "conception" in message.lower()
    # The washout is quoted only as the cited guideline states it (1-3 months, for women), hedged: sources
    # differ, and the label may ask for longer.
    assert "see the label" in message and "differ" in message and "longer" in message
    intervals = re.findall(r"\d+\s*(?:-\s*\d+\s*)?(?:months?|weeks?)", message)
    assert intervals == ["1-3 months"], message
    assert "American College of Rheumatology" in message and "women" in message
    assert "sammaritano2020acr" in _mtx().pregnancy_refusal.references
    assert "sammaritano2020acr" in methotrexate_dose(10).references  # the stop's sources travel with a dose


def test_egfr_below_the_threshold_is_refused_and_the_threshold_itself_is_not() -> None:
    threshold = _mtx().renal_refuse_below.value
    with pytest.raises(DoseRefused) as excinfo:
        methotrexate_dose(15, egfr_ml_min=threshold - 0.1)
    assert str(excinfo.value).startswith("egfr_ml_min:")
    at_threshold = methotrexate_dose(15, egfr_ml_min=threshold)
    assert at_threshold.renal_factor == _mtx().renal_dose_factor.value


def test_moderate_renal_impairment_halves_the_dose_and_warns() -> None:
    # 20 mg at eGFR 45: half of 20 = 10 mg
    dose = methotrexate_dose(20, egfr_ml_min=45)
    assert dose.weekly_mg == 10
    assert _mtx().renal_reduce_warning.text in dose.warnings


def test_reduction_stops_at_the_upper_renal_threshold() -> None:
    upper = _mtx().renal_reduce_below.value
    assert methotrexate_dose(20, egfr_ml_min=upper).weekly_mg == 20
    assert methotrexate_dose(20, egfr_ml_min=upper - 0.1).weekly_mg < 20


def test_unknown_renal_function_gives_a_dose_with_a_warning() -> None:
    dose = methotrexate_dose(15)
    assert dose.weekly_mg == 15 and dose.egfr_ml_min is None
    assert _mtx().renal_unknown_warning.text in dose.warnings


@pytest.mark.parametrize(
    ("weekly", "egfr", "expected"),
    [
        (16, 90, 15),  # rounded down to 2.5 mg steps
        (17.5, 45, 7.5),  # 8.75 mg after halving -> 7.5 mg
        (25, 45, 12.5),
    ],
)
def test_dose_is_rounded_down_to_whole_steps(weekly: float, egfr: float, expected: float) -> None:
    assert methotrexate_dose(weekly, egfr_ml_min=egfr).weekly_mg == expected


@pytest.mark.parametrize("weekly", [5, 7.4, 25.1, 50])
def test_dose_outside_the_weekly_range_is_refused_naming_the_field(weekly: float) -> None:
    with pytest.raises(DoseInputError) as excinfo:
        methotrexate_dose(weekly)
    assert str(excinfo.value).startswith("weekly_mg:") and "25" in str(excinfo.value)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"schedule": "fortnightly"}, "schedule"),
        ({"route": "intrathecal"}, "route"),
        ({"pregnant": "no"}, "pregnant"),
        ({"egfr_ml_min": -5}, "egfr_ml_min"),
        ({"egfr_ml_min": "60"}, "egfr_ml_min"),
    ],
)
def test_bad_input_is_refused_naming_the_field(kwargs: dict, field: str) -> None:
    with pytest.raises(DoseInputError) as excinfo:
        methotrexate_dose(15, **kwargs)
    message = str(excinfo.value)
    assert message.startswith(f"{field}:")
    assert repr(kwargs[field]) in message and "allowed" in message, message


@pytest.mark.parametrize("schedule", ["fortnightly", "Weekly", "twice weekly"])
def test_every_other_schedule_is_told_weekly_is_the_only_allowed_value(schedule: str) -> None:
    with pytest.raises(DoseInputError) as excinfo:
        methotrexate_dose(15, schedule=schedule)
    message = str(excinfo.value)
    assert message == f"schedule: {schedule!r} is not allowed; allowed: 'weekly'"


def test_daily_refusal_and_invalid_schedule_name_the_same_allowed_value() -> None:
    # One rule in both messages: 'weekly' is the only allowed schedule; 'daily' is not offered as allowed.
    with pytest.raises(DoseRefused) as refused:
        methotrexate_dose(15, schedule="daily")
    with pytest.raises(DoseInputError) as invalid:
        methotrexate_dose(15, schedule="fortnightly")
    for message in (str(refused.value), str(invalid.value)):
        assert "allowed: 'weekly'" in message
        assert "allowed: 'weekly', 'daily'" not in message
    assert _mtx().daily_refusal.text in str(refused.value)


def test_impossible_dose_is_reported_before_the_schedule_stop() -> None:
    with pytest.raises(DoseInputError):
        methotrexate_dose(100, schedule="daily")


def test_folic_acid_interactions_and_toxicity_are_warned() -> None:
    joined = " ".join(methotrexate_dose(15, egfr_ml_min=90).warnings).lower()
    for phrase in (
        "folic acid",
        "trimethoprim-sulfamethoxazole",
        "pneumonitis",
        "hepatotoxicity",
        "blood count",
    ):
        assert phrase in joined, phrase


def test_every_reference_is_a_bibliography_key() -> None:
    from nmd_immuno.content.bibliography import bibliography_keys

    assert set(methotrexate_dose(15).references) <= bibliography_keys()


def _below_minimum(dose) -> list[str]:
    text = _mtx().renal_below_minimum_warning.text
    return [w for w in dose.warnings if text in w]


@pytest.mark.parametrize(("weekly", "expected"), [(7.5, 2.5), (10, 5), (12.5, 5)])
def test_a_halved_dose_below_the_usual_minimum_is_warned_not_hidden(weekly: float, expected: float) -> None:
    dose = methotrexate_dose(weekly, egfr_ml_min=45)
    assert dose.weekly_mg == expected < _mtx().weekly_mg.min
    (warning,) = _below_minimum(dose)
    assert f"{expected:g} mg" in warning and f"{_mtx().weekly_mg.min:g} mg" in warning


@pytest.mark.parametrize(("weekly", "egfr"), [(15, 45), (7.5, 90), (7.5, None)])
def test_no_below_minimum_warning_when_the_dose_stays_in_range(weekly: float, egfr: float | None) -> None:
    assert not _below_minimum(methotrexate_dose(weekly, egfr_ml_min=egfr))


def test_renal_input_is_named_as_creatinine_clearance() -> None:
    dose = methotrexate_dose(20, egfr_ml_min=45)
    assert ("Creatinine clearance (or eGFR)", "45 mL/min") in dose.rows()
    assert "creatinine clearance" in _mtx().egfr_ml_min.unit
    with pytest.raises(DoseInputError) as excinfo:
        methotrexate_dose(15, egfr_ml_min=500)
    assert "creatinine clearance" in str(excinfo.value)
