"""FcRn inhibitors in generalized myasthenia gravis: efgartigimod IV, rozanolixizumab and nipocalimab.

Teaching points: three ways of dosing one mechanism (mg/kg with a ceiling per infusion, weight bands, and a
mg/kg loading then maintenance dose); each label names the antibodies it covers; and the class effects
follow from lowering IgG: no live vaccines, other IgG-based treatments (IVIG, monoclonals) are lowered too,
and plasma exchange removes the drug. Each label has a youngest age (adults; nipocalimab from 12 years) and
the banded drug a lowest weight: below either the calculator refuses instead of giving an adult dose.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from nmd_immuno.dosing import common
from nmd_immuno.dosing.parameters import band_for_weight, band_label, dosing_parameters, mg_antibody_labels
from nmd_immuno.errors import DoseRefused


@dataclass(frozen=True, kw_only=True)
class FcrnDose(common.DoseResult):
    """An FcRn inhibitor cycle (or continuous regimen): mg per dose, loading dose, ceiling, dosing days."""

    drug: str
    age: float
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
            ("Age (years)", self.age),
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


def fcrn_inhibitor_dose(
    weight_kg: float,
    *,
    age: float | None = None,
    drug: str = "efgartigimod_iv",
    antibody: str = "achr",
    live_vaccine_planned: bool = False,
) -> FcrnDose:
    """Dose an FcRn inhibitor for generalized MG. DoseRefused if a live vaccine is planned or the patient is
    younger than the label covers (``age`` in years is required: 18 for efgartigimod and rozanolixizumab, 12
    for nipocalimab); an antibody status outside the drug's label is calculated with a warning.

    mg/kg doses are rounded down to whole mg and capped at the label's ceiling per infusion (efgartigimod:
    1200 mg); banded doses (rozanolixizumab) come from the US label's table, refused below its lowest band.
    """
    fc = dosing_parameters().fcrn_inhibitors
    w = common.weight(weight_kg)
    key = common.choice("drug", drug, fc.drugs)
    ab = common.choice("antibody", antibody, mg_antibody_labels())
    live_vaccine = common.flag("live_vaccine_planned", live_vaccine_planned)
    plan = fc.drugs[key]
    years = common.check_age(age, plan.age_limit, key)
    if live_vaccine:
        raise DoseRefused(f"live_vaccine_planned: True. {fc.live_vaccine_refusal.text}")

    acc = common.Notes(plan, plan.age_limit)
    band_text = None
    if plan.mg_per_kg is not None:
        calculated = plan.mg_per_kg * w
        acc.note(f"{plan.mg_per_kg:g} mg/kg × {w:g} kg = {calculated:.1f} mg.")
    else:
        band = band_for_weight(plan.bands, w, key)
        calculated = band.mg
        band_text = band_label(plan.bands, band)
        acc.note(f"Weight band {band_text}: {band.mg:g} mg.")
    ceiling = plan.max_mg if plan.max_mg is not None else calculated
    capped = calculated > ceiling + 1e-9
    per_dose = common.round_down(min(calculated, ceiling))
    if capped:
        acc.note(f"Capped at the label's ceiling of {ceiling:g} mg per infusion.")
    loading = None if plan.loading_mg_per_kg is None else common.round_down(plan.loading_mg_per_kg * w)
    if loading is not None:
        acc.note(
            f"Loading dose {plan.loading_mg_per_kg:g} mg/kg = {loading:g} mg on day 1; the first maintenance "
            f"dose follows {plan.interval_days} days later."
        )
    # A cycle lists all its doses; a continuous regimen lists its first three maintenance doses.
    count = plan.doses_per_cycle or 3
    first = 1 + plan.interval_days if loading is not None else 1
    schedule = ([1] if loading is not None else []) + [first + i * plan.interval_days for i in range(count)]
    if plan.doses_per_cycle is None:
        acc.note(f"Continuous: {per_dose:g} mg every {plan.interval_days} days (first doses listed).")
    if plan.cycle_note:
        acc.note(plan.cycle_note)
    if ab not in plan.antibodies:
        acc.warn(fc.antibody_warning)
    heavy = plan.high_weight_warning
    if heavy is not None and w >= heavy.from_kg:
        acc.warn_text(f"Weight {w:g} kg: {heavy.text}", heavy)
    acc.warn(*plan.warnings, *fc.warnings)
    acc.cite(fc.live_vaccine_refusal)
    return FcrnDose(
        drug=key,
        age=years,
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
        **acc.fields(),
    )
