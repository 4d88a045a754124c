"""IVIG calculator: dose, dosing weight in obesity, whole vials under the ceiling, days, and every warning."""

from __future__ import annotations

import json

import pytest

from nmd_immuno.content.bibliography import bibliography_keys
from nmd_immuno.dosing import (
    IVIG_RISK_FACTORS,
    adjusted_body_weight_kg,
    dosing_parameters,
    ivig_dose,
    ivig_presets,
    ivig_risk_factor_labels,
)
from nmd_immuno.errors import DoseInputError


def test_standard_induction_hand_worked() -> None:
    # 2 g/kg × 70 kg = 140 g = 14 × 10 g vials over 5 days = 28 g/day
    dose = ivig_dose(70, 175, "male")
    assert dose.weight_basis == "actual"
    assert dose.total_g == pytest.approx(140)
    assert dose.rounded_total_g == 140
    assert dose.vials == 14
    assert dose.g_per_day == pytest.approx(28)
    assert dose.interval_weeks is None


def test_rounds_down_to_whole_vials_never_above_the_ceiling() -> None:
    # 2 g/kg × 73 kg = 146 g: 15 vials (150 g) would exceed it, so 14 vials (140 g)
    dose = ivig_dose(73, 175, "male")
    assert dose.total_g == pytest.approx(146)
    assert dose.rounded_total_g == 140 and dose.vials == 14
    assert any("Rounded DOWN" in note for note in dose.notes)
    # smaller vials come closer: 29 × 5 g = 145 g
    assert ivig_dose(73, 175, "male", vial_g=5).rounded_total_g == 145


def test_dose_smaller_than_one_vial_is_given_from_part_of_a_vial() -> None:
    # 0.4 g/kg × 10 kg = 4 g, less than a 10 g vial
    dose = ivig_dose(10, 80, "female", g_per_kg=0.4, days=1)
    assert dose.vials == 1
    assert dose.rounded_total_g == pytest.approx(4)
    assert any("less than one" in note for note in dose.notes)


def test_obese_patient_dosed_on_adjusted_weight_and_both_shown() -> None:
    # 120 kg, 165 cm woman: BMI 44; adjusted weight 82.15 kg -> 2 × 82.15 = 164.3 g -> 160 g
    dose = ivig_dose(120, 165, "female")
    assert dose.bmi == pytest.approx(120 / 1.65**2)
    assert dose.weight_basis == "adjusted"
    assert dose.actual_weight_kg == 120
    assert dose.adjusted_weight_kg == pytest.approx(adjusted_body_weight_kg(120, 165, "female"))
    assert dose.dosing_weight_kg == dose.adjusted_weight_kg
    assert dose.total_g == pytest.approx(2 * dose.adjusted_weight_kg)
    assert dose.rounded_total_g == 160
    assert any("ADJUSTED" in note for note in dose.notes)
    html = dose._repr_html_()
    assert "Adjusted weight" in html and "Actual weight" in html


def test_weight_basis_can_be_forced() -> None:
    actual = ivig_dose(120, 165, "female", weight_basis="actual")
    assert actual.weight_basis == "actual" and actual.dosing_weight_kg == 120
    assert actual.rounded_total_g == 240
    assert any("used as requested" in note for note in actual.notes)
    lean = ivig_dose(80, 165, "female", weight_basis="adjusted")
    assert lean.weight_basis == "adjusted"
    assert lean.dosing_weight_kg == pytest.approx(adjusted_body_weight_kg(80, 165, "female"))


def test_non_obese_patient_auto_uses_actual_weight() -> None:
    dose = ivig_dose(85, 180, "male")  # BMI 26
    assert dose.weight_basis == "actual" and dose.dosing_weight_kg == 85


def test_short_obese_patient_falls_back_to_actual_weight_with_a_note() -> None:
    dose = ivig_dose(80, 145, "female")  # BMI 38, but Devine undefined below 152.4 cm
    assert dose.weight_basis == "actual" and dose.adjusted_weight_kg is None
    assert any("Devine" in note for note in dose.notes)
    with pytest.raises(DoseInputError, match=r"^weight_basis: 'adjusted'"):
        ivig_dose(80, 145, "female", weight_basis="adjusted")


def test_maintenance_interval_is_kept_and_noted() -> None:
    dose = ivig_dose(70, 175, "male", g_per_kg=1.0, days=1, interval_weeks=3)
    assert dose.interval_weeks == 3 and dose.rounded_total_g == 70
    assert any("every 3 weeks" in note for note in dose.notes)


