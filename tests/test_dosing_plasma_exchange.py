"""Plasma exchange plan: Kaplan volume, schedule, removal fraction, warnings, refusals."""

from __future__ import annotations

import math

import pytest

from nmd_immuno.dosing import dosing_parameters, exchange_schedule, plasma_exchange_plan
from nmd_immuno.errors import DoseInputError


def test_standard_course_hand_worked() -> None:
    # EPV = 0.07 × 70 × 0.6 = 2.94 L; 1 volume × 5 exchanges = 14.7 L, alternate days
    plan = plasma_exchange_plan(70, 0.40)
    assert plan.estimated_plasma_volume_l == pytest.approx(2.94)
    assert plan.volume_per_exchange_l == pytest.approx(2.94)
    assert plan.total_volume_l == pytest.approx(14.7)
    assert plan.schedule_days == [1, 3, 5, 7, 9]
    assert plan.fraction_removed_per_exchange == pytest.approx(1 - math.exp(-1))  # about 63%
    assert "albumin" in plan.replacement


def test_larger_exchange_removes_more_but_with_diminishing_return() -> None:
    one = plasma_exchange_plan(70, 0.40, plasma_volumes=1.0)
    one_half = plasma_exchange_plan(70, 0.40, plasma_volumes=1.5)
    assert one_half.volume_per_exchange_l == pytest.approx(1.5 * one.volume_per_exchange_l)
    assert one_half.fraction_removed_per_exchange == pytest.approx(0.777, abs=0.001)
    gain = one_half.fraction_removed_per_exchange - one.fraction_removed_per_exchange
    assert gain < 0.5 * one.fraction_removed_per_exchange


def test_schedule_has_one_exchange_per_day_at_most() -> None:
    for exchanges in range(1, 11):
        for days in range(exchanges, 15):
            schedule = exchange_schedule(exchanges, days)
            assert len(schedule) == exchanges
            assert schedule == sorted(set(schedule))
            assert schedule[0] == 1 and schedule[-1] <= days


def test_every_procedure_warning_is_listed() -> None:
    plan = plasma_exchange_plan(80, 0.38)
    for item in dosing_parameters().plasma_exchange.warnings:
        assert item.text in plan.warnings
    joined = " ".join(plan.warnings).lower()
    for topic in ("calcium", "hypotension", "access", "fibrinogen", "removes ivig"):
        assert topic in joined


@pytest.mark.parametrize(
    ("args", "kwargs", "field"),
    [
        ((70, 40), {}, "hematocrit"),
        ((70, 0.05), {}, "hematocrit"),
        ((500, 0.4), {}, "weight_kg"),
        ((70, 0.4), {"plasma_volumes": 2.0}, "plasma_volumes"),
        ((70, 0.4), {"exchanges": 0}, "exchanges"),
        ((70, 0.4), {"exchanges": 5, "days": 3}, "days"),
        ((70, 0.4), {"days": 30}, "days"),
        ((70, 0.4), {"exchanges": True}, "exchanges"),
    ],
)
def test_refusals_name_the_field(args: tuple, kwargs: dict, field: str) -> None:
    with pytest.raises(DoseInputError) as excinfo:
        plasma_exchange_plan(*args, **kwargs)
    assert str(excinfo.value).startswith(f"{field}:")


def test_unusual_course_is_noted() -> None:
    plan = plasma_exchange_plan(70, 0.4, exchanges=3, days=6)
    assert any("usual course" in note for note in plan.notes)
    assert not any("usual course" in note for note in plasma_exchange_plan(70, 0.4).notes)
