"""Mycophenolate mofetil: a twice-daily dose (2-3 g/day) and its pregnancy hard stop.

Teaching points: the dose itself is simple; the boxed warning (embryofetal toxicity) is not, so pregnancy
or a planned pregnancy refuses the drug, and everyone of reproductive potential is counselled on testing and
contraception; in myasthenia gravis the drug is slow and its trials were negative.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from nmd_immuno.dosing import common
from nmd_immuno.dosing.parameters import dosing_parameters


@dataclass(frozen=True, kw_only=True)
class MycophenolateDose(common.DoseResult):
    """Mycophenolate mofetil: target g/day, doses per day and mg per dose (whole 250 mg steps)."""

    daily_g: float
    doses_per_day: int
    mg_per_dose: float  # never above daily_g / doses_per_day
    total_daily_mg: float

    title: ClassVar[str] = "Mycophenolate mofetil"

    def rows(self) -> list[tuple[str, object]]:
        return [
            ("Target (g/day)", self.daily_g),
            ("Doses per day", self.doses_per_day),
            ("mg per dose", self.mg_per_dose),
            ("Total (mg/day)", self.total_daily_mg),
        ]


def mycophenolate_dose(
    daily_g: float = 2.0,
    *,
    pregnant: bool = False,
    planning_pregnancy: bool = False,
) -> MycophenolateDose:
    """Mycophenolate mofetil in two daily doses. DoseRefused in pregnancy or when a pregnancy is planned."""
    mmf = dosing_parameters().mycophenolate
    target = common.number("daily_g", daily_g, mmf.daily_g)
    common.refuse_if_pregnant(mmf.pregnancy_refusal, pregnant=pregnant, planning_pregnancy=planning_pregnancy)

    per_day = int(mmf.doses_per_day.value)
    step = mmf.step_mg.value
    exact = target * 1000 / per_day
    per_dose = common.round_down(exact, step)
    acc = common.Notes(mmf.daily_g, mmf.doses_per_day, mmf.step_mg)
    if per_dose < exact - 1e-9:
        acc.note(f"{exact:g} mg per dose rounded down to whole {step:g} mg steps ({per_dose:g} mg).")
    acc.warn(mmf.reproductive_warning, *mmf.warnings)
    return MycophenolateDose(
        daily_g=target,
        doses_per_day=per_day,
        mg_per_dose=per_dose,
        total_daily_mg=per_dose * per_day,
        **acc.fields(),
    )
