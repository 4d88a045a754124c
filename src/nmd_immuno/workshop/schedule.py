"""A workshop plan for its facilitator (``data/workshop.yaml``): schedules, cases, discussion prompts.

Why data with a schema: a workshop lead adapts the schedule to their room (a shorter afternoon, other cases)
without touching Python, and a case renamed or removed from a quiz must fail loudly here rather than leave the
guide pointing at a question that no longer exists. The facilitator guide renders what this module loads.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from nmd_immuno.content.loader import data_path, file_stamp, load_yaml_model
from nmd_immuno.errors import DataError
from nmd_immuno.quiz.loader import available_quizzes, load_quiz

WORKSHOP_FILE = "workshop.yaml"
Text = str


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Block(_Strict):
    """One part of a schedule: its length, its kind of activity and the quiz cases it works through."""

    title: Text = Field(min_length=1)
    minutes: int = Field(gt=0, le=240)
    kind: Literal["setup", "cases", "break", "wrap-up"]
    cases: list[str] = Field(default_factory=list)
    tools: list[Literal["algorithm explorer", "cohort simulator", "dose calculators"]] = Field(
        default_factory=list
    )
    notes: Text = ""

    @model_validator(mode="after")
    def _cases_only_in_case_blocks(self) -> Block:
        if self.kind == "cases" and not self.cases:
            raise ValueError(f"block {self.title!r}: a 'cases' block lists at least one quiz case")
        if self.kind != "cases" and self.cases:
            raise ValueError(
                f"block {self.title!r}: cases belong in a block of kind 'cases', not {self.kind!r}"
            )
        return self


class Schedule(_Strict):
    """A workshop's timetable; its blocks add up to ``total_minutes`` so the printed day does not overrun."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: Text
    total_minutes: int = Field(gt=0)
    blocks: list[Block] = Field(min_length=1)

    @model_validator(mode="after")
    def _blocks_fill_the_time(self) -> Schedule:
        planned = sum(block.minutes for block in self.blocks)
        if planned != self.total_minutes:
            raise ValueError(
                f"schedule {self.id!r}: the blocks add up to {planned} minutes; total_minutes says "
                f"{self.total_minutes}"
            )
        return self

    def cases(self) -> list[str]:
        return [case for block in self.blocks for case in block.cases]


class WorkshopPlan(_Strict):
    schedules: list[Schedule] = Field(min_length=1)
    prompts: dict[str, list[Text]]
    disagreement: list[Text] = Field(min_length=1)

    @model_validator(mode="after")
    def _every_scheduled_case_has_prompts(self) -> WorkshopPlan:
        for schedule in self.schedules:
            missing = [case for case in schedule.cases() if not self.prompts.get(case)]
            if missing:
                raise ValueError(f"schedule {schedule.id!r}: no discussion prompts for {', '.join(missing)}")
        return self


@dataclass(frozen=True)
class CaseRef:
    """Where a case id lives: its quiz, its title and how many questions it has."""

    quiz: str
    case: str
    title: str
    questions: int


def case_index() -> dict[str, CaseRef]:
    """Every case of every quiz, by id (ids are unique across quizzes; a duplicate would make a schedule
    ambiguous, so it is an error)."""
    index: dict[str, CaseRef] = {}
    for quiz_id in available_quizzes():
        for case in load_quiz(quiz_id).cases:
            if case.id in index:
                raise DataError(
                    f"data/quizzes/{quiz_id}.yaml", f"case {case.id}",
                    f"the id is also used in data/quizzes/{index[case.id].quiz}.yaml; "
                    "case ids must be unique",
                )
            index[case.id] = CaseRef(quiz_id, case.id, case.title, len(case.items))
    return index


def load_plan() -> WorkshopPlan:
    """The validated plan, with every case id checked against the quizzes; cached until a file changes."""
    path = data_path(WORKSHOP_FILE)
    quiz_stamps = tuple(file_stamp(data_path(f"quizzes/{q}.yaml")) for q in available_quizzes())
    return _load(file_stamp(path), quiz_stamps)


