"""Corticosteroids: oral prednisone/prednisolone by weight with a ceiling, and IV methylprednisolone pulses.

Teaching points: mg/kg times a heavy patient passes any sensible oral dose, so a ceiling applies (usual
60-80 mg, never above 100 mg/day); in myasthenia gravis a high starting dose can cause early worsening, so
outpatients start low and titrate; and every long course needs its safety bundle (bone, PJP, glucose, BP,
infection screening) and a taper plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from nmd_immuno.dosing import common
from nmd_immuno.dosing.parameters import dosing_parameters
from nmd_immuno.dosing.taper import TaperStep, steroid_taper

STARTS: tuple[str, ...] = ("full", "low")


@dataclass(frozen=True, kw_only=True)
class SteroidDose(common.DoseResult):
    """Oral prednisone/prednisolone: target daily dose, ceiling, starting dose and taper plan."""

    indication: str
    weight_kg: float
    mg_per_kg: float
    weight_based_mg: float
    daily_mg: float
    ceiling_mg: float
    capped: bool
    start: str
    start_mg: float
    taper: list[TaperStep]

    title: ClassVar[str] = "Oral prednisone / prednisolone"

    def rows(self) -> list[tuple[str, object]]:
        taper = " → ".join(f"{s.daily_mg:g} (wk {s.week})" for s in self.taper)
        return [
            ("Indication", steroid_indications().get(self.indication, self.indication)),
            ("Weight (kg)", self.weight_kg),
            ("mg/kg/day", self.mg_per_kg),
            ("Weight-based dose (mg/day)", round(self.weight_based_mg, 1)),
            ("Ceiling (mg/day)", self.ceiling_mg),
            ("Capped at ceiling", self.capped),
            ("Target daily dose (mg)", self.daily_mg),
            (
                "Starting dose (mg/day)",
                f"{self.start_mg:g} ({'low, titrate up' if self.start == 'low' else 'full'})",
            ),
            ("Taper once the goal is reached", taper),
        ]


@dataclass(frozen=True, kw_only=True)
class MethylprednisoloneDose(common.DoseResult):
    """IV methylprednisolone pulses: mg per day (after the weight-based ceiling), days, total."""

    weight_kg: float
    requested_mg_per_day: float
    mg_per_day: float
    ceiling_mg: float
    capped: bool
    days: int
    total_mg: float

    title: ClassVar[str] = "IV methylprednisolone pulses"

    def rows(self) -> list[tuple[str, object]]:
        return [
            ("Weight (kg)", self.weight_kg),
            ("Requested (mg/day)", self.requested_mg_per_day),
            ("Ceiling (mg/day)", self.ceiling_mg),
            ("Capped at ceiling", self.capped),
            ("Dose (mg/day)", self.mg_per_day),
            ("Days", self.days),
            ("Total (mg)", self.total_mg),
        ]


def steroid_indications() -> dict[str, str]:
    """Indication id -> label for :func:`prednisone_dose` (each with its own ceiling and warnings)."""
    return {k: v.label for k, v in dosing_parameters().corticosteroids.prednisone.indications.items()}


def prednisone_dose(
    weight_kg: float,
    *,
    mg_per_kg: float = 1.0,
    indication: str = "myasthenia_gravis",
    start: str = "full",
    outpatient: bool = True,
    bulbar_or_respiratory: bool = False,
    other_immunosuppressant: bool = False,
) -> SteroidDose:
    """Oral prednisone/prednisolone: ``mg_per_kg`` × weight, capped at the indication's ceiling (never >
    100 mg).

    ``start="low"`` begins at 10 mg and titrates up by 5 mg steps (the outpatient route in myasthenia gravis);
    ``start="full"`` begins at the target dose. The daily dose is rounded down to whole mg.
    """
    pred = dosing_parameters().corticosteroids.prednisone
    w = common.weight(weight_kg)
    per_kg = common.number("mg_per_kg", mg_per_kg, pred.mg_per_kg)
    key = common.choice("indication", indication, pred.indications)
    how = common.choice("start", start, STARTS)
    is_outpatient = common.flag("outpatient", outpatient)
    bulbar = common.flag("bulbar_or_respiratory", bulbar_or_respiratory)
    other_is = common.flag("other_immunosuppressant", other_immunosuppressant)
    ind = pred.indications[key]

    weight_based = per_kg * w
    ceiling = min(ind.ceiling_mg, pred.absolute_max_mg.value)
    capped = weight_based > ceiling + 1e-9
    exact = min(weight_based, ceiling)
    daily = common.round_down(exact)  # whole mg
    start_mg = daily if how == "full" else min(pred.low_start_mg.value, daily)

    acc = common.Notes(pred.mg_per_kg, ind, pred.absolute_max_mg)
    if capped:
        acc.note(
            f"{per_kg:g} mg/kg × {w:g} kg = {weight_based:.0f} mg/day exceeds the usual ceiling for "
            f"{ind.label.lower()}: capped at {ceiling:g} mg/day."
        )
    if how == "low" and start_mg < daily:
        acc.note(
            f"Start at {start_mg:g} mg/day and increase by {pred.titration_step_mg.value:g} mg "
            f"{pred.titration_interval.text} to {daily:g} mg/day.",
            pred.low_start_mg,
            pred.titration_step_mg,
            pred.titration_interval,
        )

    acc.warn(*ind.warnings)
    high_start = start_mg > pred.high_start_mg.value + 1e-9
    if key == "myasthenia_gravis" and high_start:
        if is_outpatient and bulbar:
            acc.warn(pred.outpatient_bulbar_warning)
        acc.warn(pred.early_worsening_warning)
        acc.cite(pred.high_start_mg)
    if other_is and daily >= pred.pjp_threshold_mg.value - 1e-9:
        acc.warn(pred.pjp_warning)
        acc.cite(pred.pjp_threshold_mg)
    acc.warn(*pred.safety_warnings)

    taper_config = dosing_parameters().corticosteroids.taper
    plan = steroid_taper(daily, target_mg=min(5.0, daily)) if daily >= taper_config.start_mg.min else []
    acc.cite(taper_config)
    return SteroidDose(
        indication=key,
        weight_kg=w,
        mg_per_kg=per_kg,
        weight_based_mg=weight_based,
        daily_mg=daily,
        ceiling_mg=ceiling,
        capped=capped,
        start=how,
        start_mg=start_mg,
        taper=plan,
        **acc.fields(),
    )


def methylprednisolone_pulse(
    weight_kg: float, *, mg_per_day: float = 1000, days: int = 3
) -> MethylprednisoloneDose:
    """IV methylprednisolone 500-1000 mg/day for 3-5 days, never above 30 mg/kg/day (the paediatric
    ceiling)."""
    mp = dosing_parameters().corticosteroids.methylprednisolone
    w = common.weight(weight_kg)
    requested = common.number("mg_per_day", mg_per_day, mp.mg_per_day)
    n_days = common.whole_number("days", days, mp.days)
    ceiling = min(mp.mg_per_day.max, mp.max_mg_per_kg.value * w)
    capped = requested > ceiling + 1e-9
    given = common.round_down(ceiling) if capped else requested
    acc = common.Notes(mp.mg_per_day, mp.days)
    if capped:
        acc.note(
            f"{requested:g} mg/day exceeds {mp.max_mg_per_kg.value:g} mg/kg × {w:g} kg = {ceiling:.0f} "
            f"mg/day: capped at {given:g} mg/day.",
            mp.max_mg_per_kg,
        )
    acc.warn(*mp.warnings)
    return MethylprednisoloneDose(
        weight_kg=w,
        requested_mg_per_day=requested,
        mg_per_day=given,
        ceiling_mg=ceiling,
        capped=capped,
        days=n_days,
        total_mg=given * n_days,
        **acc.fields(),
    )
