"""Property tests: over all valid input, no dose exceeds its ceiling, no number is negative, NaN or
infinite, and every rounded dose is a whole number of its unit (mg, tablets, vials, 2.5 mg steps) without
float noise; any out-of-range or wrongly typed value is refused with a message that starts with the field's
name, shows the value given and says what is allowed."""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from nmd_immuno.dosing import (
    IVIG_RISK_FACTORS,
    azathioprine_dose,
    body_surface_area_m2,
    complement_drugs,
    complement_inhibitor_dose,
    dosing_parameters,
    fcrn_drugs,
    fcrn_inhibitor_dose,
    ivig_dose,
    methotrexate_dose,
    methotrexate_routes,
    methylprednisolone_pulse,
    mg_antibody_labels,
    mycophenolate_dose,
    plasma_exchange_plan,
    prednisone_dose,
    rituximab_dose,
    rituximab_regimens,
    steroid_indications,
    steroid_taper,
)
from nmd_immuno.errors import DoseInputError, DoseRefused

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


def _whole(value: float, step: float = 1.0) -> bool:
    """A whole number of ``step`` as printed (984.0; 7.5 for step 2.5; 0.3 for step 0.1), not
    983.9999999999999 or 7.500000000000001: the decimal text of the value divides by the step."""
    return (Fraction(repr(float(value))) / Fraction(repr(float(step)))).denominator == 1


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
    assert 0 < dose.rounded_total_g <= dose.total_g + 1e-9  # float noise only, never a clinical excess
    if dose.rounded_total_g >= vial:  # whole vials: exactly vials × vial size
        assert dose.rounded_total_g == dose.vials * vial and _whole(dose.rounded_total_g, vial)
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
    assert _whole(dose.daily_mg) and _whole(dose.start_mg)
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
    if pulse.capped:
        assert _whole(pulse.mg_per_day)
    assert pulse.total_mg == pytest.approx(pulse.mg_per_day * days)


@pytest.mark.parametrize("regimen", sorted(rituximab_regimens()))
def test_rituximab_never_exceeds_its_regimen(regimen: str) -> None:
    plan = dosing_parameters().rituximab.regimens[regimen]

    @PROFILE
    @given(body())
    def check(hw: tuple[float, float]) -> None:
        height, weight = hw
        dose = rituximab_dose(regimen=regimen, height_cm=height, weight_kg=weight, hbv_screened=True)
        _assert_sane(dose)
        if plan.mg_per_m2 is not None:
            exact = plan.mg_per_m2 * body_surface_area_m2(height, weight)
            assert exact - 1 < dose.mg_per_infusion <= exact + 1e-9
            assert _whole(dose.mg_per_infusion)
        else:
            assert dose.mg_per_infusion == plan.fixed_mg
        assert dose.infusions == plan.infusions == len(dose.schedule_days)
        assert dose.total_mg == pytest.approx(plan.infusions * dose.mg_per_infusion)

    check()


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
    tablet = dosing_parameters().azathioprine.tablet_mg.value
    assert _whole(dose.daily_mg, tablet) if dose.daily_mg >= tablet else _whole(dose.daily_mg, 0.1)
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


@PROFILE
@given(
    st.floats(7.5, 25),
    st.sampled_from(sorted(methotrexate_routes())),
    st.one_of(st.none(), st.floats(30, 200)),
)
def test_methotrexate_never_exceeds_the_requested_or_renally_reduced_dose(weekly, route, egfr) -> None:
    dose = methotrexate_dose(weekly, route=route, egfr_ml_min=egfr)
    _assert_sane(dose)
    assert dose.weekly_mg <= weekly * dose.renal_factor + 1e-9 <= 25 + 1e-9
    assert weekly * dose.renal_factor - dose.weekly_mg < 2.5  # at most one step lost to rounding
    assert (dose.weekly_mg / 2.5) == pytest.approx(round(dose.weekly_mg / 2.5))
    assert _whole(dose.weekly_mg, 2.5)
    assert dose.renal_factor == (1.0 if egfr is None or egfr >= 60 else 0.5)


@PROFILE
@given(st.floats(30, 200), st.floats(7.5, 25))
def test_methotrexate_daily_schedule_is_always_refused(egfr, weekly) -> None:
    with pytest.raises(DoseRefused):
        methotrexate_dose(weekly, schedule="daily", egfr_ml_min=egfr)


