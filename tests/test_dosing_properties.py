"""Property tests: over all valid input, no dose exceeds its ceiling and no number is negative, NaN or
infinite; any out-of-range or wrongly typed value is refused with a message that starts with the field's
name."""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from nmd_immuno.dosing import (
    IVIG_RISK_FACTORS,
    azathioprine_dose,
    body_surface_area_m2,
    dosing_parameters,
    ivig_dose,
    methylprednisolone_pulse,
    plasma_exchange_plan,
    prednisone_dose,
    rituximab_dose,
    steroid_indications,
    steroid_taper,
)
from nmd_immuno.errors import DoseInputError

PROFILE = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _numbers(value: Any) -> list[float]:
    """Every number inside a result (fields, lists, tuples, taper steps), bools excluded."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return []
    if isinstance(value, int | float):
        return [float(value)]
    if dataclasses.is_dataclass(value):
        return [n for f in dataclasses.fields(value) for n in _numbers(getattr(value, f.name))]
    if isinstance(value, list | tuple):
        return [n for item in value for n in _numbers(item)]
    return []


def _assert_sane(result: Any) -> None:
    for number in _numbers(result):
        assert math.isfinite(number) and number >= 0, (number, result)
    assert result.references and result.disclaimer


@st.composite
def body(draw: st.DrawFn) -> tuple[float, float]:
    """A height and a weight that are each in range and plausible together (BMI within its limits)."""
    limits = dosing_parameters().input_limits
    height = draw(st.floats(limits.height_cm.min, limits.height_cm.max))
    bmi = draw(
        st.floats(limits.bmi.min + 0.01, limits.bmi.max - 0.01)
    )  # clear of float rounding at the edges
    weight = bmi * (height / 100) ** 2
    assume(limits.weight_kg.min <= weight <= limits.weight_kg.max)
    return height, weight


@PROFILE
@given(
    body(),
    st.sampled_from(["female", "male"]),
    st.floats(0.4, 2.0),
    st.integers(1, 5),
    st.sampled_from(["auto", "actual", "adjusted"]),
    st.sampled_from([1.0, 2.5, 5.0, 10.0, 20.0, 40.0]),
    st.one_of(st.none(), st.floats(0, 110)),
    st.lists(st.sampled_from(IVIG_RISK_FACTORS), max_size=4),
)
def test_ivig_never_exceeds_its_ceiling(hw, sex, g_per_kg, days, basis, vial, age, factors) -> None:
    height, weight = hw
    assume(g_per_kg / days <= 1.0)
    assume(not (basis == "adjusted" and height < 152.4))
    if age is not None and age <= 65:
        factors = [f for f in factors if f != "age_over_65"]
    dose = ivig_dose(
        weight,
        height,
        sex,
        g_per_kg=g_per_kg,
        days=days,
        weight_basis=basis,
        vial_g=vial,
        age=age,
        risk_factors=factors,
    )
    _assert_sane(dose)
    assert dose.total_g == pytest.approx(g_per_kg * dose.dosing_weight_kg)
    assert 0 < dose.rounded_total_g <= dose.total_g
    assert dose.dosing_weight_kg <= weight + 1e-9
    assert dose.g_per_day * days == pytest.approx(dose.rounded_total_g)
    if dose.rounded_total_g >= vial:  # at most one vial is lost to rounding down
        assert dose.total_g - dose.rounded_total_g < vial + 1e-9
    assert dose.bmi == pytest.approx(weight / (height / 100) ** 2)


@PROFILE
@given(
    st.floats(2, 350),
    st.floats(0.5, 1.0),
    st.sampled_from(sorted(steroid_indications())),
    st.sampled_from(["full", "low"]),
    st.booleans(),
    st.booleans(),
    st.booleans(),
)
def test_prednisone_never_exceeds_its_ceiling(
    weight, per_kg, indication, start, outpatient, bulbar, other
) -> None:
    dose = prednisone_dose(
        weight,
        mg_per_kg=per_kg,
        indication=indication,
        start=start,
        outpatient=outpatient,
        bulbar_or_respiratory=bulbar,
        other_immunosuppressant=other,
    )
    _assert_sane(dose)
    assert dose.daily_mg <= dose.ceiling_mg <= 100
    assert dose.daily_mg <= dose.weight_based_mg + 1e-9
    assert dose.start_mg <= dose.daily_mg
    taper = [step.daily_mg for step in dose.taper]
    assert taper == sorted(taper, reverse=True)


@PROFILE
@given(st.floats(1, 100), st.floats(0, 20))
def test_taper_only_goes_down_and_ends_at_the_target(start, target) -> None:
    assume(target <= start)
    steps = steroid_taper(start, target_mg=target)
    doses = [step.daily_mg for step in steps]
    assert doses[0] == start and doses[-1] == pytest.approx(target)
    assert all(later < earlier for earlier, later in itertools.pairwise(doses))
    assert all(d >= target - 1e-9 for d in doses)
    weeks = [step.week for step in steps]
    assert weeks == sorted(set(weeks))


@PROFILE
@given(st.floats(2, 350), st.floats(500, 1000), st.integers(3, 5))
def test_methylprednisolone_never_exceeds_its_ceilings(weight, mg_per_day, days) -> None:
    pulse = methylprednisolone_pulse(weight, mg_per_day=mg_per_day, days=days)
    _assert_sane(pulse)
    assert pulse.mg_per_day <= 1000 and pulse.mg_per_day <= 30 * weight + 1e-9
    assert pulse.mg_per_day <= mg_per_day
    assert pulse.total_mg == pytest.approx(pulse.mg_per_day * days)


@PROFILE
@given(body())
def test_rituximab_never_exceeds_375_mg_per_square_metre(hw) -> None:
    height, weight = hw
    dose = rituximab_dose(
        regimen="375_mg_m2_weekly_x4", height_cm=height, weight_kg=weight, hbv_screened=True
    )
    _assert_sane(dose)
    assert dose.mg_per_infusion <= 375 * body_surface_area_m2(height, weight)
    assert dose.total_mg == pytest.approx(4 * dose.mg_per_infusion)


@PROFILE
@given(
    st.floats(2, 350),
    st.floats(2, 3),
    st.sampled_from(["normal", "intermediate"]),
    st.sampled_from(["normal", "intermediate"]),
    st.booleans(),
)
def test_azathioprine_never_exceeds_its_adjusted_dose(weight, per_kg, tpmt, nudt15, xoi) -> None:
    dose = azathioprine_dose(
        weight, mg_per_kg=per_kg, tpmt=tpmt, nudt15=nudt15, xanthine_oxidase_inhibitor=xoi
    )
    _assert_sane(dose)
    assert dose.daily_mg <= dose.daily_mg_range[1] + 1e-9 <= per_kg * weight + 1e-9
    assert dose.start_mg <= dose.daily_mg


@PROFILE
@given(st.floats(2, 350), st.floats(0.1, 0.7), st.floats(1.0, 1.5), st.integers(1, 10), st.integers(1, 14))
def test_plasma_exchange_plan_is_sane(weight, hct, volumes, exchanges, days) -> None:
    assume(days >= exchanges)
    plan = plasma_exchange_plan(weight, hct, plasma_volumes=volumes, exchanges=exchanges, days=days)
    _assert_sane(plan)
    assert plan.volume_per_exchange_l <= 0.07 * weight * 1.5 + 1e-9
    assert 0 < plan.fraction_removed_per_exchange < 1
    assert len(plan.schedule_days) == exchanges and max(plan.schedule_days) <= days


# ------------------------------------------------------------------ out-of-range input is always refused


def _outside(low: float, high: float) -> st.SearchStrategy[Any]:
    """Values a numeric field must refuse: below, above, NaN, infinities, bools and strings."""
    return st.one_of(
        st.floats(max_value=low, exclude_max=True, allow_nan=False),
        st.floats(min_value=high, exclude_min=True, allow_nan=False),
        st.sampled_from([math.nan, math.inf, -math.inf, True, False, None, "70", [70]]),
    )


CASES: list[tuple[str, Callable[..., Any], dict[str, Any], str, float, float]] = [
    ("ivig weight", ivig_dose, {"weight_kg": 70, "height_cm": 175, "sex": "male"}, "weight_kg", 2, 350),
    ("ivig height", ivig_dose, {"weight_kg": 70, "height_cm": 175, "sex": "male"}, "height_cm", 40, 250),
    ("ivig g/kg", ivig_dose, {"weight_kg": 70, "height_cm": 175, "sex": "male"}, "g_per_kg", 0.4, 2.0),
    (
        "ivig days",
        ivig_dose,
        {"weight_kg": 70, "height_cm": 175, "sex": "male", "g_per_kg": 0.4},
        "days",
        1,
        5,
    ),
    ("ivig interval", ivig_dose, {"weight_kg": 70, "height_cm": 175, "sex": "male"}, "interval_weeks", 2, 8),
    ("ivig vial", ivig_dose, {"weight_kg": 70, "height_cm": 175, "sex": "male"}, "vial_g", 1, 40),
    ("plex weight", plasma_exchange_plan, {"weight_kg": 70, "hematocrit": 0.4}, "weight_kg", 2, 350),
    ("plex hct", plasma_exchange_plan, {"weight_kg": 70, "hematocrit": 0.4}, "hematocrit", 0.1, 0.7),
    ("plex volumes", plasma_exchange_plan, {"weight_kg": 70, "hematocrit": 0.4}, "plasma_volumes", 1.0, 1.5),
    ("pred weight", prednisone_dose, {"weight_kg": 70}, "weight_kg", 2, 350),
    ("pred mg/kg", prednisone_dose, {"weight_kg": 70}, "mg_per_kg", 0.5, 1.0),
    ("ivmp mg", methylprednisolone_pulse, {"weight_kg": 70}, "mg_per_day", 500, 1000),
    ("ivmp days", methylprednisolone_pulse, {"weight_kg": 70}, "days", 3, 5),
    ("taper start", steroid_taper, {"start_mg": 30}, "start_mg", 1, 100),
    (
        "rtx height",
        rituximab_dose,
        {"regimen": "375_mg_m2_weekly_x4", "height_cm": 170, "weight_kg": 70, "hbv_screened": True},
        "height_cm",
        40,
        250,
    ),
    ("aza weight", azathioprine_dose, {"weight_kg": 70}, "weight_kg", 2, 350),
    ("aza mg/kg", azathioprine_dose, {"weight_kg": 70}, "mg_per_kg", 2.0, 3.0),
]


@pytest.mark.parametrize(
    ("label", "calculator", "base", "field", "low", "high"), CASES, ids=[c[0] for c in CASES]
)
def test_out_of_range_input_is_refused_naming_the_field(label, calculator, base, field, low, high) -> None:
    @settings(max_examples=40, deadline=None)
    @given(_outside(low, high))
    def check(value: Any) -> None:
        if field == "interval_weeks" and value is None:
            return  # None means "single course" for this field, a valid choice
        with pytest.raises(DoseInputError) as excinfo:
            calculator(**{**base, field: value})
        assert str(excinfo.value).startswith(f"{field}:"), str(excinfo.value)

    check()
