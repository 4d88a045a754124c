"""Rituximab: both regimens, hepatitis B and live-vaccine hard stops, required inputs."""

from __future__ import annotations

import math

import pytest

from nmd_immuno.dosing import RITUXIMAB_REGIMENS, body_surface_area_m2, rituximab_dose, rituximab_regimens
from nmd_immuno.errors import DoseInputError, DoseRefused


def test_surface_area_regimen_hand_worked() -> None:
    # 170 cm, 70 kg: BSA 1.818 m² × 375 = 681.8 mg -> 681 mg (rounded down), weekly × 4
    dose = rituximab_dose(regimen="375_mg_m2_weekly_x4", height_cm=170, weight_kg=70, hbv_screened=True)
    assert dose.bsa_m2 == pytest.approx(body_surface_area_m2(170, 70))
    assert dose.mg_per_infusion == math.floor(375 * dose.bsa_m2) == 681
    assert dose.infusions == 4 and dose.interval_days == 7
    assert dose.schedule_days == [1, 8, 15, 22]
    assert dose.total_mg == 4 * 681


def test_fixed_regimen() -> None:
    dose = rituximab_dose(regimen="1000_mg_x2", hbv_screened=True)
    assert dose.mg_per_infusion == 1000 and dose.infusions == 2
    assert dose.schedule_days == [1, 15] and dose.total_mg == 2000
    assert dose.bsa_m2 is None


def test_api_regimens_are_offered() -> None:
    assert set(RITUXIMAB_REGIMENS) <= set(rituximab_regimens())


@pytest.mark.parametrize("screened", [False, None])
def test_refused_without_hepatitis_b_screening(screened: bool | None) -> None:
    with pytest.raises(DoseRefused, match=r"^hbv_screened: .*Hepatitis B screening"):
        rituximab_dose(regimen="1000_mg_x2", hbv_screened=screened)


def test_refused_when_a_live_vaccine_is_planned() -> None:
    with pytest.raises(DoseRefused, match=r"^live_vaccine_planned: .*[Ll]ive vaccines"):
        rituximab_dose(regimen="1000_mg_x2", hbv_screened=True, live_vaccine_planned=True)


def test_warnings_cover_the_boxed_warnings_and_premedication() -> None:
    joined = " ".join(rituximab_dose(regimen="1000_mg_x2", hbv_screened=True).warnings).lower()
    for topic in ("infusion reactions", "premedicate", "pml", "hypogammaglobulinaemia", "live vaccines"):
        assert topic in joined


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"regimen": "375_mg_m2_weekly_x4", "weight_kg": 70}, "height_cm"),
        ({"regimen": "375_mg_m2_weekly_x4", "height_cm": 170}, "weight_kg"),
        ({"regimen": "weekly"}, "regimen"),
        ({"regimen": "1000_mg_x2", "hbv_screened": "yes"}, "hbv_screened"),
        ({"regimen": "1000_mg_x2", "weight_kg": 0}, "weight_kg"),
    ],
)
def test_input_refusals_name_the_field(kwargs: dict, field: str) -> None:
    kwargs.setdefault("hbv_screened", True)
    with pytest.raises(DoseInputError) as excinfo:
        rituximab_dose(**kwargs)
    assert str(excinfo.value).startswith(f"{field}:")


def test_surface_area_dose_above_the_usual_absolute_dose_is_warned_with_its_source() -> None:
    """Issue 12: 375 mg/m² at about 4.5 m² gave 1,687 mg per infusion without a word."""
    from nmd_immuno.dosing import dosing_parameters

    high = dosing_parameters().rituximab.high_dose_warning
    dose = rituximab_dose(regimen="375_mg_m2_weekly_x4", height_cm=250, weight_kg=290, hbv_screened=True)
    assert dose.mg_per_infusion > high.above_mg
    warning = next(w for w in dose.warnings if high.text in w)
    expected = f"{dose.mg_per_infusion:g} mg per infusion (375 mg/m² × {dose.bsa_m2:.2f} m²). "
    assert warning.startswith(expected)
    assert set(high.references) <= set(dose.references)
    usual = rituximab_dose(regimen="375_mg_m2_weekly_x4", height_cm=172, weight_kg=78, hbv_screened=True)
    assert not any(high.text in w for w in usual.warnings)
    fixed = rituximab_dose(regimen="1000_mg_x2", hbv_screened=True)
    assert not any(high.text in w for w in fixed.warnings)
