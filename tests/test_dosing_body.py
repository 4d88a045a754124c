"""Body-size formulas against hand-worked examples, and their input checks."""

from __future__ import annotations

import math

import pytest

from nmd_immuno.dosing import (
    adjusted_body_weight_kg,
    body_surface_area_m2,
    estimated_plasma_volume_l,
    ideal_body_weight_kg,
)
from nmd_immuno.errors import DoseInputError


def test_mosteller_hand_worked() -> None:
    # 170 cm, 70 kg: sqrt(170 × 70 / 3600) = sqrt(3.3056) = 1.818 m²
    assert body_surface_area_m2(170, 70) == pytest.approx(1.818, abs=0.001)
    # 180 cm, 90 kg: sqrt(16200 / 3600) = sqrt(4.5) = 2.121 m²
    assert body_surface_area_m2(180, 90) == pytest.approx(2.121, abs=0.001)


def test_bsa_grows_with_height_and_weight() -> None:
    assert body_surface_area_m2(170, 80) > body_surface_area_m2(170, 70)
    assert body_surface_area_m2(180, 70) > body_surface_area_m2(170, 70)


def test_devine_hand_worked() -> None:
    # 180 cm = 70.87 in; male: 50 + 2.3 × 10.87 = 74.99 kg
    assert ideal_body_weight_kg(180, "male") == pytest.approx(74.99, abs=0.01)
    # 165 cm = 64.96 in; female: 45.5 + 2.3 × 4.96 = 56.91 kg
    assert ideal_body_weight_kg(165, "female") == pytest.approx(56.91, abs=0.01)
    # exactly 60 in: the base weights
    assert ideal_body_weight_kg(152.4, "male") == pytest.approx(50.0)
    assert ideal_body_weight_kg(152.4, "female") == pytest.approx(45.5)


def test_devine_refuses_heights_below_its_base() -> None:
    with pytest.raises(DoseInputError, match=r"^height_cm: 150 .*152\.4"):
        ideal_body_weight_kg(150, "female")


def test_adjusted_weight_hand_worked() -> None:
    # 120 kg woman, 165 cm: IBW 56.91; adjusted = 56.91 + 0.4 × (120 − 56.91) = 82.15 kg
    assert adjusted_body_weight_kg(120, 165, "female") == pytest.approx(82.15, abs=0.01)


def test_adjusted_weight_is_actual_weight_at_or_below_ideal() -> None:
    # 60 kg man of 180 cm is below his IBW (75 kg): nothing to discount
    assert adjusted_body_weight_kg(60, 180, "male") == 60


def test_adjusted_weight_lies_between_ideal_and_actual() -> None:
    ibw = ideal_body_weight_kg(175, "male")
    adjusted = adjusted_body_weight_kg(130, 175, "male")
    assert ibw < adjusted < 130


def test_kaplan_plasma_volume_hand_worked() -> None:
    # 0.07 × 70 × (1 − 0.40) = 2.94 L
    assert estimated_plasma_volume_l(70, 0.40) == pytest.approx(2.94)
    # 0.07 × 100 × (1 − 0.45) = 3.85 L
    assert estimated_plasma_volume_l(100, 0.45) == pytest.approx(3.85)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: body_surface_area_m2(170, 400), "weight_kg"),
        (lambda: body_surface_area_m2(300, 70), "height_cm"),
        (lambda: body_surface_area_m2(170, float("nan")), "weight_kg"),
        (lambda: body_surface_area_m2(170, True), "weight_kg"),
        (lambda: body_surface_area_m2("170", 70), "height_cm"),
        (lambda: ideal_body_weight_kg(170, "other"), "sex"),
        (lambda: estimated_plasma_volume_l(70, 40), "hematocrit"),
        (lambda: estimated_plasma_volume_l(70, math.inf), "hematocrit"),
        (lambda: estimated_plasma_volume_l(-5, 0.4), "weight_kg"),
    ],
)
def test_bad_input_names_the_field(call, field: str) -> None:
    with pytest.raises(DoseInputError) as excinfo:
        call()
    assert str(excinfo.value).startswith(f"{field}:")


def test_out_of_range_message_gives_value_and_range() -> None:
    with pytest.raises(DoseInputError) as excinfo:
        estimated_plasma_volume_l(70, 40)
    message = str(excinfo.value)
    assert "40" in message and "0.1" in message and "0.7" in message


def test_impossible_weight_height_combination_is_refused() -> None:
    # each value is in range, but 350 kg at 60 cm is a typing error (BMI ~ 970)
    with pytest.raises(DoseInputError, match=r"weight_kg/height_cm: .*body mass index"):
        body_surface_area_m2(60, 350)
