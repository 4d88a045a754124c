"""Every numeric input of every calculator refuses an integer too large for a float with the usual clear error
(field, what was given, what is allowed), never an OverflowError (issue 12: ``age=10**400``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nmd_immuno.dosing import (
    attempt,
    azathioprine_dose,
    body_surface_area_m2,
    complement_inhibitor_dose,
    estimated_plasma_volume_l,
    fcrn_inhibitor_dose,
    ideal_body_weight_kg,
    ivig_dose,
    methotrexate_dose,
    methylprednisolone_pulse,
    mycophenolate_dose,
    plasma_exchange_plan,
    prednisone_dose,
    rituximab_dose,
    steroid_taper,
)
from nmd_immuno.errors import DoseInputError

#: (calculator, valid keyword arguments, the numeric inputs among them)
CASES: list[tuple[Callable[..., Any], dict[str, Any], list[str]]] = [
    (
        ivig_dose,
        {
            "weight_kg": 70,
            "height_cm": 170,
            "sex": "male",
            "g_per_kg": 2,
            "days": 5,
            "interval_weeks": 4,
            "vial_g": 10,
            "age": 50,
        },
        ["weight_kg", "height_cm", "g_per_kg", "days", "interval_weeks", "vial_g", "age"],
    ),
    (
        plasma_exchange_plan,
        {"weight_kg": 70, "hematocrit": 0.4, "plasma_volumes": 1, "exchanges": 5, "days": 10},
        ["weight_kg", "hematocrit", "plasma_volumes", "exchanges", "days"],
    ),
    (prednisone_dose, {"weight_kg": 70, "mg_per_kg": 1}, ["weight_kg", "mg_per_kg"]),
    (
        methylprednisolone_pulse,
        {"weight_kg": 70, "mg_per_day": 1000, "days": 3},
        ["weight_kg", "mg_per_day", "days"],
    ),
    (
        rituximab_dose,
        {"height_cm": 170, "weight_kg": 70, "hbv_screened": True},
        ["height_cm", "weight_kg"],
    ),
    (azathioprine_dose, {"weight_kg": 70, "mg_per_kg": 2.5}, ["weight_kg", "mg_per_kg"]),
    (methotrexate_dose, {"weekly_mg": 15, "egfr_ml_min": 90}, ["weekly_mg", "egfr_ml_min"]),
    (mycophenolate_dose, {"daily_g": 2}, ["daily_g"]),
    (
        complement_inhibitor_dose,
        {"weight_kg": 70, "age": 50, "meningococcal_vaccination_days": 28},
        ["weight_kg", "age", "meningococcal_vaccination_days"],
    ),
    (fcrn_inhibitor_dose, {"weight_kg": 70, "age": 50}, ["weight_kg", "age"]),
    (steroid_taper, {"start_mg": 40, "target_mg": 5}, ["start_mg", "target_mg"]),
    (body_surface_area_m2, {"height_cm": 170, "weight_kg": 70}, ["height_cm", "weight_kg"]),
    (ideal_body_weight_kg, {"height_cm": 170, "sex": "male"}, ["height_cm"]),
    (estimated_plasma_volume_l, {"weight_kg": 70, "hematocrit": 0.4}, ["weight_kg", "hematocrit"]),
]

INPUTS = [(calc, kwargs, name) for calc, kwargs, names in CASES for name in names]
HUGE = st.integers(min_value=2**1024, max_value=10**1000) | st.integers(
    min_value=-(10**1000), max_value=-(2**1024)
)


def test_every_case_is_valid_as_given() -> None:
    for calculator, kwargs, _names in CASES:
        calculator(**kwargs)  # the baseline gives a result, so only the huge value can be refused


@pytest.mark.parametrize(
    ("calculator", "kwargs", "name"), INPUTS, ids=[f"{c.__name__}-{n}" for c, _, n in INPUTS]
)
@settings(max_examples=25, deadline=None)
@given(huge=HUGE)
def test_huge_integers_are_refused_with_a_clear_message(calculator, kwargs, name, huge) -> None:
    with pytest.raises(DoseInputError) as caught:
        calculator(**{**kwargs, name: huge})
    message = str(caught.value)
    assert message.startswith(
        f"{name}: an integer with more than 308 digits is too large to be a number; allowed:"
    )


def test_the_issue_example_is_a_refusal_not_an_overflow() -> None:
    refusal = attempt(ivig_dose, 70, 170, "male", age=10**400)
    assert refusal.as_dict()["refusal"] == "invalid input"
    assert (
        refusal.message
        == "age: an integer with more than 308 digits is too large to be a number; allowed: 0 to 110 years"
    )


def test_the_largest_integer_a_float_holds_is_checked_against_the_range() -> None:
    with pytest.raises(DoseInputError, match=r"^age: 1e\+308 is outside the allowed range"):
        ivig_dose(70, 170, "male", age=10**308)
