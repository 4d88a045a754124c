"""FcRn inhibitors in generalized myasthenia gravis: efgartigimod IV, rozanolixizumab and nipocalimab.

Teaching points: three ways of dosing one mechanism (mg/kg with a ceiling per infusion, weight bands, and a
mg/kg loading then maintenance dose); each label names the antibodies it covers; and the class effects
follow from lowering IgG: no live vaccines, other IgG-based treatments (IVIG, monoclonals) are lowered too,
and plasma exchange removes the drug.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

from nmd_immuno.dosing import common
from nmd_immuno.dosing.complement import banded_dose
from nmd_immuno.dosing.parameters import band_label, dosing_parameters, mg_antibody_labels
from nmd_immuno.errors import DoseRefused


@dataclass(frozen=True, kw_only=True)
class FcrnDose(common.DoseResult):
    """An FcRn inhibitor cycle (or continuous regimen): mg per dose, loading dose, ceiling, dosing days."""

    drug: str
    weight_kg: float
    antibody: str
    route: str
    weight_band: str | None
    loading_mg: float | None
    calculated_mg: float  # before the ceiling (mg/kg × weight, or the band dose)
    mg_per_dose: float  # what to give: never above calculated_mg or the ceiling
    capped: bool
    doses_per_cycle: int | None  # None: continuous
    interval_days: int
    schedule_days: list[int]

    title: ClassVar[str] = "FcRn inhibitor"

    def rows(self) -> list[tuple[str, object]]:
        per_cycle = "continuous" if self.doses_per_cycle is None else f"{self.doses_per_cycle} per cycle"
        return [
            ("Drug", fcrn_drugs()[self.drug]),
            ("Route", self.route),
            ("Weight (kg)", self.weight_kg),
            ("Weight band", self.weight_band),
            ("Antibody", mg_antibody_labels()[self.antibody]),
            ("Loading dose (mg)", self.loading_mg),
            ("Calculated dose (mg)", self.calculated_mg),
            ("Capped at the ceiling", self.capped),
            ("Dose to give (mg)", self.mg_per_dose),
            ("Doses", per_cycle),
            ("Every (days)", self.interval_days),
            ("On days", self.schedule_days),
        ]


def fcrn_drugs() -> dict[str, str]:
    """Drug id -> label (efgartigimod IV, rozanolixizumab, nipocalimab)."""
    return {k: v.label for k, v in dosing_parameters().fcrn_inhibitors.drugs.items()}


def _whole_mg(exact: float) -> float:
    """Whole mg, rounded down, never above the exact figure."""
    return min(float(math.floor(exact + 1e-9)), exact)


def fcrn_inhibitor_dose(
    weight_kg: float,
    *,
    drug: str = "efgartigimod_iv",
    antibody: str = "achr",
    live_vaccine_planned: bool = False,
) -> FcrnDose:
    """Dose an FcRn inhibitor for generalized MG. DoseRefused if a live vaccine is planned; an antibody
    status outside the drug's label is calculated with a warning.

    mg/kg doses are rounded down to whole mg and capped at the label's ceiling per infusion (efgartigimod:
    1200 mg); banded doses (rozanolixizumab) come from the US label's table.
    """
    fc = dosing_parameters().fcrn_inhibitors
    w = common.weight(weight_kg)
    key = common.choice("drug", drug, fc.drugs)
    ab = common.choice("antibody", antibody, mg_antibody_labels())
    if common.flag("live_vaccine_planned", live_vaccine_planned):
        raise DoseRefused(f"live_vaccine_planned: True. {fc.live_vaccine_refusal.text}")

    plan = fc.drugs[key]
    refs = list(plan.references)
    notes: list[str] = []
    warnings: list[str] = []
    band_text = None
    if plan.mg_per_kg is not None:
        calculated = plan.mg_per_kg * w
        notes.append(f"{plan.mg_per_kg:g} mg/kg × {w:g} kg = {calculated:.1f} mg.")
    else:
        band = banded_dose(plan.bands, w, key)
        calculated = band.mg
        band_text = band_label(plan.bands, band)
        notes.append(f"Weight band {band_text}: {band.mg:g} mg.")
    ceiling = plan.max_mg if plan.max_mg is not None else calculated
    capped = calculated > ceiling + 1e-9
    per_dose = _whole_mg(min(calculated, ceiling))
    if capped:
        notes.append(f"Capped at the label's ceiling of {ceiling:g} mg per infusion.")
    loading = None if plan.loading_mg_per_kg is None else _whole_mg(plan.loading_mg_per_kg * w)
    if loading is not None:
        notes.append(
            f"Loading dose {plan.loading_mg_per_kg:g} mg/kg = {loading:g} mg on day 1; the first maintenance "
            f"dose follows {plan.interval_days} days later."
        )
    # A cycle lists all its doses; a continuous regimen lists its first three maintenance doses.
    count = plan.doses_per_cycle or 3
    first = 1 + plan.interval_days if loading is not None else 1
    schedule = ([1] if loading is not None else []) + [first + i * plan.interval_days for i in range(count)]
    if plan.doses_per_cycle is None:
        notes.append(f"Continuous: {per_dose:g} mg every {plan.interval_days} days (first doses listed).")
    if plan.cycle_note:
        notes.append(plan.cycle_note)
    if ab not in plan.antibodies:
        warnings.append(fc.antibody_warning.text)
        refs += fc.antibody_warning.references
    for item in [*plan.warnings, *fc.warnings]:
        warnings.append(item.text)
        refs += item.references
    refs += fc.live_vaccine_refusal.references
    return FcrnDose(
        drug=key,
        weight_kg=w,
        antibody=ab,
        route=plan.route,
        weight_band=band_text,
        loading_mg=loading,
        calculated_mg=calculated,
        mg_per_dose=per_dose,
        capped=capped,
        doses_per_cycle=plan.doses_per_cycle,
        interval_days=plan.interval_days,
        schedule_days=schedule,
        warnings=warnings,
        references=common.unique(refs),
        notes=notes,
    )
