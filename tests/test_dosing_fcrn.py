"""FcRn inhibitors: mg/kg with the per-infusion ceiling, weight bands at their boundaries, loading dose,
antibody eligibility per label, the live-vaccine hard stop, the class warnings, the labels' youngest ages and
the banded drug's lowest weight."""

from __future__ import annotations

import pytest

from nmd_immuno.dosing import dosing_parameters, fcrn_inhibitor_dose
from nmd_immuno.errors import DoseInputError, DoseRefused

ADULT = 45


def _fc():
    return dosing_parameters().fcrn_inhibitors


def test_efgartigimod_is_10_mg_per_kg_weekly_for_four_doses() -> None:
    dose = fcrn_inhibitor_dose(70, age=ADULT, drug="efgartigimod_iv")
    assert dose.mg_per_dose == 700 and not dose.capped
    assert dose.doses_per_cycle == 4 and dose.schedule_days == [1, 8, 15, 22]


def test_efgartigimod_rounds_down_to_whole_mg() -> None:
    assert fcrn_inhibitor_dose(73.35, age=ADULT).mg_per_dose == 733


@pytest.mark.parametrize(
    ("weight", "mg", "capped"),
    [(119.9, 1199, False), (120, 1200, False), (120.5, 1200, True), (200, 1200, True)],
)
def test_efgartigimod_ceiling_is_1200_mg_per_infusion(weight: float, mg: float, capped: bool) -> None:
    dose = fcrn_inhibitor_dose(weight, age=ADULT, drug="efgartigimod_iv")
    assert dose.mg_per_dose == mg and dose.capped is capped
    assert dose.calculated_mg == pytest.approx(10 * weight)


@pytest.mark.parametrize(
    ("weight", "mg"), [(35, 420), (49.9, 420), (50, 560), (99.9, 560), (100, 840), (300, 840)]
)
def test_rozanolixizumab_us_weight_bands(weight: float, mg: float) -> None:
    dose = fcrn_inhibitor_dose(weight, age=ADULT, drug="rozanolixizumab")
    assert dose.mg_per_dose == mg
    assert dose.doses_per_cycle == 6 and dose.schedule_days == [1, 8, 15, 22, 29, 36]


def test_nipocalimab_loading_then_maintenance_every_two_weeks() -> None:
    dose = fcrn_inhibitor_dose(70, age=ADULT, drug="nipocalimab")
    assert dose.loading_mg == 2100 and dose.mg_per_dose == 1050
    assert dose.doses_per_cycle is None and dose.interval_days == 14
    assert dose.schedule_days[:2] == [1, 15]


@pytest.mark.parametrize(
    ("drug", "antibody", "flagged"),
    [
        ("efgartigimod_iv", "achr", False),
        ("efgartigimod_iv", "musk", True),
        ("efgartigimod_iv", "seronegative", True),
        ("rozanolixizumab", "musk", False),
        ("rozanolixizumab", "lrp4", True),
        ("nipocalimab", "musk", False),
        ("nipocalimab", "seronegative", True),
    ],
)
def test_antibody_eligibility_follows_each_label(drug: str, antibody: str, flagged: bool) -> None:
    dose = fcrn_inhibitor_dose(70, age=ADULT, drug=drug, antibody=antibody)
    assert (_fc().antibody_warning.text in dose.warnings) is flagged


@pytest.mark.parametrize("drug", ["efgartigimod_iv", "rozanolixizumab", "nipocalimab"])
def test_live_vaccine_is_refused(drug: str) -> None:
    with pytest.raises(DoseRefused) as excinfo:
        fcrn_inhibitor_dose(70, age=ADULT, drug=drug, live_vaccine_planned=True)
    assert str(excinfo.value).startswith("live_vaccine_planned:") and "live" in str(excinfo.value).lower()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"drug": "vyvgart"}, "drug"),
        ({"antibody": "positive"}, "antibody"),
        ({"live_vaccine_planned": 0}, "live_vaccine_planned"),
        ({"weight_kg": 1}, "weight_kg"),
        ({"weight_kg": float("nan")}, "weight_kg"),
        ({"age": None}, "age"),
        ({"age": "45"}, "age"),
        ({"age": 111}, "age"),
    ],
)
def test_bad_input_is_refused_naming_the_field(kwargs: dict, field: str) -> None:
    with pytest.raises(DoseInputError) as excinfo:
        fcrn_inhibitor_dose(**{"weight_kg": 70, "age": ADULT, **kwargs})
    message = str(excinfo.value)
    assert message.startswith(f"{field}:")
    shown = "not given" if kwargs[field] is None else repr(kwargs[field])  # None reads "not given"
    assert shown in message and "allowed" in message, message


