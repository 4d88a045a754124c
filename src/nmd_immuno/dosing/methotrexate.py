"""Methotrexate: a once-weekly dose with its hard stops (daily schedule, pregnancy, severe renal impairment).

Teaching points: the commonest fatal methotrexate error is the weekly dose taken every day, so a daily
schedule is refused outright; methotrexate is teratogenic and renally cleared, so pregnancy and severe renal
impairment stop it and moderate impairment lowers the dose (a halved dose can fall below the usual minimum,
which is flagged rather than hidden); folic acid and blood monitoring come with every prescription.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from nmd_immuno.dosing import common
from nmd_immuno.dosing.parameters import dosing_parameters
from nmd_immuno.errors import DoseRefused

#: The schedules a form offers. Only "weekly" gives a dose; "daily" is offered so a student can see the hard
#: stop that prevents the commonest fatal methotrexate error.
SCHEDULES: tuple[str, ...] = ("weekly", "daily")
ALLOWED_SCHEDULES: tuple[str, ...] = ("weekly",)


@dataclass(frozen=True, kw_only=True)
class MethotrexateDose(common.DoseResult):
    """One weekly methotrexate dose: requested, after renal adjustment, and as given (whole 2.5 mg steps)."""

    requested_weekly_mg: float
    route: str
    egfr_ml_min: float | None
    renal_factor: float
    weekly_mg: float  # what to give once a week: never above requested × renal factor

    title: ClassVar[str] = "Methotrexate (once weekly)"

    def rows(self) -> list[tuple[str, object]]:
        renal = "not given" if self.egfr_ml_min is None else f"{self.egfr_ml_min:g} mL/min"
        return [
            ("Schedule", "ONCE WEEKLY (never daily)"),
            ("Route", methotrexate_routes()[self.route]),
            ("Requested dose (mg/week)", self.requested_weekly_mg),
            ("Creatinine clearance (or eGFR)", renal),
            ("Renal dose factor", f"{self.renal_factor:.0%}"),
            ("Dose to give (mg, once weekly)", self.weekly_mg),
        ]


def methotrexate_routes() -> dict[str, str]:
    """Route id -> description (oral tablets, subcutaneous pen or syringe)."""
    return {k: v.text for k, v in dosing_parameters().methotrexate.routes.items()}


def methotrexate_dose(
    weekly_mg: float = 15.0,
    *,
    schedule: str = "weekly",
    route: str = "oral",
    pregnant: bool = False,
    planning_pregnancy: bool = False,
    egfr_ml_min: float | None = None,
) -> MethotrexateDose:
    """A once-weekly methotrexate dose (7.5-25 mg). DoseRefused for a daily schedule, pregnancy or planned
    pregnancy, and an eGFR below the label's threshold.

    ``egfr_ml_min`` is renal function in mL/min as the EU label defines its thresholds: creatinine clearance
    (an eGFR is accepted as an approximation). Left out, renal function is unknown: the dose is calculated
    with a warning to check it. With moderate impairment the dose is multiplied by the label's factor; every
    dose is rounded down to whole 2.5 mg steps, and a result below the usual minimum weekly dose is warned.
    """
    mtx = dosing_parameters().methotrexate
    requested = common.number("weekly_mg", weekly_mg, mtx.weekly_mg)
    daily = isinstance(schedule, str) and schedule == "daily"  # refused below, once every input is checked
    if not daily:
        common.choice("schedule", schedule, ALLOWED_SCHEDULES)
    by = common.choice("route", route, mtx.routes)
    is_pregnant = common.flag("pregnant", pregnant)
    planning = common.flag("planning_pregnancy", planning_pregnancy)
    egfr = None if egfr_ml_min is None else common.number("egfr_ml_min", egfr_ml_min, mtx.egfr_ml_min)
    if daily:
        allowed = ", ".join(map(repr, ALLOWED_SCHEDULES))
        raise DoseRefused(f"schedule: 'daily' is refused; allowed: {allowed}. {mtx.daily_refusal.text}")
    common.refuse_if_pregnant(mtx.pregnancy_refusal, pregnant=is_pregnant, planning_pregnancy=planning)
    if egfr is not None and egfr < mtx.renal_refuse_below.value:
        threshold = mtx.renal_refuse_below.value
        raise DoseRefused(f"egfr_ml_min: {egfr:g} is below {threshold:g} mL/min. {mtx.renal_refusal.text}")

    acc = common.Notes(mtx.weekly_mg, mtx.routes[by], mtx.daily_refusal)
    factor = 1.0
    if egfr is None:
        acc.warn(mtx.renal_unknown_warning)
    elif egfr < mtx.renal_reduce_below.value:
        factor = mtx.renal_dose_factor.value
        acc.warn(mtx.renal_reduce_warning)
        acc.note(
            f"Creatinine clearance (or eGFR) {egfr:g} mL/min (below {mtx.renal_reduce_below.value:g}): "
            f"{requested:g} mg × {factor:g} = {requested * factor:g} mg per week.",
            mtx.renal_reduce_below,
            mtx.renal_dose_factor,
        )
    step = mtx.step_mg.value
    target = requested * factor
    given = common.round_down(target, step)
    if given < target - 1e-9:
        acc.note(f"Rounded down from {target:g} mg to whole {step:g} mg steps ({given:g} mg).")
    acc.cite(mtx.step_mg)
    usual_min = mtx.weekly_mg.min
    if given < usual_min - 1e-9:
        low = mtx.renal_below_minimum_warning
        acc.warn_text(
            f"{given:g} mg once weekly after the renal reduction is below {usual_min:g} mg, the usual lowest "
            f"weekly dose for immune-mediated disease. {low.text}",
            low,
            mtx.weekly_mg,
        )
    acc.note("Take it on ONE named day of the week; write the day on the prescription.")
    acc.warn(mtx.folic_acid, *mtx.warnings)
    acc.cite(mtx.pregnancy_refusal)
    return MethotrexateDose(
        requested_weekly_mg=requested,
        route=by,
        egfr_ml_min=egfr,
        renal_factor=factor,
        weekly_mg=given,
        **acc.fields(),
    )