def test_presets_are_valid_calls() -> None:
    for name, preset in ivig_presets().items():
        dose = ivig_dose(
            70,
            175,
            "male",
            g_per_kg=preset["g_per_kg"],
            days=preset["days"],
            interval_weeks=preset["interval_weeks"],
        )
        assert dose.g_per_kg == preset["g_per_kg"], name


def test_too_much_per_day_is_refused_naming_days() -> None:
    with pytest.raises(DoseInputError) as excinfo:
        ivig_dose(70, 175, "male", g_per_kg=2.0, days=1)
    assert str(excinfo.value).startswith("days:")
    assert "at least 2 days" in str(excinfo.value)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"g_per_kg": 3.0}, "g_per_kg"),
        ({"g_per_kg": 0.1}, "g_per_kg"),
        ({"days": 6}, "days"),
        ({"days": 2.5}, "days"),
        ({"interval_weeks": 12}, "interval_weeks"),
        ({"weight_basis": "ideal"}, "weight_basis"),
        ({"vial_g": 0}, "vial_g"),
        ({"age": 130}, "age"),
        ({"age": True}, "age"),
        ({"risk_factors": ["smoking"]}, "risk_factors"),
        ({"risk_factors": "diabetes"}, "risk_factors"),
    ],
)
def test_invalid_options_are_refused_naming_the_field(kwargs: dict, field: str) -> None:
    with pytest.raises(DoseInputError) as excinfo:
        ivig_dose(70, 175, "male", **kwargs)
    assert str(excinfo.value).startswith(f"{field}:")


def test_every_risk_factor_has_a_label() -> None:
    assert list(ivig_risk_factor_labels()) == list(IVIG_RISK_FACTORS)


@pytest.mark.parametrize("factor", IVIG_RISK_FACTORS)
def test_each_risk_factor_triggers_its_own_warning(factor: str) -> None:
    text = dosing_parameters().ivig.risk_factors[factor].warning
    baseline = ivig_dose(70, 175, "male", g_per_kg=1.0, days=5)
    assert text not in baseline.warnings
    flagged = ivig_dose(70, 175, "male", g_per_kg=1.0, days=5, risk_factors=[factor])
    assert text in flagged.warnings
    assert factor in flagged.risk_factors
    assert set(dosing_parameters().ivig.risk_factors[factor].references) <= set(flagged.references)


def test_age_over_65_is_added_from_age_and_contradictions_are_refused() -> None:
    text = dosing_parameters().ivig.risk_factors["age_over_65"].warning
    assert text in ivig_dose(70, 175, "male", age=72).warnings
    assert text not in ivig_dose(70, 175, "male", age=50).warnings
    with pytest.raises(DoseInputError, match=r"^risk_factors: 'age_over_65' contradicts age=50"):
        ivig_dose(70, 175, "male", age=50, risk_factors=["age_over_65"])


def test_at_risk_patients_are_told_to_slow_down_and_spread_over_five_days() -> None:
    spread = dosing_parameters().ivig.at_risk_warning.text
    short = ivig_dose(70, 175, "male", days=2, risk_factors=["prior_thrombosis"])
    assert any(w.startswith(spread) and "spread it over 5" in w for w in short.warnings)
    five = ivig_dose(70, 175, "male", days=5, risk_factors=["renal_impairment"])
    assert spread in five.warnings
    # IgA deficiency and blood group are not thrombosis/renal/volume risks
    plain = ivig_dose(70, 175, "male", days=2, risk_factors=["iga_deficiency_anti_iga", "non_o_blood_group"])
    assert not any(w.startswith(spread) for w in plain.warnings)


def test_high_dose_warning_only_at_two_grams_per_kilogram() -> None:
    text = dosing_parameters().ivig.high_dose_warning.text
    assert text in ivig_dose(70, 175, "male", g_per_kg=2.0).warnings
    assert text not in ivig_dose(70, 175, "male", g_per_kg=1.0).warnings


def test_boxed_warning_is_always_shown() -> None:
    boxed = dosing_parameters().ivig.general_warnings[0].text
    assert boxed in ivig_dose(60, 170, "female", g_per_kg=0.4, days=1).warnings


def test_result_is_cited_serialisable_and_disclaimed() -> None:
    dose = ivig_dose(120, 165, "female", age=70, risk_factors=["diabetes"])
    assert dose.references and set(dose.references) <= bibliography_keys()
    data = dose.as_dict()
    json.dumps(data)
    assert data["kind"] == "IvigDose" and "not a prescription" in data["disclaimer"]
    html = dose._repr_html_()
    assert "not a prescription" in html and "160" in html
    assert "not a prescription" in str(dose)
