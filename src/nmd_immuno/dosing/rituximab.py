"""Rituximab: the two common regimens (375 mg/m² weekly × 4 by Mosteller BSA, or 1000 mg × 2) and its hard
stops.

Teaching points: the surface-area regimen needs height and weight; no dose without a hepatitis B screen
(reactivation is a boxed warning); no live vaccines during B-cell depletion.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from nmd_immuno.dosing import common
from nmd_immuno.dosing.body import body_surface_area_m2
from nmd_immuno.dosing.parameters import dosing_parameters
from nmd_immuno.errors import DoseInputError, DoseRefused


@dataclass(frozen=True, kw_only=True)
class RituximabDose(common.DoseResult):
    """A rituximab course: mg per infusion, number of infusions, interval and the days they fall on."""

    regimen: str
    bsa_m2: float | None
    mg_per_infusion: float
    infusions: int
    interval_days: int | None
    total_mg: float
    schedule_days: list[int]

    title: ClassVar[str] = "Rituximab course"

    def rows(self) -> list[tuple[str, object]]:
        return [
            ("Regimen", rituximab_regimens().get(self.regimen, self.regimen)),
            ("Body surface area, Mosteller (m²)", None if self.bsa_m2 is None else round(self.bsa_m2, 2)),
            ("mg per infusion", self.mg_per_infusion),
            ("Infusions", self.infusions),
            ("Interval (days)", self.interval_days),
            ("On days", self.schedule_days),
            ("Total (mg)", self.total_mg),
        ]


def rituximab_regimens() -> dict[str, str]:
    """Regimen id -> label (the two API regimens plus any added in ``data/dosing.yaml``)."""
    return {k: v.label for k, v in dosing_parameters().rituximab.regimens.items()}


def rituximab_dose(
    *,
    regimen: str = "375_mg_m2_weekly_x4",
    height_cm: float | None = None,
    weight_kg: float | None = None,
    hbv_screened: bool | None = None,
    live_vaccine_planned: bool = False,
) -> RituximabDose:
    """Dose a rituximab course. Raises DoseRefused unless ``hbv_screened=True`` or if a live vaccine is
    planned.

    ``hbv_screened`` means HBsAg and anti-HBc results are available (left out = not documented = refused).
    The 375 mg/m² regimen needs ``height_cm`` and ``weight_kg``; the dose per infusion is rounded down to
    whole mg.
    """
    rtx = dosing_parameters().rituximab
    key = common.choice("regimen", regimen, rtx.regimens)
    h = None if height_cm is None else common.height(height_cm)
    w = None if weight_kg is None else common.weight(weight_kg)
    screened = False if hbv_screened is None else common.flag("hbv_screened", hbv_screened)
    live = common.flag("live_vaccine_planned", live_vaccine_planned)
    if not screened:
        raise DoseRefused(f"hbv_screened: {hbv_screened!r}. {rtx.hbv_refusal.text}")
    if live:
        raise DoseRefused(f"live_vaccine_planned: True. {rtx.live_vaccine_refusal.text}")

    plan = rtx.regimens[key]
    bsa = None
    if h is not None and w is not None:
        bsa = body_surface_area_m2(h, w)
    acc = common.Notes(plan)
    if plan.mg_per_m2 is not None:
        if bsa is None:
            missing = "height_cm" if h is None else "weight_kg"
            raise DoseInputError(
                f"{missing}: {common.NOT_GIVEN}; {common.allowed_range(getattr(common.limits(), missing))}: "
                f"required for the {plan.mg_per_m2:g} mg/m² regimen (body surface area)"
            )
        exact = plan.mg_per_m2 * bsa
        per_infusion = common.round_down(exact)  # whole mg, never above mg/m² × BSA
        acc.note(
            f"{plan.mg_per_m2:g} mg/m² × {bsa:.2f} m² = {exact:.1f} mg, rounded down to {per_infusion:g} mg.",
            dosing_parameters().body_size.mosteller,
        )
        high = rtx.high_dose_warning
        if per_infusion > high.above_mg + 1e-9:
            dose_text = f"{per_infusion:g} mg per infusion ({plan.mg_per_m2:g} mg/m² × {bsa:.2f} m²)"
            acc.warn_text(f"{dose_text}. {high.text}", high)
    else:
        per_infusion = float(plan.fixed_mg or 0.0)
    interval = plan.interval_days
    schedule = [1 + index * (interval or 0) for index in range(plan.infusions)]
    acc.warn(*rtx.warnings)
    acc.cite(rtx.hbv_refusal, rtx.live_vaccine_refusal)
    return RituximabDose(
        regimen=key,
        bsa_m2=bsa,
        mg_per_infusion=per_infusion,
        infusions=plan.infusions,
        interval_days=interval,
        total_mg=per_infusion * plan.infusions,
        schedule_days=schedule,
        **acc.fields(),
    )
