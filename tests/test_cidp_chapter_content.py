"""Static checks of the CIDP chapter (book/cidp.md) and of its quiz's dose keys.

Why: the chapter is the course's reference text for CIDP, so its variant table, the hedges on unconfirmed
trial figures and its simulator cells must not silently go missing when someone edits it. What every chapter
must have (citations, sections, disclaimer, interactive cells, quiz size) is in test_chapters_common.py. These
checks read the file only (no execution, no book build); the quiz dose keys are recomputed with the course's
calculator.
"""

from __future__ import annotations

import re

import pytest
from chapter_helpers import chapter_text

from nmd_immuno.quiz import load_quiz

CIDP = "cidp"


def test_every_variant_has_a_row_in_the_variant_table() -> None:
    table = chapter_text(CIDP).split("| Variant |", 1)[1].split("\n\n", 1)[0]
    for variant in ("Typical CIDP", "Distal CIDP", "Multifocal", "Motor CIDP", "Sensory CIDP"):
        assert re.search(rf"^\| {variant}", table, flags=re.M), variant


def test_checked_trial_figures_and_hedges_are_stated() -> None:
    text = re.sub(r"\s+", " ", chapter_text(CIDP))  # figures may wrap across lines
    assert "32 of 59 (54%)" in text and "12 of 58 (21%)" in text  # ICE, checked
    assert "0.394" in text and "66.5%" in text  # ADHERE, checked
    assert "10 of 24" in text and "6 of 16" in text  # PREDICT, checked
    assert "28 of 245" in text  # PATH withdrawal, checked
    # PATH, intention to treat (checked): every arm with its count; the post-hoc figure cited to its source.
    assert "36 of 57 (63%)" in text and "22 of 57 (39%)" in text and "19 of 58 (33%)" in text
    assert "{cite}`lewis2020pathplacebo`" in text  # the 19-of-51 placebo figure is from the post-hoc paper
    # Figures marked to_check in data/trials.csv are left out, not stated as fact.
    assert "28%" not in text  # ADHERE stage-B relapse on efgartigimod (to_check)
    assert "13%" not in text  # IMC discontinuation on IVIG (to_check)


def test_disagreements_are_stated() -> None:
    assert len(re.findall(r"Where sources disagree", chapter_text(CIDP))) >= 2


def test_code_cells_call_the_trial_and_simulator_api() -> None:
    """The cells every chapter has are checked in test_chapters_common.py; CIDP also has the simulator."""
    text = chapter_text(CIDP)
    for call in ('replicate_trial("ICE"', "compare_strategies(", 'cohort_simulator_tool("cidp"'):
        assert call in text, call


def test_quiz_dose_keys_agree_with_the_ivig_calculator() -> None:
    """The motor-CIDP case: 65 kg, BMI 23, IVIG 2 g/kg over 5 days: the keys are what the calculator gives."""
    dosing = pytest.importorskip("nmd_immuno.dosing")
    quiz = load_quiz("cidp")
    plan = dosing.ivig_dose(65, 168, "female", g_per_kg=2.0, days=5)
    assert plan.weight_basis == "actual"
    total, per_day = quiz.item("cidp-motor-loading"), quiz.item("cidp-motor-per-day")
    assert abs(plan.total_g - total.answer) <= total.tolerance
    assert abs(plan.g_per_day - per_day.answer) <= per_day.tolerance
