"""Static checks of the paraproteinemic neuropathies chapter (book/paraproteinemic-neuropathies.md) and
its quiz.

Why: the book is built with warnings as errors, so an unknown citation key breaks the whole build; the
chapter's sections, its honest reading of the anti-MAG trials and its interactive cells must not silently go
missing when someone edits it; and the quiz's numeric key must agree with the course's dose calculator. These
checks read the files only (no execution, no book build).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nmd_immuno.content.bibliography import bibliography_keys
from nmd_immuno.quiz import load_quiz

CHAPTER = Path(__file__).resolve().parents[1] / "book" / "paraproteinemic-neuropathies.md"
CITE_ROLE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")
PN = "paraproteinemic"


def _text() -> str:
    return CHAPTER.read_text(encoding="utf-8")


def _cited_keys(text: str) -> list[str]:
    return [key.strip() for group in CITE_ROLE.findall(text) for key in group.split(",")]


def _prose_paragraphs(text: str) -> list[str]:
    """Paragraphs of prose outside code cells, front matter, headings and tables."""
    body = text.split("\n---\n", 1)[1]
    body = re.sub(r"```\{code-cell\}.*?```", "", body, flags=re.S)
    blocks = [b.strip() for b in re.split(r"\n\s*\n", body)]
    return [b for b in blocks if b and not b.startswith(("#", "(", "```", ":", "{{", "|")) and len(b) > 200]


def test_chapter_starts_with_jupytext_front_matter_and_one_title() -> None:
    text = _text()
    assert text.startswith("---\njupytext:\n")
    assert "format_name: myst" in text.split("\n---\n", 1)[0]
    assert re.findall(r"^# .+$", text, flags=re.M) == ["# Paraproteinemic neuropathies"]


def test_every_cited_key_is_in_the_bibliography() -> None:
    keys = _cited_keys(_text())
    assert keys, "the chapter cites nothing"
    unknown = sorted(set(keys) - set(bibliography_keys()))
    assert not unknown, f"keys missing from data/references.bib: {unknown}"


def test_every_long_prose_paragraph_cites_a_source() -> None:
    uncited = [p[:80] for p in _prose_paragraphs(_text()) if not CITE_ROLE.search(p)]
    allowed = (
        # Paragraphs that describe the course's own tools or the chapter's aims, not clinical claims.
        "By the end of this chapter",
        "1. Say why every patient",
        "The course encodes the pathway",
        "With a live kernel",
        "Now the same man",
        "The second worked example",
    )
    offenders = [p for p in uncited if not p.startswith(allowed)]
    assert not offenders, f"paragraphs without a citation: {offenders}"


def test_the_key_sources_are_cited() -> None:
    keys = set(_cited_keys(_text()))
    assert {
        "efns2010paraproteinemic",
        "dalakas2009antimag",
        "leger2013rimag",
        "cortese2011plex",
        "dispenzieri2019poems",
        "garcia2018canomad",
        "vandenbergh2021cidp",
    } <= keys


@pytest.mark.parametrize(
    "heading",
    [
        "Learning objectives",
        "Immunopathology in brief",
        "Diagnosis essentials that matter for treatment",
        "Lines of treatment and their evidence",
        "IgM neuropathy with anti-MAG antibodies",
        "IgG or IgA MGUS",
        "POEMS syndrome",
        "CANOMAD",
        "haematological malignancy",
        "Special situations",
        'CIDP" that does not respond to IVIG',
        "The algorithm, step by step",
        "The cohort simulator",
        "Quiz",
        "Key points",
    ],
)
def test_required_section_present(heading: str) -> None:
    assert re.search(rf"^#+ .*{re.escape(heading)}", _text(), flags=re.M | re.I), heading


def test_educational_use_note_and_live_kernel_note() -> None:
    text = _text()
    assert "Educational use only" in text
    assert len(re.findall(r"^\{\{ live_kernel_note \}\}$", text, flags=re.M)) >= 1


def test_the_anti_mag_trials_are_reported_with_their_negative_primary_endpoints() -> None:
    text = _text()
    assert "Where sources disagree" in text
    assert "4 of 13 vs 0 of 13" in text and "p=0.096" in text  # Dalakas 2009, intention to treat
    assert "1.0 ± 2.7 vs 1.0 ± 2.8" in text  # RIMAG primary endpoint


def test_chapter_says_why_there_is_no_simulator() -> None:
    section = _text().split("## The cohort simulator", 1)[1].split("\n## ", 1)[0]
    assert "no cohort simulator" in section
    assert "cohort_simulator(" not in _text()


def test_no_raw_html_that_loads_anything() -> None:
    assert not re.search(r"<(script|iframe|img|link)\b", _text(), flags=re.I)


def test_code_cells_call_the_public_api() -> None:
    text = _text()
    for call in (
        'recommend("paraproteinemic"',
        'flowchart_svg("paraproteinemic"',
        'algorithm_explorer("paraproteinemic")',
        'show_quiz("paraproteinemic")',
        'preset_patients("paraproteinemic")',
    ):
        assert call in text, call


def test_worked_examples_are_presets_of_the_pathway() -> None:
    from nmd_immuno.engine import preset_patients

    used = set(re.findall(r'cases\["(\w+)"\]', _text()))
    assert used and used <= set(preset_patients(PN))


# --------------------------------------------------------------------------------------------- quiz


def test_quiz_has_at_least_12_items_mostly_in_multistep_cases() -> None:
    items = list(load_quiz(PN).items())
    assert len(items) >= 12
    in_multistep = [item for case, item in items if len(case.items) > 1]
    assert len(in_multistep) > len(items) / 2
    assert any(item.type == "numeric" for _, item in items)


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
