"""Plasma exchange: estimated plasma volume (Kaplan), volume per exchange, schedule, and the procedure's
risks.

Teaching points: the exchanged volume follows body size and haematocrit; one exchange removes a fraction
1 − e^(−V/EPV) of an intravascular substance (so 1.5 volumes buys little over 1.0); IgG re-equilibrates from
the tissues, hence a course of several exchanges; and the exchange removes IVIG and therapeutic antibodies.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

from nmd_immuno.dosing import common
from nmd_immuno.dosing.body import estimated_plasma_volume_l
from nmd_immuno.dosing.parameters import dosing_parameters
from nmd_immuno.errors import DoseInputError


@dataclass(frozen=True, kw_only=True)
class PlasmaExchangePlan(common.DoseResult):
    """A plasma exchange course: volumes, number of exchanges, the days they fall on, replacement fluid."""

    weight_kg: float
    hematocrit: float
    estimated_plasma_volume_l: float
    plasma_volumes: float
    volume_per_exchange_l: float
    exchanges: int
    days: int
    total_volume_l: float
    schedule_days: list[int]
    fraction_removed_per_exchange: float
    replacement: str

    title: ClassVar[str] = "Plasma exchange course"

    def rows(self) -> list[tuple[str, object]]:
        return [
            ("Weight (kg)", self.weight_kg),
            ("Haematocrit", self.hematocrit),
            ("Estimated plasma volume (L)", round(self.estimated_plasma_volume_l, 2)),
            ("Plasma volumes per exchange", self.plasma_volumes),
            ("Volume per exchange (L)", round(self.volume_per_exchange_l, 2)),
            ("Exchanges", self.exchanges),
            ("On days", self.schedule_days),
            ("Total volume exchanged (L)", round(self.total_volume_l, 1)),
            ("Removed per exchange (intravascular)", f"{self.fraction_removed_per_exchange:.0%}"),
            ("Replacement fluid", self.replacement),
        ]


def exchange_schedule(exchanges: int, days: int) -> list[int]:
    """Days (1-based) on which the exchanges fall, spread evenly: 5 over 10 days -> 1, 3, 5, 7, 9."""
    return [1 + (index * days) // exchanges for index in range(exchanges)]


def plasma_exchange_plan(
    weight_kg: float,
    hematocrit: float,
    *,
    plasma_volumes: float = 1.0,
    exchanges: int = 5,
    days: int = 10,
) -> PlasmaExchangePlan:
    """Plan a course: EPV = 0.07 × weight × (1 − Hct); 1-1.5 plasma volumes per exchange; at most one a day.

    ``hematocrit`` is a fraction (0.40, not 40).
    """
    p = dosing_parameters().plasma_exchange
    epv = estimated_plasma_volume_l(weight_kg, hematocrit)
    w, hct = float(weight_kg), float(hematocrit)
    volumes = common.number("plasma_volumes", plasma_volumes, p.plasma_volumes)
    count = common.whole_number("exchanges", exchanges, p.exchanges)
    span = common.whole_number("days", days, p.days)
    if span < count:
        raise DoseInputError(
            f"days: {span} is fewer than exchanges={count}; at most one exchange a day, so allow at least "
            f"{count} days"
        )
    per_exchange = epv * volumes
    acc = common.Notes(p.epv_l_per_kg, p.plasma_volumes, p.exchanges, p.days, p.replacement)
    acc.note(p.fraction_removed_note.text, p.fraction_removed_note)
    if count != p.exchanges.typical or span != p.days.typical:
        acc.note(
            f"The usual course is {p.exchanges.typical:g} exchanges over about {p.days.typical:g} days "
            f"(this plan: {count} over {span})."
        )
    acc.warn(*p.warnings)
    return PlasmaExchangePlan(
        weight_kg=w,
        hematocrit=hct,
        estimated_plasma_volume_l=epv,
        plasma_volumes=volumes,
        volume_per_exchange_l=per_exchange,
        exchanges=count,
        days=span,
        total_volume_l=per_exchange * count,
        schedule_days=exchange_schedule(count, span),
        fraction_removed_per_exchange=1.0 - math.exp(-volumes),
        replacement=p.replacement.text,
        **acc.fields(),
    )
