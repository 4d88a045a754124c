"""A corticosteroid taper plan: dose steps down from the dose that reached the goal to a maintenance target.

Why a rule from data: the principle (no reduction before response, then about 10% every 1-4 weeks, slower
below 20 mg) is easy to state and hard to apply by hand; the bands in ``data/dosing.yaml`` make it explicit
and editable, and every step lands on a practical tablet amount.
"""

from __future__ import annotations

import html
import math
from typing import NamedTuple

from nmd_immuno.dosing import common
from nmd_immuno.dosing.parameters import dosing_parameters
from nmd_immuno.errors import DoseInputError


class TaperStep(NamedTuple):
    """From ``week`` (counted from the start of the taper) take ``daily_mg`` per day."""

    week: int
    daily_mg: float


def steroid_taper(start_mg: float, *, target_mg: float = 5.0) -> list[TaperStep]:
    """Steps from ``start_mg`` down to ``target_mg`` (prednisone/prednisolone mg per day).

    Week 0 is the starting dose (begin once the clinical goal is reached). Above 20 mg the dose falls by 5 mg,
    between 10 and 20 mg by 2.5 mg, below 10 mg by 1 mg (intervals in ``data/dosing.yaml``); each step
    lands on a multiple of the step size, never below the target and never up.
    """
    taper = dosing_parameters().corticosteroids.taper
    start = common.number("start_mg", start_mg, taper.start_mg)
    target = common.number("target_mg", target_mg, taper.target_mg)
    if target > start:
        raise DoseInputError(f"target_mg: {target:g} is above start_mg={start:g}; a taper only goes down")
    steps = [TaperStep(0, start)]
    current, week = start, 0
    while current > target + 1e-9:
        band = next(b for b in taper.bands if current > b.above_mg + 1e-9)
        following = math.ceil(round((current - band.step_mg) / band.step_mg, 9)) * band.step_mg
        following = max(round(following, 3), target)
        week += band.interval_weeks
        steps.append(TaperStep(week, following))
        current = following
    return steps


def taper_html(steps: list[TaperStep]) -> str:
    """The taper as a compact HTML table (weeks and doses), for notebooks and the static book."""
    cells = "".join(
        f"<tr><td>{step.week}</td><td>{html.escape(f'{step.daily_mg:g}')}</td></tr>" for step in steps
    )
    return (
        "<table class='nmd-taper'><thead><tr><th>From week</th><th>mg/day</th></tr></thead>"
        f"<tbody>{cells}</tbody></table>"
    )
