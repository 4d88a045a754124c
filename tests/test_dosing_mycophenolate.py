"""Mycophenolate mofetil: twice-daily dose, rounding, and the pregnancy hard stop with the boxed warning."""

from __future__ import annotations

import pytest

from nmd_immuno.dosing import mycophenolate_dose
from nmd_immuno.errors import DoseInputError, DoseRefused


@pytest.mark.parametrize(("daily_g", "per_dose"), [(2.0, 1000), (2.5, 1250), (3.0, 1500)])
def test_daily_target_is_split_into_two_doses(daily_g: float, per_dose: float) -> None:
    dose = mycophenolate_dose(daily_g)
    assert dose.doses_per_day == 2
    assert dose.mg_per_dose == per_dose and dose.total_daily_mg == 2 * per_dose


def test_dose_is_rounded_down_to_whole_250_mg_steps() -> None:
    dose = mycophenolate_dose(2.6)  # 1300 mg per dose -> 1250 mg
    assert dose.mg_per_dose == 1250 and dose.total_daily_mg == 2500
    assert dose.notes


@pytest.mark.parametrize("field", ["pregnant", "planning_pregnancy"])
def test_pregnancy_or_planned_pregnancy_is_refused_with_the_boxed_warning(field: str) -> None:
    with pytest.raises(DoseRefused) as excinfo:
        mycophenolate_dose(2.0, **{field: True})
    message = str(excinfo.value)
    assert message.startswith(f"{field}:")
    for phrase in ("embryofetal", "malformations", "contraception"):
        assert phrase in message.lower(), phrase


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"daily_g": 1.5}, "daily_g"),
        ({"daily_g": 4}, "daily_g"),
        ({"daily_g": 2000}, "daily_g"),  # mg typed for g
        ({"pregnant": 1}, "pregnant"),
        ({"planning_pregnancy": None}, "planning_pregnancy"),
    ],
)
def test_bad_input_is_refused_naming_the_field(kwargs: dict, field: str) -> None:
    with pytest.raises(DoseInputError) as excinfo:
        mycophenolate_dose(**kwargs)
    message = str(excinfo.value)
    assert message.startswith(f"{field}:")
    assert repr(kwargs[field]) in message and "allowed" in message, message


def test_counselling_and_monitoring_are_warned() -> None:
    joined = " ".join(mycophenolate_dose().warnings).lower()
    for phrase in ("pregnancy test", "contraception", "malignanc", "blood count", "36 weeks"):
        assert phrase in joined, phrase


def test_pregnancy_tests_follow_the_us_label_wording() -> None:
    joined = " ".join(mycophenolate_dose().warnings).lower()
    assert "immediately before starting" in joined and "8-10 days later" in joined
    assert "two negative pregnancy tests" not in joined  # the EU/UK rule, not the US label's


def test_off_label_use_and_transplant_origin_of_the_doses_are_stated() -> None:
    dose = mycophenolate_dose(3.0)
    (warning,) = [w for w in dose.warnings if "off-label" in w.lower()]
    assert "transplant" in warning.lower() and "myasthenia" in warning and "myositis" in warning
    assert "label_mycophenolate" in dose.references
