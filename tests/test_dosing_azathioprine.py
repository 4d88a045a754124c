"""Azathioprine: weight-based dose, TPMT/NUDT15 adjustments and refusals, xanthine-oxidase inhibitors."""

from __future__ import annotations

import pytest

from nmd_immuno.dosing import azathioprine_dose, dosing_parameters
from nmd_immuno.errors import DoseInputError, DoseRefused


def _aza():
    return dosing_parameters().azathioprine


def test_normal_metabolizer_hand_worked() -> None:
    # 2.5 mg/kg × 70 kg = 175 mg = 7 × 25 mg tablets; start at 50 mg
    dose = azathioprine_dose(70)
    assert dose.full_daily_mg == pytest.approx(175)
    assert dose.dose_factor_range == (1.0, 1.0)
    assert dose.daily_mg == 175 and dose.start_mg == 50


def test_dose_rounds_down_to_whole_tablets() -> None:
    # 2 mg/kg × 63 kg = 126 mg -> 125 mg
    assert azathioprine_dose(63, mg_per_kg=2.0).daily_mg == 125


@pytest.mark.parametrize(
    ("tpmt", "nudt15", "factor"),
    [
        ("intermediate", "normal", "tpmt_intermediate"),
        ("normal", "intermediate", "nudt15_intermediate"),
        ("intermediate", "intermediate", "both_intermediate"),
    ],
)
def test_intermediate_metabolizers_get_a_reduced_range(tpmt: str, nudt15: str, factor: str) -> None:
    expected = getattr(_aza().phenotype_factors, factor)
    dose = azathioprine_dose(70, tpmt=tpmt, nudt15=nudt15)
    assert dose.dose_factor_range == (expected.low, expected.high)
    assert dose.daily_mg_range == pytest.approx((175 * expected.low, 175 * expected.high))
    assert dose.daily_mg <= 175 * expected.high
    assert _aza().intermediate_warning.text in dose.warnings


def test_xanthine_oxidase_inhibitor_reduces_to_about_a_quarter() -> None:
    factor = _aza().xanthine_oxidase_factor
    dose = azathioprine_dose(80, xanthine_oxidase_inhibitor=True)  # 200 mg unadjusted
    assert dose.daily_mg_range == pytest.approx((200 * factor.low, 200 * factor.high))
    assert dose.daily_mg == 50  # 66 mg -> two 25 mg tablets
    assert _aza().xanthine_oxidase_warning.text in dose.warnings
    assert _aza().xanthine_oxidase_warning.text not in azathioprine_dose(80).warnings


@pytest.mark.parametrize("gene", ["tpmt", "nudt15"])
@pytest.mark.parametrize("status", ["poor", "unknown"])
def test_poor_or_unknown_metabolizers_are_refused(gene: str, status: str) -> None:
    with pytest.raises(DoseRefused) as excinfo:
        azathioprine_dose(70, **{gene: status})
    message = str(excinfo.value)
    assert message.startswith(f"{gene}: '{status}'")
    assert gene.upper() in message


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"mg_per_kg": 4}, "mg_per_kg"),
        ({"tpmt": "fast"}, "tpmt"),
        ({"nudt15": None}, "nudt15"),
        ({"xanthine_oxidase_inhibitor": "allopurinol"}, "xanthine_oxidase_inhibitor"),
    ],
)
def test_input_refusals_name_the_field(kwargs: dict, field: str) -> None:
    with pytest.raises(DoseInputError) as excinfo:
        azathioprine_dose(70, **kwargs)
    assert str(excinfo.value).startswith(f"{field}:")


def test_slow_onset_and_monitoring_are_warned() -> None:
    joined = " ".join(azathioprine_dose(70).warnings).lower()
    assert "blood count" in joined and "months" in joined and "malignancy" in joined
