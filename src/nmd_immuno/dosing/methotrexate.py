"""Methotrexate: a once-weekly dose with its hard stops (daily schedule, pregnancy, severe renal impairment).

Teaching points: the commonest fatal methotrexate error is the weekly dose taken every day, so a daily
schedule is refused outright; methotrexate is teratogenic and renally cleared, so pregnancy and severe renal
impairment stop it and moderate impairment lowers the dose; folic acid and blood monitoring come with every
prescription.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

from nmd_immuno.dosing import common
from nmd_immuno.dosing.parameters import dosing_parameters
from nmd_immuno.errors import DoseRefused

SCHEDULES: tuple[str, ...] = ("weekly", "daily")


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
            ("eGFR", renal),
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

    ``egfr_ml_min`` left out means renal function is unknown: the dose is calculated with a warning to check
    it. With moderate impairment the dose is multiplied by the label's factor; every dose is rounded down to
    whole 2.5 mg steps.
    """
    mtx = dosing_parameters().methotrexate
    requested = common.number("weekly_mg", weekly_mg, mtx.weekly_mg)
    how_often = common.choice("schedule", schedule, SCHEDULES)
    by = common.choice("route", route, mtx.routes)
    is_pregnant = common.flag("pregnant", pregnant)
    planning = common.flag("planning_pregnancy", planning_pregnancy)
    egfr = None if egfr_ml_min is None else common.number("egfr_ml_min", egfr_ml_min, mtx.egfr_ml_min)
    if how_often == "daily":
        raise DoseRefused(f"schedule: 'daily' is refused; allowed: 'weekly' only. {mtx.daily_refusal.text}")
    for name, value in (("pregnant", is_pregnant), ("planning_pregnancy", planning)):
        if value:
            raise DoseRefused(f"{name}: True. {mtx.pregnancy_refusal.text}")
    if egfr is not None and egfr < mtx.renal_refuse_below.value:
        threshold = mtx.renal_refuse_below.value
        raise DoseRefused(f"egfr_ml_min: {egfr:g} is below {threshold:g} mL/min. {mtx.renal_refusal.text}")

    refs = list(mtx.weekly_mg.references) + mtx.routes[by].references + mtx.daily_refusal.references
    notes: list[str] = []
    warnings: list[str] = []
    factor = 1.0
    if egfr is None:
        warnings.append(mtx.renal_unknown_warning.text)
        refs += mtx.renal_unknown_warning.references
    elif egfr < mtx.renal_reduce_below.value:
        factor = mtx.renal_dose_factor.value
        warnings.append(mtx.renal_reduce_warning.text)
        refs += (
            mtx.renal_reduce_warning.references
            + mtx.renal_reduce_below.references
            + mtx.renal_dose_factor.references
        )
        notes.append(
            f"eGFR {egfr:g} mL/min (below {mtx.renal_reduce_below.value:g}): {requested:g} mg × "
            f"{factor:g} = {requested * factor:g} mg per week."
        )
    step = mtx.step_mg.value
    target = requested * factor
    given = min(math.floor(target / step + 1e-9) * step, target)
    if given < target - 1e-9:
        notes.append(f"Rounded down from {target:g} mg to whole {step:g} mg steps ({given:g} mg).")
    refs += mtx.step_mg.references
    notes.append("Take it on ONE named day of the week; write the day on the prescription.")
    warnings.append(mtx.folic_acid.text)
    refs += mtx.folic_acid.references
    for item in mtx.warnings:
        warnings.append(item.text)
        refs += item.references
    refs += mtx.pregnancy_refusal.references
    return MethotrexateDose(
        requested_weekly_mg=requested,
        route=by,
        egfr_ml_min=egfr,
        renal_factor=factor,
        weekly_mg=float(given),
        warnings=warnings,
        references=common.unique(refs),
        notes=notes,
    )