@PROFILE
@given(st.floats(2.0, 3.0))
def test_mycophenolate_never_exceeds_the_daily_target(daily_g) -> None:
    dose = mycophenolate_dose(daily_g)
    _assert_sane(dose)
    assert dose.total_daily_mg <= daily_g * 1000 + 1e-9
    assert daily_g * 1000 - dose.total_daily_mg < 250 * dose.doses_per_day
    assert _whole(dose.mg_per_dose, 250) and _whole(dose.total_daily_mg, 250)


@PROFILE
@given(
    st.sampled_from(sorted(complement_drugs())),
    st.floats(40, 350),
    st.floats(40, 350),
    st.sampled_from(sorted(mg_antibody_labels())),
    st.one_of(st.none(), st.floats(0, 3650)),
    st.floats(18, 110),
)
def test_complement_doses_come_from_the_label_table_and_rise_with_weight(
    drug, w1, w2, antibody, days, age
) -> None:
    light, heavy = sorted((w1, w2))
    kwargs = {"drug": drug, "antibody": antibody, "meningococcal_vaccination_days": days, "age": age}
    dose_light = complement_inhibitor_dose(light, antibiotic_prophylaxis=True, **kwargs)
    dose_heavy = complement_inhibitor_dose(heavy, antibiotic_prophylaxis=True, **kwargs)
    _assert_sane(dose_light)
    bands = dosing_parameters().complement_inhibitors.drugs[drug].bands
    assert dose_light.maintenance_mg in {band.mg for band in bands}
    assert dose_light.maintenance_mg <= dose_heavy.maintenance_mg <= max(band.mg for band in bands)
    assert dose_light.prophylaxis_cover == (days is None or days < 14)
    if days is None or days < 14:
        with pytest.raises(DoseRefused):
            complement_inhibitor_dose(light, **kwargs)


@PROFILE
@given(
    st.sampled_from(sorted(fcrn_drugs())),
    st.floats(2, 350),
    st.sampled_from(sorted(mg_antibody_labels())),
    st.floats(18, 110),
)
@example("nipocalimab", 65.6, "achr", 45)  # 15 × 65.6 = 983.9999999999999 in floats: the dose is 984 mg
@example("efgartigimod_iv", 65.6, "achr", 45)
def test_fcrn_doses_never_exceed_mg_per_kg_or_the_ceiling(drug, weight, antibody, age) -> None:
    plan = dosing_parameters().fcrn_inhibitors.drugs[drug]
    if plan.bands and weight < plan.bands[0].from_kg:
        with pytest.raises(DoseRefused):  # below the labelled bands: never an extrapolated dose
            fcrn_inhibitor_dose(weight, age=age, drug=drug, antibody=antibody)
        return
    dose = fcrn_inhibitor_dose(weight, age=age, drug=drug, antibody=antibody)
    _assert_sane(dose)
    assert dose.mg_per_dose == int(dose.mg_per_dose)  # whole mg: 984, never 983.9999999999999
    assert dose.loading_mg is None or dose.loading_mg == int(dose.loading_mg)
    if plan.mg_per_kg is not None:
        assert dose.mg_per_dose <= plan.mg_per_kg * weight + 1e-9
    else:
        assert dose.mg_per_dose in {band.mg for band in plan.bands}
    if plan.max_mg is not None:
        assert dose.mg_per_dose <= plan.max_mg
    if plan.loading_mg_per_kg is not None:
        assert dose.loading_mg is not None and dose.loading_mg <= plan.loading_mg_per_kg * weight + 1e-9
    assert dose.schedule_days == sorted(set(dose.schedule_days))