@lru_cache(maxsize=4)
def _load(stamp: tuple[str, int, int], _quiz_stamps: tuple[tuple[str, int, int], ...]) -> WorkshopPlan:
    plan = load_yaml_model(stamp[0], WorkshopPlan)
    known = case_index()
    referenced = [("prompts", case) for case in plan.prompts] + [
        (f"schedule {s.id}", case) for s in plan.schedules for case in s.cases()
    ]
    for where, case in referenced:
        if case not in known:
            raise DataError(
                f"data/{WORKSHOP_FILE}", where,
                f"no quiz case {case!r}; known cases: {', '.join(sorted(known))}",
            )
    return plan


def schedule(schedule_id: str) -> Schedule:
    plan = load_plan()
    for candidate in plan.schedules:
        if candidate.id == schedule_id:
            return candidate
    raise ValueError(
        f"schedule_id: {schedule_id!r} is not a schedule; allowed: {', '.join(s.id for s in plan.schedules)}"
    )


def _clock(minutes: int, start_minutes: int) -> str:
    total = start_minutes + minutes
    return f"{total // 60:02d}:{total % 60:02d}"


def timed_blocks(item: Schedule, start: str = "09:00") -> Iterator[tuple[str, str, Block]]:
    """Each block with its start and end time of day, the day starting at ``start`` (HH:MM)."""
    hours, _, mins = start.partition(":")
    if not (hours.isdigit() and mins.isdigit() and int(hours) < 24 and int(mins) < 60):
        raise ValueError(f"start: {start!r} is not a time of day; allowed: HH:MM, e.g. '09:00'")
    begin = int(hours) * 60 + int(mins)
    elapsed = 0
    for block in item.blocks:
        yield _clock(elapsed, begin), _clock(elapsed + block.minutes, begin), block
        elapsed += block.minutes


def schedule_html(schedule_id: str, start: str = "09:00") -> str:
    """The schedule as an HTML table: time, block, the cases by title (with their quiz), tools and notes."""
    item, cases = schedule(schedule_id), case_index()
    rows = []
    for begin, end, block in timed_blocks(item, start):
        listed = "".join(
            f"<li>{html.escape(cases[c].title)} <small>({html.escape(cases[c].quiz)} quiz, "
            f"{cases[c].questions} question{'s' if cases[c].questions != 1 else ''})</small></li>"
            for c in block.cases
        )
        what = f"<ul>{listed}</ul>" if listed else ""
        tools = html.escape(", ".join(block.tools))
        rows.append(
            f"<tr><td>{begin}-{end}</td><td><strong>{html.escape(block.title)}</strong> "
            f"({block.minutes} min){what}</td><td>{tools}</td><td>{html.escape(block.notes)}</td></tr>"
        )
    return (
        '<div class="nmd-table-scroll" style="overflow-x:auto"><table class="nmd-schedule">'
        f"<caption>{html.escape(item.title)}: "
        f"{item.total_minutes // 60} h {item.total_minutes % 60:02d} min, starting {start}</caption>"
        "<thead><tr><th scope=\"col\">Time</th><th scope=\"col\">Block and cases</th>"
        "<th scope=\"col\">Tools</th><th scope=\"col\">How to run it</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def prompts_html() -> str:
    """The discussion prompts of every scheduled case, in the order the full day meets them."""
    plan, cases = load_plan(), case_index()
    order = list(dict.fromkeys(case for s in plan.schedules for case in s.cases()))
    order += [case for case in plan.prompts if case not in order]
    items = "".join(
        f"<dt>{html.escape(cases[c].title)} <small>({html.escape(cases[c].quiz)} quiz)</small></dt>"
        + "".join(f"<dd>{html.escape(p)}</dd>" for p in plan.prompts[c])
        for c in order
    )
    return f'<dl class="nmd-prompts">{items}</dl>'


def disagreement_html() -> str:
    """What to do when the room disagrees with the guideline, as an ordered list."""
    steps = "".join(f"<li>{html.escape(step)}</li>" for step in load_plan().disagreement)
    return f"<ol>{steps}</ol>"
