"""Static checks of the multifocal motor neuropathy chapter (book/mmn.md) and of its quiz's numeric key.

Why: the book is built with warnings as errors, so an unknown citation key breaks the whole build; and the
chapter is the course's reference text for MMN, so the sections the course plan asks for (including the plain
statement that there is no MMN simulator) must not silently go missing. These checks read the file only (no
execution, no book build); the quiz's numeric IVIG item is checked against the course's dose calculator.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nmd_immuno.content.bibliography import bibliography_keys

CHAPTER = Path(__file__).resolve().parents[1] / "book" / "mmn.md"
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
    assert re.findall(r"^# .+$", text, flags=re.M) == ["# Multifocal motor neuropathy (MMN)"]


def test_every_cited_key_is_in_the_bibliography() -> None:
    keys = _cited_keys(_text())
    assert keys, "the chapter cites nothing"
    unknown = sorted(set(keys) - set(bibliography_keys()))
    assert not unknown, f"keys missing from data/references.bib: {unknown}"


def test_every_long_prose_paragraph_cites_a_source() -> None:
    uncited = [p[:80] for p in _prose_paragraphs(_text()) if not CITE_ROLE.search(p)]
    allowed = (
        # Paragraphs that describe the course's own tools, not clinical claims.
        "This chapter teaches",
        "With a live kernel",
        "The course encodes the pathway",
        "1. Recognise the clinical",  # learning objectives
    )
    offenders = [p for p in uncited if not p.startswith(allowed)]
    assert not offenders, f"paragraphs without a citation: {offenders}"


@pytest.mark.parametrize(
    "heading",
    [
        "Learning objectives",
        "Immunopathology in brief",
        "Diagnosis: what matters for treatment",
        "Lines of treatment and their evidence",
        "IVIG: induction",
        "Maintenance: IVIG or SCIG",
        "What not to give: corticosteroids and plasma exchange",
        "When IVIG is not enough",
        "Where the sources disagree",
        "Special situations",
        "Pregnancy",
        "The algorithm, step by step",
        "Why there is no MMN cohort simulator",
        "Quiz",
        "Key points",
    ],
)
def test_required_section_present(heading: str) -> None:
    assert re.search(rf"^#+ .*{re.escape(heading)}", _text(), flags=re.M), heading


def test_educational_use_note_and_live_kernel_note() -> None:
    text = _text()
    assert "Educational use only" in text
    assert len(re.findall(r"^\{\{ live_kernel_note \}\}$", text, flags=re.M)) >= 1


def test_the_chapter_cites_the_guideline_and_the_immunoglobulin_evidence() -> None:
    keys = set(_cited_keys(_text()))
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
    text = _text()
    assert "78%" in text and "4%" in text  # Cochrane 2005 strength
    assert "3.6%" in text and "4.3%" in text  # SCIG vs IVIG crossover
    assert "ALS" in text and "upper motor neuron" in text.lower()
    assert "no cohort simulator" in text.lower()


def test_no_raw_html_that_loads_anything() -> None:
    assert not re.search(r"<(script|iframe|link|img)\b", _text(), flags=re.I)


def test_code_cells_call_the_public_api() -> None:
    text = _text()
    for call in ('recommend("mmn"', 'flowchart_svg("mmn"', 'algorithm_explorer("mmn")', 'show_quiz("mmn")'):
        assert call in text, call
    assert "simulate_cohort" not in text and "cohort_simulator(" not in text  # no fake simulator


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


def test_quiz_size_and_shape() -> None:
    from nmd_immuno.quiz import load_quiz

    items = list(load_quiz("mmn").items())
    assert len(items) >= 12
    in_multistep = [item for case, item in items if len(case.items) > 1]
    assert len(in_multistep) > len(items) / 2
    assert any(item.type == "numeric" for _, item in items)
