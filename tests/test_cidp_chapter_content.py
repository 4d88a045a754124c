"""Static checks of the CIDP chapter (book/cidp.md) and of its quiz's dose keys.

Why: the book is built with warnings as errors, so an unknown citation key breaks the whole build; and the
chapter is the course's reference text for CIDP, so the required sections, the hedges on unconfirmed trial
figures and the interactive cells must not silently go missing when someone edits it. These checks read the
file only (no execution, no book build); the quiz dose keys are recomputed with the course's calculator.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nmd_immuno.content.bibliography import bibliography_keys
from nmd_immuno.quiz import load_quiz

CHAPTER = Path(__file__).resolve().parents[1] / "book" / "cidp.md"
CITE_ROLE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")


def _text() -> str:
    return CHAPTER.read_text(encoding="utf-8")


def _cited_keys(text: str) -> list[str]:
    return [key.strip() for group in CITE_ROLE.findall(text) for key in group.split(",")]


def _prose_paragraphs(text: str) -> list[str]:
    """Paragraphs of prose outside code cells, front matter and headings."""
    body = text.split("\n---\n", 1)[1]
    body = re.sub(r"```\{code-cell\}.*?```", "", body, flags=re.S)
    blocks = [b.strip() for b in re.split(r"\n\s*\n", body)]
    return [b for b in blocks if b and not b.startswith(("#", "(", "```", ":", "{{", "|")) and len(b) > 200]


def test_chapter_starts_with_jupytext_front_matter_and_one_title() -> None:
    text = _text()
    assert text.startswith("---\njupytext:\n")
    assert "format_name: myst" in text.split("\n---\n", 1)[0]
    titles = re.findall(r"^# .+$", text, flags=re.M)
    assert titles == [
        "# Chronic inflammatory demyelinating polyradiculoneuropathy (CIDP) and autoimmune nodopathies"
    ]


def test_every_cited_key_is_in_the_bibliography() -> None:
    keys = _cited_keys(_text())
    assert len(set(keys)) >= 15, "the chapter cites too few sources"
    unknown = sorted(set(keys) - set(bibliography_keys()))
    assert not unknown, f"keys missing from data/references.bib: {unknown}"


def test_every_long_prose_paragraph_cites_a_source() -> None:
    allowed = (
        "This chapter teaches",  # the disclaimer
        "With a live kernel",
        "The course encodes the pathway",
        "A second example",
        "With a live kernel, choose",
        "1. Name the CIDP variants",  # learning objectives
    )
    uncited = [p[:80] for p in _prose_paragraphs(_text()) if not CITE_ROLE.search(p)]
    offenders = [p for p in uncited if not p.startswith(allowed)]
    assert not offenders, f"paragraphs without a citation: {offenders}"


@pytest.mark.parametrize(
    "heading",
    [
        "Learning objectives",
        "Immunopathology in brief",
        "Diagnosis essentials that matter for treatment",
        "Measuring the response",
        "Lines of treatment and their evidence",
        "Induction: IVIG or corticosteroids",
        "Plasma exchange",
        "Maintenance: IVIG, SCIG, corticosteroids, efgartigimod",
        "Dose reduction and withdrawal",
        "Refractory CIDP",
        "Summary of the key trials",
        "Autoimmune nodopathies",
        "Special situations",
        "Pregnancy",
        "The algorithm, step by step",
        "The cohort simulator",
        "Quiz",
        "Key points",
    ],
)
def test_required_section_present(heading: str) -> None:
    assert re.search(rf"^#+ .*{re.escape(heading)}", _text(), flags=re.M), heading


def test_educational_use_note_and_live_kernel_note() -> None:
    text = _text()
    assert "Educational use only" in text
    # One note before each interactive section (algorithm, simulator).
    assert len(re.findall(r"^\{\{ live_kernel_note \}\}$", text, flags=re.M)) >= 2


def test_every_variant_has_a_row_in_the_variant_table() -> None:
    table = _text().split("| Variant |", 1)[1].split("\n\n", 1)[0]
    for variant in ("Typical CIDP", "Distal CIDP", "Multifocal", "Motor CIDP", "Sensory CIDP"):
        assert re.search(rf"^\| {variant}", table, flags=re.M), variant


def test_checked_trial_figures_and_hedges_are_stated() -> None:
    text = re.sub(r"\s+", " ", _text())  # figures may wrap across lines
    assert "32 of 59 (54%)" in text and "12 of 58 (21%)" in text  # ICE, checked
    assert "0.394" in text and "66.5%" in text  # ADHERE, checked
    assert "10 of 24" in text and "6 of 16" in text  # PREDICT, checked
    assert "28 of 245" in text  # PATH withdrawal, checked
    # PATH, intention to treat (checked): every arm with its count; the post-hoc figure cited to its source.
    assert "36 of 57 (63%)" in text and "22 of 57 (39%)" in text and "19 of 58 (33%)" in text
    assert "{cite}`lewis2020pathplacebo`" in text  # the 19-of-51 placebo figure is from the post-hoc paper
    # Figures marked to_check in data/trials.csv are hedged, not stated as fact.
    assert "not confirmed in the course's sources" in text
    assert "28%" not in text  # ADHERE stage-B relapse on efgartigimod (to_check)


def test_disagreements_are_stated() -> None:
    assert len(re.findall(r"Where sources disagree", _text())) >= 2


def test_code_cells_call_the_public_api() -> None:
    text = _text()
    for call in (
        'recommend("cidp"',
        'flowchart_svg("cidp"',
        'algorithm_explorer("cidp")',
        'show_quiz("cidp")',
        'replicate_trial("ICE"',
        "compare_strategies(",
        'cohort_simulator("cidp")',
    ):
        assert call in text, call


def test_no_raw_html_loads_anything() -> None:
    assert not re.search(r"<(script|iframe|link|img)\b", _text(), flags=re.I)


def test_quiz_dose_keys_agree_with_the_ivig_calculator() -> None:
    """The motor-CIDP case: 65 kg, BMI 23, IVIG 2 g/kg over 5 days: the keys are what the calculator gives."""
    dosing = pytest.importorskip("nmd_immuno.dosing")
    quiz = load_quiz("cidp")
    plan = dosing.ivig_dose(65, 168, "female", g_per_kg=2.0, days=5)
    assert plan.weight_basis == "actual"
    total, per_day = quiz.item("cidp-motor-loading"), quiz.item("cidp-motor-per-day")
    assert abs(plan.total_g - total.answer) <= total.tolerance
    assert abs(plan.g_per_day - per_day.answer) <= per_day.tolerance


def test_quiz_has_enough_items_mostly_in_multistep_cases() -> None:
    items = list(load_quiz("cidp").items())
    assert len(items) >= 12
    assert sum(len(case.items) > 1 for case, _ in items) > len(items) / 2
    assert any(item.type == "numeric" for _, item in items)
