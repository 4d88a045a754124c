"""Corticosteroids: dose with ceiling, MG early-worsening warnings, safety bundle, pulses, taper."""

from __future__ import annotations

import pytest

from nmd_immuno.dosing import (
    dosing_parameters,
    methylprednisolone_pulse,
    prednisone_dose,
    steroid_indications,
    steroid_taper,
)
from nmd_immuno.errors import DoseInputError


def _pred():
    return dosing_parameters().corticosteroids.prednisone


def test_one_mg_per_kg_below_the_ceiling() -> None:
    dose = prednisone_dose(70)
    assert dose.daily_mg == 70 and not dose.capped and dose.start_mg == 70


def test_heavy_patient_is_capped_at_the_indication_ceiling() -> None:
    mg = prednisone_dose(95, indication="myasthenia_gravis")
    assert mg.weight_based_mg == pytest.approx(95)
    assert mg.capped and mg.daily_mg == mg.ceiling_mg == _pred().indications["myasthenia_gravis"].ceiling_mg
    cidp = prednisone_dose(95, indication="cidp")
    assert cidp.daily_mg == _pred().indications["cidp"].ceiling_mg


def test_no_ceiling_exceeds_the_oral_maximum_of_100_mg() -> None:
    assert _pred().absolute_max_mg.value == 100
    for key in steroid_indications():
        assert prednisone_dose(350, indication=key).daily_mg <= 100


def test_daily_dose_is_rounded_down_to_whole_mg() -> None:
    assert prednisone_dose(73.6, mg_per_kg=0.75).daily_mg == 55  # 55.2 -> 55


def test_mg_outpatient_with_bulbar_signs_on_a_full_start_is_warned() -> None:
    bulbar = _pred().outpatient_bulbar_warning.text
    worsening = _pred().early_worsening_warning.text
    dose = prednisone_dose(80, start="full", outpatient=True, bulbar_or_respiratory=True)
    assert dose.warnings[0] == bulbar  # the most important warning comes first
    assert worsening in dose.warnings
    inpatient = prednisone_dose(80, start="full", outpatient=False, bulbar_or_respiratory=True)
    assert bulbar not in inpatient.warnings and worsening in inpatient.warnings
    no_bulbar = prednisone_dose(80, start="full", outpatient=True, bulbar_or_respiratory=False)
    assert bulbar not in no_bulbar.warnings and worsening in no_bulbar.warnings


def test_low_start_titrates_up_without_the_early_worsening_warning() -> None:
    dose = prednisone_dose(80, start="low", outpatient=True, bulbar_or_respiratory=True)
    assert dose.start_mg == _pred().low_start_mg.value < dose.daily_mg
    assert _pred().early_worsening_warning.text not in dose.warnings
    assert _pred().outpatient_bulbar_warning.text not in dose.warnings
    assert any("increase by 5 mg" in note for note in dose.notes)


def test_early_worsening_warning_is_specific_to_myasthenia() -> None:
    dose = prednisone_dose(80, indication="myositis", start="full", bulbar_or_respiratory=True)
    assert _pred().early_worsening_warning.text not in dose.warnings


def test_pjp_prophylaxis_needs_high_dose_and_another_immunosuppressant() -> None:
    pjp = _pred().pjp_warning.text
    assert pjp in prednisone_dose(70, other_immunosuppressant=True).warnings
    assert pjp not in prednisone_dose(70, other_immunosuppressant=False).warnings
    assert pjp not in prednisone_dose(30, mg_per_kg=0.5, other_immunosuppressant=True).warnings  # 15 mg


def test_safety_bundle_is_always_listed() -> None:
    dose = prednisone_dose(60, indication="cidp")
    for item in _pred().safety_warnings:
        assert item.text in dose.warnings
    joined = " ".join(dose.warnings).lower()
    for topic in ("bone", "glucose", "blood pressure", "hepatitis b", "tuberculosis", "taper"):
        assert topic in joined


@pytest.mark.parametrize("indication", ["mmn", "cidp_motor"])
def test_disease_specific_warnings(indication: str) -> None:
    expected = _pred().indications[indication].warnings
    assert expected
    dose = prednisone_dose(70, indication=indication)
    for item in expected:
        assert item.text in dose.warnings
    assert not any(item.text in prednisone_dose(70, indication="cidp").warnings for item in expected)


def test_dose_includes_a_taper_to_five_mg() -> None:
    dose = prednisone_dose(70)
    assert dose.taper[0].daily_mg == 70 and dose.taper[-1].daily_mg == 5


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"mg_per_kg": 2.0}, "mg_per_kg"),
        ({"mg_per_kg": "1"}, "mg_per_kg"),
        ({"indication": "ibm"}, "indication"),
        ({"start": "medium"}, "start"),
        ({"outpatient": 1}, "outpatient"),
        ({"bulbar_or_respiratory": "yes"}, "bulbar_or_respiratory"),
        ({"other_immunosuppressant": None}, "other_immunosuppressant"),
    ],
)
def test_prednisone_refusals_name_the_field(kwargs: dict, field: str) -> None:
    with pytest.raises(DoseInputError) as excinfo:
        prednisone_dose(70, **kwargs)
    assert str(excinfo.value).startswith(f"{field}:")


def test_methylprednisolone_adult_pulse() -> None:
    pulse = methylprednisolone_pulse(70, mg_per_day=1000, days=3)
    assert pulse.mg_per_day == 1000 and pulse.total_mg == 3000 and not pulse.capped


def test_methylprednisolone_capped_at_30_mg_per_kg_for_a_small_patient() -> None:
    pulse = methylprednisolone_pulse(20, mg_per_day=1000, days=5)
    assert pulse.capped and pulse.mg_per_day == 600 and pulse.total_mg == 3000


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"mg_per_day": 2000}, "mg_per_day"), ({"mg_per_day": 250}, "mg_per_day"), ({"days": 7}, "days")],
)
def test_methylprednisolone_refusals(kwargs: dict, field: str) -> None:
    with pytest.raises(DoseInputError) as excinfo:
        methylprednisolone_pulse(70, **kwargs)
    assert str(excinfo.value).startswith(f"{field}:")


def test_taper_hand_worked() -> None:
    steps = steroid_taper(30, target_mg=5)
    doses = [s.daily_mg for s in steps]
    # 5 mg steps above 20, 2.5 mg from 20 to 10, then 1 mg
    assert doses == [30, 25, 20, 17.5, 15, 12.5, 10, 9, 8, 7, 6, 5]
    weeks = [s.week for s in steps]
    assert weeks[0] == 0 and weeks == sorted(weeks)
    assert weeks[-1] - weeks[-2] > weeks[1] - weeks[0]  # slower at low doses


def test_taper_from_an_odd_dose_lands_on_whole_steps() -> None:
    steps = steroid_taper(73)
    assert [s.daily_mg for s in steps[:3]] == [73, 70, 65]


def test_taper_refusals() -> None:
    with pytest.raises(DoseInputError, match=r"^target_mg: 20 is above start_mg=10"):
        steroid_taper(10, target_mg=20)
    with pytest.raises(DoseInputError, match=r"^start_mg:"):
        steroid_taper(150)
    with pytest.raises(DoseInputError, match=r"^target_mg:"):
        steroid_taper(30, target_mg=-1)
