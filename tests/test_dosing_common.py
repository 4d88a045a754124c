"""Shared calculator helpers: rounding down without float noise, the warning/reference accumulator, the
pregnancy hard stop shared by the teratogenic drugs, and the label weight-band lookup."""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nmd_immuno.dosing import common, dosing_parameters, methotrexate_dose, mycophenolate_dose
from nmd_immuno.dosing.parameters import CitedText, WeightBand, band_for_weight
from nmd_immuno.errors import DoseInputError, DoseRefused

# ------------------------------------------------------------------------------------------ round_down


@pytest.mark.parametrize(
    ("value", "step", "expected"),
    [
        (15 * 65.6, 1.0, 984),  # 983.9999999999999 in binary floats: the dose is 984 mg, not 983
        (30 * 65.6, 1.0, 1968),  # 1967.9999999999998
        (983.6, 1.0, 983),
        (3 * 2.5 - 1e-12, 2.5, 7.5),
        (8.75, 2.5, 7.5),
        (1300, 250, 1250),
        (0.3, 0.1, 0.3),  # 0.3 / 0.1 = 2.9999999999999996
        (139.9, 10, 130),
        (4.9, 10, 0),
    ],
)
def test_round_down_examples(value: float, step: float, expected: float) -> None:
    result = common.round_down(value, step)
    assert result == expected
    assert repr(result) == repr(float(expected))  # no float noise left (983.9999999999999, 7.500000000000001)


@settings(max_examples=300, deadline=None)
@given(st.floats(0, 5000), st.sampled_from([1.0, 2.5, 25.0, 250.0, 10.0, 0.1, 0.5]))
def test_round_down_lands_on_a_step_and_never_goes_up(value: float, step: float) -> None:
    result = common.round_down(value, step)
    exact = Fraction(value)
    # Never above the value beyond float noise, and never a whole step or more below it.
    assert Fraction(result) <= exact + Fraction(1, 10**6)
    assert exact - Fraction(result) < Fraction(step)
    # A whole number of steps exactly as the step is written (no 983.9999999999999 and no 7.500000000000001).
    steps = Fraction(repr(result)) / Fraction(repr(step))
    assert steps.denominator == 1, (value, step, result)


def test_whole_mg_results_are_whole_numbers() -> None:
    assert common.round_down(15 * 65.6).is_integer()


@pytest.mark.parametrize("step", [0, -1, math.nan])
def test_round_down_refuses_a_step_that_is_not_positive(step: float) -> None:
    with pytest.raises(ValueError, match="step"):
        common.round_down(10, step)


# ------------------------------------------------------------------------------------------ Notes


def test_notes_gather_warnings_with_their_references_once_each() -> None:
    first = CitedText(text="first warning", references=["a2020", "b2021"])
    second = CitedText(text="second warning", references=["b2021", "c2022"])
    acc = common.Notes(CitedText(text="a source", references=["z2019"]))
    acc.warn(first, second)
    acc.warn_text("a worded warning", first)
    acc.note("a note", second)
    assert acc.warnings == ["first warning", "second warning", "a worded warning"]
    assert acc.notes == ["a note"]
    assert acc.references == ["z2019", "a2020", "b2021", "c2022"]
    assert acc.fields() == {
        "notes": ["a note"],
        "warnings": ["first warning", "second warning", "a worded warning"],
        "references": ["z2019", "a2020", "b2021", "c2022"],
    }


def test_every_calculator_warning_comes_from_a_cited_text() -> None:
    # A warning reaches a result only with its source: each warning text of the methotrexate section that a
    # result shows brings its references into the result.
    mtx = dosing_parameters().methotrexate
    dose = methotrexate_dose(15)
    for item in [mtx.folic_acid, mtx.renal_unknown_warning, *mtx.warnings]:
        assert item.text in dose.warnings
        assert set(item.references) <= set(dose.references)


# ------------------------------------------------------------------------------------------ pregnancy stop


def _mtx_refusal() -> CitedText:
    return dosing_parameters().methotrexate.pregnancy_refusal


