"""Complement inhibitors: label schedules and weight bands at their boundaries, the meningococcal vaccination
hard stop (and its prophylaxis escape), the AChR-only indication, and the adult-only tables (age and lowest
weight band refused)."""

from __future__ import annotations

import pytest

from nmd_immuno.dosing import complement_inhibitor_dose, dosing_parameters
from nmd_immuno.errors import DoseInputError, DoseRefused

VACCINATED = {"meningococcal_vaccination_days": 28, "age": 45}
ADULT = 45


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
        complement_inhibitor_dose(70, age=ADULT, drug=drug, meningococcal_vaccination_days=days)
    message = str(excinfo.value)
    assert message.startswith("meningococcal_vaccination_days:")
    assert "MenACWY" in message and "MenB" in message and "prophylaxis" in message


def test_vaccination_at_14_days_is_enough() -> None:
    dose = complement_inhibitor_dose(70, age=ADULT, meningococcal_vaccination_days=14)
    assert not dose.prophylaxis_cover
    assert _ci().prophylaxis_warning.text not in dose.warnings


@pytest.mark.parametrize("days", [None, 5])
def test_antibiotic_prophylaxis_turns_the_refusal_into_a_warning(days: float | None) -> None:
    dose = complement_inhibitor_dose(
        70, age=ADULT, meningococcal_vaccination_days=days, antibiotic_prophylaxis=True
    )
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
        ({"age": None}, "age"),
        ({"age": "45"}, "age"),
        ({"age": -1}, "age"),
        ({"age": 130}, "age"),
        ({"age": True}, "age"),
    ],
)
def test_bad_input_is_refused_naming_the_field(kwargs: dict, field: str) -> None:
    with pytest.raises(DoseInputError) as excinfo:
        complement_inhibitor_dose(**{"weight_kg": 70, **VACCINATED, **kwargs})
    message = str(excinfo.value)
    assert message.startswith(f"{field}:")
    shown = "not given" if kwargs[field] is None else repr(kwargs[field])  # None reads "not given"
    assert shown in message and "allowed" in message, message


def test_meningococcal_risk_is_always_warned() -> None:
    for drug in ("eculizumab", "ravulizumab", "zilucoplan"):
        joined = " ".join(complement_inhibitor_dose(80, drug=drug, **VACCINATED).warnings).lower()
        assert "meningococcal" in joined, drug


@pytest.mark.parametrize("drug", ["eculizumab", "ravulizumab", "zilucoplan"])
def test_adult_labels_refuse_under_18_and_accept_18(drug: str) -> None:
    with pytest.raises(DoseRefused) as excinfo:
        complement_inhibitor_dose(70, **{**VACCINATED, "age": 17.9}, drug=drug)
    message = str(excinfo.value)
    assert message.startswith("age:") and "17.9" in message and "18" in message
    assert complement_inhibitor_dose(70, **{**VACCINATED, "age": 18}, drug=drug).age == 18


def test_eculizumab_under_18_points_to_the_paediatric_table_it_does_not_encode() -> None:
    with pytest.raises(DoseRefused) as excinfo:
        complement_inhibitor_dose(45, **{**VACCINATED, "age": 10}, drug="eculizumab")
    message = str(excinfo.value).lower()
    assert "6 years" in message and "2025" in message and "paediatric" in message
    assert "does not encode" in message


def test_age_refusal_cites_the_label_that_sets_it() -> None:
    plan = _ci().drugs["eculizumab"]
    assert "label_soliris_2025_pediatric_gmg" in plan.age_limit.references
    dose = complement_inhibitor_dose(70, **VACCINATED, drug="eculizumab")
    assert set(plan.age_limit.references) <= set(dose.references)


@pytest.mark.parametrize(("weight", "refused"), [(2, True), (39.9, True), (40, False)])
def test_eculizumab_adult_schedule_starts_at_40_kg(weight: float, refused: bool) -> None:
    if refused:
        with pytest.raises(DoseRefused) as excinfo:
            complement_inhibitor_dose(weight, **VACCINATED, drug="eculizumab")
        message = str(excinfo.value)
        assert message.startswith("weight_kg:") and "below the labelled weight bands" in message
        assert "40" in message
    else:
        assert complement_inhibitor_dose(weight, **VACCINATED, drug="eculizumab").maintenance_mg == 1200


def test_no_complement_inhibitor_gives_an_adult_dose_to_a_small_child() -> None:
    for drug in ("eculizumab", "ravulizumab", "zilucoplan"):
        with pytest.raises(DoseRefused):
            complement_inhibitor_dose(12, **{**VACCINATED, "age": 3}, drug=drug)


def test_eculizumab_schedule_text_names_the_fifth_dose_one_week_later() -> None:
    label = _ci().drugs["eculizumab"].label
    assert "fifth dose one week later" in label and "in week 4" not in label
    dose = complement_inhibitor_dose(70, **VACCINATED, drug="eculizumab")
    weeks = [week for week, _ in dose.loading]
    assert weeks == list(range(5)) and dose.loading[-1][1] == dose.maintenance_mg
