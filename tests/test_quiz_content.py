"""The course's quiz content: citations resolve, coverage required by the course plan, numeric keys agree with
the dose calculators, and the answer key is not guessable from option position."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from nmd_immuno.content.bibliography import bibliography_keys, format_reference
from nmd_immuno.quiz import load_quiz
from nmd_immuno.quiz.schema import Quiz

QUIZZES = ("myasthenia_gravis", "principles")


def text_of(quiz: Quiz) -> str:
    parts: list[str] = []
    for case, item in quiz.items():
        parts += [case.vignette, item.followup, item.stem, item.explanation]
        parts += [option.text + " " + option.explanation for option in item.options]
    return " ".join(parts)


@pytest.mark.parametrize("quiz_id", QUIZZES)
def test_every_item_cites_keys_of_the_bibliography(quiz_id: str) -> None:
    known = bibliography_keys()
    for _, item in load_quiz(quiz_id).items():
        assert item.references, f"{item.id}: no reference"
        for key in item.references:
            assert key in known, f"{item.id}: {key} not in references.bib"
            assert format_reference(key).strip(), f"{key}: empty formatted reference"


def test_myasthenia_quiz_has_at_least_15_items_mostly_in_multistep_cases() -> None:
    quiz = load_quiz("myasthenia_gravis")
    items = list(quiz.items())
    assert len(items) >= 15
    in_multistep = [item for case, item in items if len(case.items) > 1]
    assert len(in_multistep) > len(items) / 2
    assert Counter(item.type for _, item in items)["numeric"] >= 1


@pytest.mark.parametrize("quiz_id", QUIZZES)
def test_later_stages_of_a_case_say_what_happened_next(quiz_id: str) -> None:
    for case in load_quiz(quiz_id).cases:
        for item in case.items[1:]:
            assert item.followup.strip(), f"{item.id}: a later stage of case {case.id} has no follow-up text"


@pytest.mark.parametrize(
    "topic",
    [
        r"MuSK",
        r"thymectomy",
        r"thymoma",
        r"early.{0,20}worsening",
        r"azathioprine",
        r"months",
        r"plasma exchange",
        r"IVIG",
        r"rituximab",
        r"meningococcal",
        r"FcRn",
        r"EPITOME|ocular",
        r"pregnan",
        r"magnesium",
        r"neonatal",
        r"fluoroquinolone|levofloxacin",
        r"checkpoint",
        r"Kaplan",
    ],
)
def test_myasthenia_quiz_covers_the_planned_topics(topic: str) -> None:
    assert re.search(topic, text_of(load_quiz("myasthenia_gravis")), re.IGNORECASE), topic


def test_principles_quiz_covers_drug_classes_and_dosing_safety() -> None:
    quiz = load_quiz("principles")
    assert 5 <= len(list(quiz.items())) <= 8
    text = text_of(quiz)
    for topic in ("TPMT", "NUDT15", "hepatitis B", "thrombosis", "plasma exchange", "Mosteller", "FcRn"):
        assert topic.lower() in text.lower(), topic
    assert any(item.type == "numeric" and item.unit == "mg" for _, item in quiz.items())


@pytest.mark.parametrize("quiz_id", QUIZZES)
def test_the_key_is_spread_over_option_positions(quiz_id: str) -> None:
    positions = Counter(
        item.correct_indices[0] for _, item in load_quiz(quiz_id).items() if item.type == "single"
    )
    singles = sum(positions.values())
    assert len(positions) >= min(3, singles), positions
    assert max(positions.values()) <= max(2, singles // 2), (
        f"the key sits too often in one position: {positions}"
    )


def test_numeric_keys_agree_with_the_course_calculators() -> None:
    dosing = pytest.importorskip("nmd_immuno.dosing")
    mg = load_quiz("myasthenia_gravis")
    principles = load_quiz("principles")
    # The vignettes give: 70 kg, haematocrit 0.40; 165 cm, 60 kg, 375 mg/m2;
    # 80 kg (BMI 27), 2 g/kg over 5 days.
    volume = mg.item("mg-crisis-plasma-volume")
    assert abs(dosing.estimated_plasma_volume_l(70, 0.40) - volume.answer) <= volume.tolerance
    rituximab = principles.item("pr-rtx-dose")
    per_infusion = dosing.rituximab_dose(
        regimen="375_mg_m2_weekly_x4", height_cm=165, weight_kg=60, hbv_screened=True
    ).mg_per_infusion
    assert abs(per_infusion - rituximab.answer) <= rituximab.tolerance
    ivig = principles.item("pr-ivig-per-day")
    plan = dosing.ivig_dose(80, 172, "female", g_per_kg=2.0, days=5)
    assert plan.weight_basis == "actual"
    assert abs(plan.g_per_day - ivig.answer) <= ivig.tolerance