def _mmf_refusal() -> CitedText:
    return dosing_parameters().mycophenolate.pregnancy_refusal


TERATOGENS: list[tuple[str, Callable[..., Any], dict[str, Any], Callable[[], CitedText]]] = [
    ("methotrexate", methotrexate_dose, {"weekly_mg": 15}, _mtx_refusal),
    ("mycophenolate", mycophenolate_dose, {"daily_g": 2.0}, _mmf_refusal),
]
DRUG_IDS = [t[0] for t in TERATOGENS]


@pytest.mark.parametrize("field", ["pregnant", "planning_pregnancy"])
@pytest.mark.parametrize(("drug", "calculator", "base", "refusal"), TERATOGENS, ids=DRUG_IDS)
def test_pregnancy_hard_stop_reads_the_same_for_each_teratogen(
    drug, calculator, base, refusal, field
) -> None:
    with pytest.raises(DoseRefused) as excinfo:
        calculator(**base, **{field: True})
    assert str(excinfo.value) == f"{field}: True. {refusal().text}"
    calculator(**base, **{field: False})  # False is a dose, not a refusal


@pytest.mark.parametrize("field", ["pregnant", "planning_pregnancy"])
@pytest.mark.parametrize(("drug", "calculator", "base", "refusal"), TERATOGENS, ids=DRUG_IDS)
def test_a_mistyped_pregnancy_flag_is_invalid_input_even_beside_a_true_one(
    drug, calculator, base, refusal, field
) -> None:
    other = "planning_pregnancy" if field == "pregnant" else "pregnant"
    with pytest.raises(DoseInputError) as excinfo:
        calculator(**base, **{field: "yes", other: True})
    message = str(excinfo.value)
    assert message.startswith(f"{field}:") and "'yes'" in message and "allowed" in message


# ------------------------------------------------------------------------------------------ weight bands

BANDS = [WeightBand(from_kg=40, mg=900), WeightBand(from_kg=60, mg=1200)]


@pytest.mark.parametrize(("weight", "mg"), [(40, 900), (59.9, 900), (60, 1200), (200, 1200)])
def test_band_for_weight_picks_the_band_the_weight_falls_in(weight: float, mg: float) -> None:
    assert band_for_weight(BANDS, weight, "somedrug").mg == mg


def test_band_for_weight_refuses_below_the_lowest_band_naming_weight_and_drug() -> None:
    with pytest.raises(DoseRefused) as excinfo:
        band_for_weight(BANDS, 39.9, "somedrug")
    message = str(excinfo.value)
    assert message.startswith("weight_kg: 39.9 kg") and "40 kg" in message and "somedrug" in message


# ------------------------------------------------------------------------------------- messages: None


def test_a_missing_value_reads_not_given_never_none() -> None:
    assert common.given_as(None) == "not given"
    assert common.given_as(None, "ignored for None") == "not given"
    assert common.given_as(12, "12 days") == "12 days" and common.given_as(12) == "12"


@pytest.mark.parametrize(
    ("calculator", "kwargs", "field"),
    [
        (
            "complement_inhibitor_dose",
            {"age": 45, "meningococcal_vaccination_days": None},
            "meningococcal_vaccination_days",
        ),
        ("complement_inhibitor_dose", {"age": None, "meningococcal_vaccination_days": 28}, "age"),
        ("fcrn_inhibitor_dose", {"age": None}, "age"),
    ],
)
def test_refusals_for_a_missing_value_say_not_given(
    calculator: str, kwargs: dict[str, Any], field: str
) -> None:
    """What a reader sees in the dose calculator's refusal box: "field: not given", not "field: None"."""
    import nmd_immuno.dosing as dosing

    refusal = dosing.attempt(getattr(dosing, calculator), 70, **kwargs)
    assert isinstance(refusal, dosing.Refusal)
    assert refusal.message.startswith(f"{field}: not given")
    assert "None" not in refusal.message and "None" not in refusal._repr_html_()
