"""Complement inhibitors: label schedules and weight bands at their boundaries, the meningococcal vaccination
hard stop (and its prophylaxis escape), and the AChR-only indication."""

from __future__ import annotations

import pytest

from nmd_immuno.dosing import complement_inhibitor_dose, dosing_parameters
from nmd_immuno.errors import DoseInputError, DoseRefused

VACCINATED = {"meningococcal_vaccination_days": 28}


def _ci():
    return dosing_parameters().complement_inhibitors


def test_eculizumab_follows_the_label_schedule() -> None:
    dose = complement_inhibitor_dose(70, drug="eculizumab", **VACCINATED)
    assert dose.loading == [(0, 900), (1, 900), (2, 900), (3, 900), (4, 1200)]
    assert (dose.maintenance_mg, dose.maintenance_interval_days, dose.maintenance_from_week) == (1200, 14, 6)


@pytest.mark.parametrize(
    ("weight", "loading", "maintenance"),
    [
        (40, 2400, 3000),
        (59.9, 2400, 3000),
        (60, 2700, 3300),
        (99.9, 2700, 3300),
        (100, 3000, 3600),
        (350, 3000, 3600),
    ],
)
def test_ravulizumab_weight_bands_at_their_boundaries(
    weight: float, loading: float, maintenance: float
) -> None:
    dose = complement_inhibitor_dose(weight, drug="ravulizumab", **VACCINATED)
    assert dose.loading == [(0, loading)]
    assert dose.maintenance_mg == maintenance and dose.maintenance_interval_days == 56
    assert dose.maintenance_from_week == 2


def test_ravulizumab_below_the_lowest_band_is_refused_naming_the_weight() -> None:
    with pytest.raises(DoseRefused) as excinfo:
        complement_inhibitor_dose(39.9, drug="ravulizumab", **VACCINATED)
    assert str(excinfo.value).startswith("weight_kg:") and "40" in str(excinfo.value)


@pytest.mark.parametrize(
    ("weight", "mg"), [(40, 16.6), (55.9, 16.6), (56, 23), (76.9, 23), (77, 32.4), (150, 32.4)]
)
def test_zilucoplan_daily_weight_bands(weight: float, mg: float) -> None:
    dose = complement_inhibitor_dose(weight, drug="zilucoplan", **VACCINATED)
    assert dose.loading == [] and dose.maintenance_mg == mg and dose.maintenance_interval_days == 1


@pytest.mark.parametrize("days", [None, 0, 13, 13.9])
@pytest.mark.parametrize("drug", ["eculizumab", "ravulizumab", "zilucoplan"])
def test_missing_or_recent_vaccination_is_refused(drug: str, days: float | None) -> None:
    with pytest.raises(DoseRefused) as excinfo:
        complement_inhibitor_dose(70, drug=drug, meningococcal_vaccination_days=days)
    message = str(excinfo.value)
    assert message.startswith("meningococcal_vaccination_days:")
    assert "MenACWY" in message and "MenB" in message and "prophylaxis" in message


def test_vaccination_at_14_days_is_enough() -> None:
    dose = complement_inhibitor_dose(70, meningococcal_vaccination_days=14)
    assert not dose.prophylaxis_cover
    assert _ci().prophylaxis_warning.text not in dose.warnings


@pytest.mark.parametrize("days", [None, 5])
def test_antibiotic_prophylaxis_turns_the_refusal_into_a_warning(days: float | None) -> None:
    dose = complement_inhibitor_dose(70, meningococcal_vaccination_days=days, antibiotic_prophylaxis=True)
    assert dose.prophylaxis_cover
    assert _ci().prophylaxis_warning.text in dose.warnings


@pytest.mark.parametrize("antibody", ["musk", "lrp4", "seronegative"])
def test_non_achr_antibody_status_is_flagged(antibody: str) -> None:
    dose = complement_inhibitor_dose(70, antibody=antibody, **VACCINATED)
    assert _ci().antibody_warning.text in dose.warnings


def test_achr_antibody_is_not_flagged() -> None:
    dose = complement_inhibitor_dose(70, antibody="achr", **VACCINATED)
    assert _ci().antibody_warning.text not in dose.warnings


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"drug": "soliris"}, "drug"),
        ({"antibody": "AChR"}, "antibody"),
        ({"meningococcal_vaccination_days": -1}, "meningococcal_vaccination_days"),
        ({"meningococcal_vaccination_days": "28"}, "meningococcal_vaccination_days"),
        ({"antibiotic_prophylaxis": "yes"}, "antibiotic_prophylaxis"),
        ({"weight_kg": 400}, "weight_kg"),
    ],
)
def test_bad_input_is_refused_naming_the_field(kwargs: dict, field: str) -> None:
    with pytest.raises(DoseInputError) as excinfo:
        complement_inhibitor_dose(**{"weight_kg": 70, **VACCINATED, **kwargs})
    assert str(excinfo.value).startswith(f"{field}:")


def test_meningococcal_risk_is_always_warned() -> None:
    for drug in ("eculizumab", "ravulizumab", "zilucoplan"):
        joined = " ".join(complement_inhibitor_dose(80, drug=drug, **VACCINATED).warnings).lower()
        assert "meningococcal" in joined, drug
