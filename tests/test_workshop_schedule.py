"""The facilitator's plan (data/workshop.yaml): schedules that fit their time, cases that exist in the
quizzes, prompts for every scheduled case, and clear errors when a workshop lead's edit breaks one of them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from nmd_immuno.errors import DataError
from nmd_immuno.paths import data_dir
from nmd_immuno.workshop.schedule import (
    case_index,
    disagreement_html,
    load_plan,
    prompts_html,
    schedule,
    schedule_html,
    timed_blocks,
)


def test_the_course_ships_a_three_hour_and_a_full_day_schedule() -> None:
    plan = load_plan()
    lengths = {s.id: s.total_minutes for s in plan.schedules}
    assert lengths == {"three-hour": 180, "full-day": 480}
    for item in plan.schedules:
        assert sum(b.minutes for b in item.blocks) == item.total_minutes
        kinds = [b.kind for b in item.blocks]
        assert kinds[0] == "setup" and kinds[-1] == "wrap-up" and "break" in kinds


def test_every_disorder_quiz_is_used_in_the_full_day() -> None:
    cases = case_index()
    used = {cases[c].quiz for c in schedule("full-day").cases()}
    assert used == set(q.quiz for q in cases.values())


def test_scheduled_cases_exist_and_each_has_a_question_for_the_room() -> None:
    plan, cases = load_plan(), case_index()
    for item in plan.schedules:
        for case in item.cases():
            assert case in cases
            assert all(p.strip().endswith("?") for p in plan.prompts[case]), case


def test_timed_blocks_run_back_to_back_from_the_start() -> None:
    blocks = list(timed_blocks(schedule("three-hour"), start="13:30"))
    assert blocks[0][0] == "13:30" and blocks[-1][1] == "16:30"
    assert all(blocks[i][1] == blocks[i + 1][0] for i in range(len(blocks) - 1))
    with pytest.raises(ValueError, match=r"start: '25:00' is not a time of day; allowed: HH:MM"):
        list(timed_blocks(schedule("three-hour"), start="25:00"))


def test_rendered_guide_names_cases_by_title_and_escapes_text() -> None:
    cases = case_index()
    table = schedule_html("three-hour")
    for case in schedule("three-hour").cases():
        assert cases[case].title.replace('"', "&quot;") in table
    assert table.count("<tr>") == len(schedule("three-hour").blocks) + 1
    prompts = prompts_html()
    assert prompts.count("<dt>") == len(load_plan().prompts)
    assert disagreement_html().startswith("<ol><li>")
    allowed = r"schedule_id: 'weekend' is not a schedule; allowed: three-hour, full-day"
    with pytest.raises(ValueError, match=allowed):
        schedule_html("weekend")


@pytest.fixture
def data_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of data/ that a test may break (NMD_IMMUNO_DATA points the loaders at it)."""
    copy = tmp_path / "data"
    shutil.copytree(data_dir(), copy)
    monkeypatch.setenv("NMD_IMMUNO_DATA", str(copy))
    return copy


def edit_plan(data: Path, change) -> None:
    path = data / "workshop.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(raw)
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")


def test_a_block_added_without_changing_the_length_is_refused(data_copy: Path) -> None:
    edit_plan(data_copy, lambda raw: raw["schedules"][0]["blocks"].insert(1, {
        "title": "Extra break", "minutes": 5, "kind": "break"}))
    with pytest.raises(DataError, match=r"the blocks add up to 185 minutes; total_minutes says 180"):
        load_plan()


def test_a_case_that_no_quiz_has_is_refused_with_the_known_ones(data_copy: Path) -> None:
    def rename(raw: dict) -> None:
        raw["schedules"][0]["blocks"][2]["cases"][0] = "mg-young"
        raw["prompts"]["mg-young"] = ["Why?"]

    edit_plan(data_copy, rename)
    with pytest.raises(DataError, match=r"no quiz case 'mg-young'; known cases: .*mg-young-gmg"):
        load_plan()


def test_a_scheduled_case_without_prompts_is_refused(data_copy: Path) -> None:
    edit_plan(data_copy, lambda raw: raw["prompts"].pop("mg-crisis"))
    with pytest.raises(DataError, match=r"no discussion prompts for mg-crisis"):
        load_plan()


def test_a_case_id_used_by_two_quizzes_is_refused(data_copy: Path) -> None:
    path = data_copy / "quizzes" / "mmn.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["cases"][0]["id"] = "mg-crisis"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    with pytest.raises(DataError, match=r"case ids must be unique"):
        load_plan()
