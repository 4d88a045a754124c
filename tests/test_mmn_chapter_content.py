"""Static checks of the multifocal motor neuropathy chapter (book/mmn.md) and of its quiz's numeric key.

Why: the chapter is the course's reference text for MMN, so its key sources, its trial figures and the plain
statement that there is no MMN simulator must not silently go missing. What every chapter must have
(citations, sections, disclaimer, interactive cells, quiz size) is in test_chapters_common.py. These checks
read the file only (no execution, no book build); the quiz's numeric IVIG item is checked against the
course's dose calculator.
"""

from __future__ import annotations

import pytest
from chapter_helpers import chapter_text, cited_keys

MMN = "mmn"


def test_the_chapter_cites_the_guideline_and_the_immunoglobulin_evidence() -> None:
    keys = set(cited_keys(chapter_text(MMN)))
    for key in (
        "efns2010mmn",
        "vanschaik2005mmncochrane",
        "keddie2022mmncochrane",
        "hahn2013mmnivig",
        "harbo2009scigmmn",
        "chaudhry2010rituximabmmn",
    ):
        assert key in keys, key


def test_trial_figures_and_the_als_distinction_are_stated() -> None:
    text = chapter_text(MMN)
    assert "78%" in text and "4%" in text  # Cochrane 2005 strength
    assert "3.6%" in text and "4.3%" in text  # SCIG vs IVIG crossover
    assert "ALS" in text and "upper motor neuron" in text.lower()


def test_simulator_section_replicates_the_crossover_trials_and_states_its_limits() -> None:
    section = chapter_text(MMN).split("## The cohort simulator", 1)[1].split("\n## ", 1)[0]
    assert 'replicate_trial("Cochrane-MMN-2005"' in section
    assert 'cohort_simulator_tool("mmn"' in section
    assert "What this simulator can and cannot teach" in section
    assert "teaching assumption" in section


def test_quiz_numeric_ivig_key_agrees_with_the_dose_calculator() -> None:
    dosing = pytest.importorskip("nmd_immuno.dosing")
    from nmd_immuno.quiz import load_quiz

    quiz = load_quiz("mmn")
    item = quiz.item("mmn-new-ivig-total")
    # The vignette: 75 kg, 172 cm, man; follow-up: 2 g/kg on actual weight over 5 days.
    course = dosing.ivig_dose(75, 172, "male", g_per_kg=2.0, days=5)
    assert course.weight_basis == "actual"
    assert abs(course.total_g - item.answer) <= item.tolerance
    assert any(abs(course.g_per_day - e.value) <= e.tolerance for e in item.common_errors), "per-day error"
