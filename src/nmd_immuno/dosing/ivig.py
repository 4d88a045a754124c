"""Intravenous immunoglobulin: dose per course, whole vials, days, and the risk-factor warnings.

Teaching points the calculator makes visible: the dosing weight (actual or adjusted in obesity) changes the
dose by tens of grams; rounding to vials must never push the dose above g/kg × dosing weight; and the boxed
warnings (thrombosis, renal failure) decide how fast and over how many days the course is given.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from nmd_immuno.dosing import common
from nmd_immuno.dosing.body import adjusted_body_weight_kg, devine_defined, ideal_body_weight_kg
from nmd_immuno.dosing.parameters import IVIG_RISK_FACTORS, dosing_parameters
from nmd_immuno.errors import DoseInputError

WEIGHT_BASES: tuple[str, ...] = ("auto", "actual", "adjusted")


@dataclass(frozen=True, kw_only=True)
class IvigDose(common.DoseResult):
    """One IVIG course: dosing weight and its basis, grams, vials, days, interval, warnings and references."""

    dosing_weight_kg: float
    weight_basis: str  # "actual" or "adjusted": the one used
    actual_weight_kg: float
    adjusted_weight_kg: float | None
    ideal_weight_kg: float | None
    bmi: float
    g_per_kg: float
    total_g: float  # the ceiling: g_per_kg × dosing weight
    rounded_total_g: float  # what to give: whole vials, never above total_g
    vials: int
    vial_g: float
    days: int
    g_per_day: float
    interval_weeks: int | None
    risk_factors: list[str]

    title: ClassVar[str] = "IVIG course"

    def rows(self) -> list[tuple[str, object]]:
        schedule = "single course" if self.interval_weeks is None else f"every {self.interval_weeks} weeks"
        return [
            ("Actual weight (kg)", round(self.actual_weight_kg, 1)),
            ("Ideal weight, Devine (kg)", _one_decimal(self.ideal_weight_kg)),
            ("Adjusted weight (kg)", _one_decimal(self.adjusted_weight_kg)),
            ("BMI (kg/m²)", round(self.bmi, 1)),
            ("Dosing weight used (kg)", f"{self.dosing_weight_kg:.1f} ({self.weight_basis})"),
            ("Dose (g/kg)", self.g_per_kg),
            ("Calculated dose = ceiling (g)", round(self.total_g, 1)),
            ("Dose to give, whole vials (g)", self.rounded_total_g),
            ("Vials", f"{self.vials} × {self.vial_g:g} g"),
            ("Days", self.days),
            ("Per day (g)", round(self.g_per_day, 1)),
            ("Repeat", schedule),
        ]


def _one_decimal(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def ivig_risk_factor_labels() -> dict[str, str]:
    """Risk-factor id -> readable label, in the order the calculator checks them (for forms and quizzes)."""
    factors = dosing_parameters().ivig.risk_factors
    return {key: factors[key].label for key in IVIG_RISK_FACTORS}


def ivig_presets() -> dict[str, dict[str, object]]:
    """Named published regimens (induction, ICE maintenance, MMN, ProDERM) as keyword arguments for
    ivig_dose."""
    return {
        name: {"label": p.label, "g_per_kg": p.g_per_kg, "days": p.days, "interval_weeks": p.interval_weeks}
        for name, p in dosing_parameters().ivig.presets.items()
    }


def _round_to_vials(ceiling_g: float, vial_g: float) -> tuple[float, int]:
    """Whole vials not exceeding the ceiling; a dose below one vial is given as part of one vial."""
    rounded = common.round_down(ceiling_g, vial_g)
    if rounded == 0:
        return ceiling_g, 1
    return rounded, round(rounded / vial_g)


def ivig_dose(
    weight_kg: float,
    height_cm: float,
    sex: str,
    *,
    g_per_kg: float = 2.0,
    days: int = 5,
    interval_weeks: int | None = None,
    weight_basis: str = "auto",
    vial_g: float = 10.0,
    age: float | None = None,
    risk_factors: Iterable[str] = (),
) -> IvigDose:
    """Dose one IVIG course (induction/rescue, or maintenance when ``interval_weeks`` is given).

    ``weight_basis="auto"`` doses on the adjusted body weight when BMI >= 30 (and the Devine formula applies),
    otherwise on actual weight; "actual" or "adjusted" force the choice. The total is rounded DOWN to whole
    vials so it never exceeds g/kg × dosing weight. ``risk_factors`` are ids from
    :func:`ivig_risk_factor_labels`; an age over 65 adds ``age_over_65`` automatically.
    """
    p = dosing_parameters()
    iv, body = p.ivig, p.body_size
    w, h, s = common.weight(weight_kg), common.height(height_cm), common.sex(sex)
    bmi = common.body_mass_index(w, h)
    dose = common.number("g_per_kg", g_per_kg, iv.g_per_kg)
    n_days = common.whole_number("days", days, iv.days)
    max_daily = iv.max_g_per_kg_per_day.value
    if dose / n_days > max_daily + 1e-9:
        raise DoseInputError(
            f"days: {n_days} day(s) for {dose:g} g/kg gives {dose / n_days:.2f} g/kg per day; at most "
            f"{max_daily:g} g/kg per day is allowed, so this dose needs at least "
            f"{math.ceil(dose / max_daily - 1e-9)} days"
        )
    interval = (
        None
        if interval_weeks is None
        else common.whole_number("interval_weeks", interval_weeks, iv.interval_weeks)
    )
    basis = common.choice("weight_basis", weight_basis, WEIGHT_BASES)
    vial = common.number("vial_g", vial_g, iv.vial_g)
    years = None if age is None else common.age(age)
    factors = set(common.choices("risk_factors", risk_factors, IVIG_RISK_FACTORS))
    if years is not None:
        if years > 65:
            factors.add("age_over_65")
        elif "age_over_65" in factors:
            raise DoseInputError(f"risk_factors: 'age_over_65' contradicts age={years:g}; remove one of them")

    acc = common.Notes(iv.g_per_kg)

    ibw = adjusted = None
    if devine_defined(h):
        ibw = ideal_body_weight_kg(h, s)
        adjusted = adjusted_body_weight_kg(w, h, s)
        acc.cite(body.devine)
    obese = bmi >= body.adjusted_weight.obesity_bmi
    if basis == "adjusted" and adjusted is None:
        raise DoseInputError(
            f"weight_basis: 'adjusted' needs the Devine ideal body weight, which starts at "
            f"{body.devine.min_height_cm:g} cm; height_cm is {h:g}. Use 'actual' or 'auto'"
        )
    used = basis if basis != "auto" else ("adjusted" if obese and adjusted is not None else "actual")
    dosing_weight = adjusted if used == "adjusted" and adjusted is not None else w
    if obese:
        acc.cite(body.adjusted_weight)
        if used == "adjusted":
            acc.note(
                f"BMI {bmi:.1f} ≥ {body.adjusted_weight.obesity_bmi:g}: dosed on ADJUSTED weight "
                f"{dosing_weight:.1f} kg (ideal {ibw:.1f} kg + {body.adjusted_weight.excess_fraction:g} × "
                f"excess), not the actual {w:g} kg. Labels dose on actual weight; the adjusted weight is a "
                "convention of many programmes."
            )
        elif adjusted is None:
            acc.note(
                f"BMI {bmi:.1f} ≥ {body.adjusted_weight.obesity_bmi:g}, but the Devine formula is not "
                f"defined below {body.devine.min_height_cm:g} cm, so no adjusted weight: dosed on actual "
                f"weight {w:g} kg."
            )
        else:
            acc.note(
                f"BMI {bmi:.1f} ≥ {body.adjusted_weight.obesity_bmi:g}: actual weight {w:g} kg used as "
                f"requested; the adjusted weight would be {adjusted:.1f} kg."
            )
    elif used == "adjusted":
        acc.note(f"Adjusted weight {dosing_weight:.1f} kg used as requested (BMI {bmi:.1f} is below 30).")

    ceiling = dose * dosing_weight
    rounded, vials = _round_to_vials(ceiling, vial)
    if vials == 1 and rounded < vial - 1e-9:
        acc.note(f"The dose ({ceiling:.1f} g) is less than one {vial:g} g vial: part of one vial is given.")
    elif rounded < ceiling - 1e-9:
        acc.note(
            f"Rounded DOWN from {ceiling:.1f} g to {vials} whole vials of {vial:g} g ({rounded:g} g) so "
            "the dose never exceeds the calculated ceiling."
        )
    if interval is not None:
        acc.note(
            f"Maintenance: repeat every {interval} weeks; titrate to the lowest effective dose and interval.",
            iv.interval_weeks,
        )
    acc.cite(iv.max_g_per_kg_per_day, iv.days)

    acc.warn(*iv.general_warnings)
    if dose >= iv.high_dose_g_per_kg.value - 1e-9:
        acc.warn(iv.high_dose_warning)
        acc.cite(iv.high_dose_g_per_kg)
    for key in IVIG_RISK_FACTORS:
        if key in factors:
            factor = iv.risk_factors[key]
            acc.warn_text(factor.warning, factor)
    if any(iv.risk_factors[key].at_risk for key in factors):
        spread = int(iv.at_risk_days.value)
        text = iv.at_risk_warning.text
        if n_days < spread:
            text += f" This plan uses {n_days} day(s): spread it over {spread}."
        acc.warn_text(text, iv.at_risk_warning, iv.at_risk_days)

    return IvigDose(
        dosing_weight_kg=dosing_weight,
        weight_basis=used,
        actual_weight_kg=w,
        adjusted_weight_kg=adjusted,
        ideal_weight_kg=ibw,
        bmi=bmi,
        g_per_kg=dose,
        total_g=ceiling,
        rounded_total_g=rounded,
        vials=vials,
        vial_g=vial,
        days=n_days,
        g_per_day=rounded / n_days,
        interval_weeks=interval,
        risk_factors=[key for key in IVIG_RISK_FACTORS if key in factors],
        **acc.fields(),
    )
