"""Azathioprine: 2-3 mg/kg/day adjusted for TPMT/NUDT15 metabolism and xanthine-oxidase inhibitors.

Teaching points: pharmacogenomics before the first tablet (poor or unknown metabolizer: no dose); intermediate
metabolizers start at a fraction of the dose; allopurinol/febuxostat multiply exposure; the drug takes months.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from nmd_immuno.dosing import common
from nmd_immuno.dosing.parameters import dosing_parameters
from nmd_immuno.errors import DoseRefused

METABOLIZER_STATUSES: tuple[str, ...] = ("normal", "intermediate", "poor", "unknown")


@dataclass(frozen=True, kw_only=True)
class AzathioprineDose(common.DoseResult):
    """Target daily azathioprine dose (a range when reduced), the whole-tablet dose and the starting dose."""

    weight_kg: float
    mg_per_kg: float
    tpmt: str
    nudt15: str
    xanthine_oxidase_inhibitor: bool
    full_daily_mg: float
    dose_factor_range: tuple[float, float]
    daily_mg_range: tuple[float, float]
    daily_mg: float  # whole tablets, never above the top of the range
    start_mg: float

    title: ClassVar[str] = "Azathioprine"

    def rows(self) -> list[tuple[str, object]]:
        low, high = self.dose_factor_range
        factor = "100%" if low == high == 1.0 else f"{low:.0%} to {high:.0%}"
        return [
            ("Weight (kg)", self.weight_kg),
            ("mg/kg/day", self.mg_per_kg),
            ("TPMT / NUDT15", f"{self.tpmt} / {self.nudt15}"),
            ("Allopurinol or febuxostat", self.xanthine_oxidase_inhibitor),
            ("Unadjusted dose (mg/day)", round(self.full_daily_mg, 1)),
            ("Fraction of the usual dose", factor),
            ("Target range (mg/day)", f"{self.daily_mg_range[0]:.0f} to {self.daily_mg_range[1]:.0f}"),
            ("Highest dose in range, whole tablets (mg/day)", self.daily_mg),
            ("Starting dose (mg/day)", self.start_mg),
        ]


def azathioprine_dose(
    weight_kg: float,
    *,
    mg_per_kg: float = 2.5,
    tpmt: str = "normal",
    nudt15: str = "normal",
    xanthine_oxidase_inhibitor: bool = False,
) -> AzathioprineDose:
    """Azathioprine target and starting dose. DoseRefused for a poor or unknown TPMT/NUDT15 status."""
    aza = dosing_parameters().azathioprine
    w = common.weight(weight_kg)
    per_kg = common.number("mg_per_kg", mg_per_kg, aza.mg_per_kg)
    tpmt_status = common.choice("tpmt", tpmt, METABOLIZER_STATUSES)
    nudt_status = common.choice("nudt15", nudt15, METABOLIZER_STATUSES)
    xoi = common.flag("xanthine_oxidase_inhibitor", xanthine_oxidase_inhibitor)
    for gene, status in (("TPMT", tpmt_status), ("NUDT15", nudt_status)):
        if status in ("poor", "unknown"):
            refusal = aza.refusals.poor if status == "poor" else aza.refusals.unknown
            raise DoseRefused(f"{gene.lower()}: {status!r}. {refusal.text.format(gene=gene)}")

    acc = common.Notes(aza.mg_per_kg)
    low = high = 1.0
    phen = aza.phenotype_factors
    tpmt_im, nudt_im = tpmt_status == "intermediate", nudt_status == "intermediate"
    reduction = (
        phen.both_intermediate
        if tpmt_im and nudt_im
        else phen.tpmt_intermediate
        if tpmt_im
        else phen.nudt15_intermediate
        if nudt_im
        else None
    )
    if reduction is not None:
        low, high = reduction.low, reduction.high
        acc.cite(reduction)
        acc.warn(aza.intermediate_warning)
    if xoi:
        low, high = low * aza.xanthine_oxidase_factor.low, high * aza.xanthine_oxidase_factor.high
        acc.cite(aza.xanthine_oxidase_factor)
        acc.warn(aza.xanthine_oxidase_warning)

    full = per_kg * w
    top = full * high
    tablet = aza.tablet_mg.value
    daily = common.round_down(top, tablet)  # whole tablets
    if daily >= tablet:
        if daily < top - 1e-9:
            acc.note(f"Rounded down from {top:.1f} mg to whole {tablet:g} mg tablets ({daily:g} mg/day).")
    else:
        daily = common.round_down(top, 0.1)
        acc.note(
            f"{top:.1f} mg/day is less than one {tablet:g} mg tablet: a liquid preparation would be needed."
        )
    acc.cite(aza.tablet_mg)
    if high < 1.0:
        acc.note(
            f"Reduced dose: choose a dose within {full * low:.0f} to {top:.0f} mg/day (at most {daily:g} "
            "mg/day in whole tablets) and adjust it to the blood counts."
        )
    start = min(aza.start_mg.value, daily)
    if start < daily:
        acc.note(f"Start at {start:g} mg/day and {aza.titration.text}.", aza.start_mg, aza.titration)
    acc.warn(*aza.warnings)
    return AzathioprineDose(
        weight_kg=w,
        mg_per_kg=per_kg,
        tpmt=tpmt_status,
        nudt15=nudt_status,
        xanthine_oxidase_inhibitor=xoi,
        full_daily_mg=full,
        dose_factor_range=(low, high),
        daily_mg_range=(full * low, top),
        daily_mg=daily,
        start_mg=float(start),
        **acc.fields(),
    )
