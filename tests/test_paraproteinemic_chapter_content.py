"""Static checks of the paraproteinemic neuropathies chapter (book/paraproteinemic-neuropathies.md) and
its quiz.

Why: the chapter's key sources, its honest reading of the anti-MAG trials and its worked examples (presets
of the pathway) must not silently go missing when someone edits it; and the quiz's numeric key must agree
with the course's dose calculator. What every chapter must have (citations, sections, disclaimer, interactive
cells, quiz size) is in test_chapters_common.py. These checks read the files only (no execution, no book
build).
"""

from __future__ import annotations

import re

import pytest
from chapter_helpers import chapter_text, cited_keys

from nmd_immuno.content.bibliography import bibliography_keys
from nmd_immuno.quiz import load_quiz

PN = "paraproteinemic"


def test_the_key_sources_are_cited() -> None:
    keys = set(cited_keys(chapter_text(PN)))
    assert {
        "efns2010paraproteinemic",
        "dalakas2009antimag",
        "leger2013rimag",
        "cortese2011plex",
        "dispenzieri2019poems",
        "garcia2018canomad",
        "vandenbergh2021cidp",
    } <= keys


def test_the_anti_mag_trials_are_reported_with_their_negative_primary_endpoints() -> None:
    text = chapter_text(PN)
    assert "Where sources disagree" in text
    assert "4 of 13 vs 0 of 13" in text and "p=0.096" in text  # Dalakas 2009, intention to treat
    assert "1.0 ± 2.7 vs 1.0 ± 2.8" in text  # RIMAG primary endpoint


def test_simulator_section_replicates_dalakas_and_shows_rimag_as_published_only() -> None:
    section = chapter_text(PN).split("## The cohort simulator", 1)[1].split("\n## ", 1)[0]
    assert 'replicate_trial("Dalakas-2009"' in section
    assert 'cohort_simulator_tool("paraproteinemic"' in section
    assert "trial_id == 'RIMAG'" in section and "not simulated" in section
    assert "What this simulator can and cannot teach" in section


def test_worked_examples_are_presets_of_the_pathway() -> None:
    from nmd_immuno.engine import preset_patients

    text = chapter_text(PN)
    assert 'preset_patients("paraproteinemic")' in text
    used = set(re.findall(r'cases\["(\w+)"\]', text))
    assert used and used <= set(preset_patients(PN))


# --------------------------------------------------------------------------------------------- quiz


def test_quiz_cites_only_known_keys_and_later_stages_have_followups() -> None:
    known = bibliography_keys()
    quiz = load_quiz(PN)
    for _, item in quiz.items():
        assert item.references and set(item.references) <= known, item.id
    for case in quiz.cases:
        for item in case.items[1:]:
            assert item.followup.strip(), item.id


def test_quiz_explains_every_option() -> None:
    for _, item in load_quiz(PN).items():
        for option in item.options:
            assert option.explanation.strip(), f"{item.id}: {option.text!r} has no explanation"


def test_quiz_rituximab_dose_agrees_with_the_calculator() -> None:
    dosing = pytest.importorskip("nmd_immuno.dosing")
    item = load_quiz(PN).item("pn-mag-rtx-dose")
    # The follow-up gives 178 cm and 80 kg; the regimen is 375 mg/m² weekly × 4.
    assert "178 cm" in item.followup and "80 kg" in item.followup
    dose = dosing.rituximab_dose(
        regimen="375_mg_m2_weekly_x4", height_cm=178, weight_kg=80, hbv_screened=True
    )
    assert abs(dose.mg_per_infusion - item.answer) <= item.tolerance
    total = next(e for e in item.common_errors if "total" in e.explanation)
    assert abs(dose.total_mg - total.value) <= total.tolerance
