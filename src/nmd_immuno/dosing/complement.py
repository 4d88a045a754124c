"""Complement C5 inhibitors in generalized myasthenia gravis: eculizumab, ravulizumab and zilucoplan.

Teaching points: the dose is a fixed schedule or a weight band, so the arithmetic is trivial; what matters is
the boxed warning. Without MenACWY and MenB vaccination at least 2 weeks before the first dose the calculator
refuses, unless antibacterial prophylaxis is acknowledged; and the labels cover AChR antibody-positive
disease only, so any other antibody status is flagged. The tables are adult tables: a patient younger than
the label covers, or lighter than its lowest weight band, is refused rather than given an adult dose.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from nmd_immuno.dosing import common
from nmd_immuno.dosing.parameters import band_for_weight, band_label, dosing_parameters, mg_antibody_labels
from nmd_immuno.errors import DoseRefused


@dataclass(frozen=True, kw_only=True)
class ComplementDose(common.DoseResult):
    """A complement inhibitor course: weight band, loading doses by week, then the maintenance dose."""

    drug: str
    age: float
    weight_kg: float
    weight_band: str
    antibody: str
    route: str
    loading: list[tuple[int, float]]  # (week, mg), week 0 = first dose
    maintenance_mg: float
    maintenance_interval_days: int
    maintenance_from_week: int
    prophylaxis_cover: bool  # dosed under antibacterial prophylaxis (vaccination not yet 14 days old)

    title: ClassVar[str] = "Complement inhibitor"

    def rows(self) -> list[tuple[str, object]]:
        loading = "; ".join(f"{mg:g} mg in week {week}" for week, mg in self.loading) or "none"
        interval = self.maintenance_interval_days
        every = "once daily" if interval == 1 else f"every {interval} days"
        return [
            ("Drug", complement_drugs()[self.drug]),
            ("Route", self.route),
            ("Age (years)", self.age),
            ("Weight (kg)", self.weight_kg),
            ("Weight band", self.weight_band),
            ("Antibody", mg_antibody_labels()[self.antibody]),
            ("Loading / induction", loading),
            ("Maintenance", f"{self.maintenance_mg:g} mg {every}, from week {self.maintenance_from_week}"),
            ("Under antibiotic prophylaxis", self.prophylaxis_cover),
        ]


def complement_drugs() -> dict[str, str]:
    """Drug id -> label (eculizumab, ravulizumab, zilucoplan)."""
    return {k: v.label for k, v in dosing_parameters().complement_inhibitors.drugs.items()}


def complement_inhibitor_dose(
    weight_kg: float,
    *,
    age: float | None = None,
    drug: str = "eculizumab",
    antibody: str = "achr",
    meningococcal_vaccination_days: float | None = None,
    antibiotic_prophylaxis: bool = False,
) -> ComplementDose:
    """Dose a complement inhibitor for generalized MG.

    ``age`` (years) is required: the labels' MG indications are for adults, so under 18 is refused
    (DoseRefused; for eculizumab with a pointer to the label's separate paediatric table, which is not
    encoded here). ``meningococcal_vaccination_days`` is the number of days between the completed MenACWY
    and MenB vaccination and the first dose (None: not documented). Fewer than 14 days, or None, is refused
    (DoseRefused) unless ``antibiotic_prophylaxis=True``, which turns the refusal into a warning. A weight
    below the drug's lowest label band (eculizumab and ravulizumab: 40 kg) is refused as well.
    """
    ci = dosing_parameters().complement_inhibitors
    w = common.weight(weight_kg)
    key = common.choice("drug", drug, ci.drugs)
    ab = common.choice("antibody", antibody, mg_antibody_labels())
    plan = ci.drugs[key]
    given_days = meningococcal_vaccination_days
    days = (
        None
        if given_days is None
        else common.number("meningococcal_vaccination_days", given_days, ci.vaccination_days)
    )
    prophylaxis = common.flag("antibiotic_prophylaxis", antibiotic_prophylaxis)
    years = common.check_age(age, plan.age_limit, key)
    band = band_for_weight(plan.bands, w, key)
    minimum = ci.vaccination_min_days.value
    vaccinated = days is not None and days >= minimum
    if not vaccinated and not prophylaxis:
        given = common.given_as(days, None if days is None else f"{days:g} days, fewer than {minimum:g}")
        raise DoseRefused(f"meningococcal_vaccination_days: {given}. {ci.vaccination_refusal.text}")

    acc = common.Notes(plan, plan.age_limit, ci.vaccination_min_days, ci.vaccination_refusal)
    if not vaccinated:
        acc.warn(ci.prophylaxis_warning)
    if ab not in ci.antibodies:
        acc.warn(ci.antibody_warning)
    if len(plan.bands) > 1:
        acc.note(f"Weight band {band_label(plan.bands, band)} of the label's dosing table.")
    acc.warn(*plan.warnings, *ci.warnings)
    return ComplementDose(
        drug=key,
        age=years,
        weight_kg=w,
        weight_band=band_label(plan.bands, band),
        antibody=ab,
        route=plan.route,
        loading=[(week, mg) for week, mg in enumerate(band.loading_mg)],
        maintenance_mg=band.mg,
        maintenance_interval_days=plan.maintenance_interval_days,
        maintenance_from_week=plan.maintenance_from_week,
        prophylaxis_cover=not vaccinated,
        **acc.fields(),
    )