@PROFILE
@given(
    st.sampled_from(
        [("complement", d) for d in sorted(complement_drugs())] + [("fcrn", d) for d in fcrn_drugs()]
    ),
    st.floats(0, 110),
    st.floats(2, 350),
)
def test_no_biologic_dose_below_the_label_age_or_lowest_band(kind_drug, age, weight) -> None:
    """Whatever the age and weight, a dose comes only from inside the label's age range and weight table."""
    kind, drug = kind_drug
    if kind == "complement":
        plan = dosing_parameters().complement_inhibitors.drugs[drug]
        call = {"meningococcal_vaccination_days": 28}
        calculator = complement_inhibitor_dose
    else:
        plan = dosing_parameters().fcrn_inhibitors.drugs[drug]
        call = {}
        calculator = fcrn_inhibitor_dose
    lowest = plan.bands[0].from_kg if plan.bands else 0
    if age < plan.age_limit.min_years or weight < lowest:
        with pytest.raises(DoseRefused) as excinfo:
            calculator(weight, age=age, drug=drug, **call)
        assert str(excinfo.value).split(":")[0] in {"age", "weight_kg"}
    else:
        assert calculator(weight, age=age, drug=drug, **call).age == age


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
    ("ivmp weight", methylprednisolone_pulse, {"weight_kg": 70}, "weight_kg", 2, 350),
    (
        "rtx weight",
        rituximab_dose,
        {"regimen": "375_mg_m2_weekly_x4", "height_cm": 170, "weight_kg": 70, "hbv_screened": True},
        "weight_kg",
        2,
        350,
    ),
    (
        "plex exchanges",
        plasma_exchange_plan,
        {"weight_kg": 70, "hematocrit": 0.4, "days": 14},
        "exchanges",
        1,
        10,
    ),
    ("plex days", plasma_exchange_plan, {"weight_kg": 70, "hematocrit": 0.4, "exchanges": 1}, "days", 1, 14),
    ("ivig age", ivig_dose, {"weight_kg": 70, "height_cm": 175, "sex": "male"}, "age", 0, 110),
    ("taper target", steroid_taper, {"start_mg": 30}, "target_mg", 0, 20),
    ("mtx dose", methotrexate_dose, {"weekly_mg": 15}, "weekly_mg", 7.5, 25),
    ("mtx egfr", methotrexate_dose, {"weekly_mg": 15}, "egfr_ml_min", 0, 200),
    ("mmf dose", mycophenolate_dose, {"daily_g": 2.0}, "daily_g", 2.0, 3.0),
    (
        "complement weight",
        complement_inhibitor_dose,
        {"weight_kg": 70, "meningococcal_vaccination_days": 28, "age": 45},
        "weight_kg",
        2,
        350,
    ),
    (
        "complement age",
        complement_inhibitor_dose,
        {"weight_kg": 70, "meningococcal_vaccination_days": 28, "age": 45},
        "age",
        0,
        110,
    ),
    (
        "complement vaccination days",
        complement_inhibitor_dose,
        {"weight_kg": 70, "meningococcal_vaccination_days": 28, "age": 45},
        "meningococcal_vaccination_days",
        0,
        3650,
    ),
    ("fcrn weight", fcrn_inhibitor_dose, {"weight_kg": 70, "age": 45}, "weight_kg", 2, 350),
    ("fcrn age", fcrn_inhibitor_dose, {"weight_kg": 70, "age": 45}, "age", 0, 110),
]


def _shown(value: Any) -> str:
    """How a refusal shows the value given: a float compactly when that is exact (-3, 1e+300), else in
    full; None (left out) as "not given"."""
    if value is None:
        return "not given"
    if isinstance(value, float) and not _is_special(value) and float(f"{value:g}") == value:
        return f"{value:g}"
    return repr(value)


def _is_special(value: float) -> bool:
    return math.isnan(value) or math.isinf(value)


#: Fields for which None is a valid choice ("single course", "not given", "not documented").
NONE_ALLOWED = {"interval_weeks", "age", "egfr_ml_min", "meningococcal_vaccination_days"}


@pytest.mark.parametrize(
    ("label", "calculator", "base", "field", "low", "high"), CASES, ids=[c[0] for c in CASES]
)
def test_out_of_range_input_is_refused_naming_the_field(label, calculator, base, field, low, high) -> None:
    @settings(max_examples=40, deadline=None)
    @given(_outside(low, high))
    def check(value: Any) -> None:
        if field in NONE_ALLOWED and value is None:
            return  # None is a meaningful choice for these fields (see NONE_ALLOWED)
        with pytest.raises(DoseInputError) as excinfo:
            calculator(**{**base, field: value})
        message = str(excinfo.value)
        assert message.startswith(f"{field}:"), message
        assert _shown(value) in message and "allowed" in message, message

    check()