def test_class_warnings_igg_lowering_plasma_exchange_and_vaccines() -> None:
    for drug in ("efgartigimod_iv", "rozanolixizumab", "nipocalimab"):
        joined = " ".join(fcrn_inhibitor_dose(70, age=ADULT, drug=drug).warnings).lower()
        for phrase in ("igg", "plasma exchange", "live vaccines"):
            assert phrase in joined, (drug, phrase)


@pytest.mark.parametrize(
    ("drug", "youngest"), [("efgartigimod_iv", 18), ("rozanolixizumab", 18), ("nipocalimab", 12)]
)
def test_each_label_youngest_age_is_enforced(drug: str, youngest: float) -> None:
    with pytest.raises(DoseRefused) as excinfo:
        fcrn_inhibitor_dose(60, age=youngest - 0.5, drug=drug)
    message = str(excinfo.value)
    assert message.startswith("age:") and f"{youngest:g}" in message
    assert fcrn_inhibitor_dose(60, age=youngest, drug=drug).age == youngest


def test_invalid_input_is_reported_before_the_age_stop() -> None:
    with pytest.raises(DoseInputError):
        fcrn_inhibitor_dose(70, age=8, drug="nipocalimab", live_vaccine_planned="yes")


@pytest.mark.parametrize("weight", [2, 20, 34.9])
def test_rozanolixizumab_below_the_labelled_bands_is_refused(weight: float) -> None:
    with pytest.raises(DoseRefused) as excinfo:
        fcrn_inhibitor_dose(weight, age=ADULT, drug="rozanolixizumab")
    message = str(excinfo.value)
    assert message.startswith("weight_kg:") and "below the labelled weight bands" in message
    assert "35" in message


def test_rozanolixizumab_cycle_note_says_sooner_than_63_days_is_not_established() -> None:
    notes = " ".join(fcrn_inhibitor_dose(70, age=ADULT, drug="rozanolixizumab").notes)
    assert "sooner than 63 days" in notes and "has not been established" in notes


@pytest.mark.parametrize(("weight", "warned"), [(149.9, False), (150, True), (250, True)])
def test_nipocalimab_scales_with_weight_and_warns_when_very_heavy(weight: float, warned: bool) -> None:
    dose = fcrn_inhibitor_dose(weight, age=ADULT, drug="nipocalimab")
    assert dose.mg_per_dose == pytest.approx(int(15 * weight)) and not dose.capped  # no invented ceiling
    heavy = _fc().drugs["nipocalimab"].high_weight_warning
    assert any(heavy.text in w for w in dose.warnings) is warned


def test_efgartigimod_outside_achr_warning_is_hedged_about_a_later_approval() -> None:
    dose = fcrn_inhibitor_dose(70, age=ADULT, drug="efgartigimod_iv", antibody="seronegative")
    warning = next(w for w in dose.warnings if w == _fc().antibody_warning.text)
    assert "ADAPT SERON" in warning and "check the current label" in warning
    assert "argenx2025adaptseron" in dose.references


@pytest.mark.parametrize("weight", [40, 70, 130, 300])
def test_subcutaneous_efgartigimod_is_a_fixed_1008_mg_weekly_whatever_the_weight(weight: float) -> None:
    """Issue 12: Vyvgart Hytrulo, the product licensed for CIDP, is 1008 mg weekly, not by weight."""
    dose = fcrn_inhibitor_dose(weight, age=ADULT, drug="efgartigimod_sc")
    assert dose.mg_per_dose == 1008 and not dose.capped and dose.loading_mg is None
    assert dose.schedule_days == [1, 8, 15, 22]
    assert "label_vyvgart" in dose.references
    assert "CIDP" in " ".join(dose.notes)


def test_subcutaneous_efgartigimod_is_refused_under_18() -> None:
    with pytest.raises(DoseRefused, match=r"^age: 17 years is below 18"):
        fcrn_inhibitor_dose(70, age=17, drug="efgartigimod_sc")
