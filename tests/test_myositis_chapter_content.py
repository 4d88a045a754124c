"""Static checks of the inflammatory myopathies chapter (book/inflammatory-myopathies.md).

Why: the book is built with warnings as errors, so an unknown citation key breaks the whole build; and the
chapter is the course's reference text for myositis, so the sections, the trial results it must state
honestly (RIM's missed primary endpoint, the negative IBM trials) and the interactive cells must not
silently go missing when someone edits it. These checks read the file only (no execution, no book build).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nmd_immuno.content.bibliography import bibliography_keys

CHAPTER = Path(__file__).resolve().parents[1] / "book" / "inflammatory-myopathies.md"
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


def test_chapter_starts_with_jupytext_front_matter() -> None:
    text = _text()
    assert text.startswith("---\njupytext:\n")
    assert "format_name: myst" in text.split("\n---\n", 1)[0]


def test_a_single_title_heading() -> None:
    titles = re.findall(r"^# .+$", _text(), flags=re.M)
    assert titles == ["# Inflammatory myopathies"]


def test_every_cited_key_is_in_the_bibliography() -> None:
    keys = _cited_keys(_text())
    assert keys, "the chapter cites nothing"
    unknown = sorted(set(keys) - set(bibliography_keys()))
    assert not unknown, f"keys missing from data/references.bib: {unknown}"


def test_the_guidelines_and_trials_of_the_course_are_cited() -> None:
    keys = set(_cited_keys(_text()))
    for key in (
        "lundberg2017eular",
        "allenbach2018enmc",
        "oldroyd2023imacs",
        "oldroyd2022bsr",
        "schneider2021asco",
        "aggarwal2022proderm",
        "oddis2013rim",
        "johnson2024acrchest_ild",
        "machado2023arimoclomol",
        "oldroyd2021cancermeta",
    ):
        assert key in keys, key


def test_every_long_prose_paragraph_cites_a_source() -> None:
    uncited = [p[:80] for p in _prose_paragraphs(_text()) if not CITE_ROLE.search(p)]
    allowed = {
        # Paragraphs that describe the course's own tools or policy, not clinical claims.
        "With a live kernel",
        "This chapter teaches",
        "1. Name the myositis",  # learning objectives
        "The course encodes the pathway",
        "Agents reported by 2026",
        "A second patient",  # the chapter's worked examples
    }
    offenders = [p for p in uncited if not p.startswith(tuple(allowed))]
    assert not offenders, f"paragraphs without a citation: {offenders}"


@pytest.mark.parametrize(
    "heading",
    [
        "Learning objectives",
        "Immunopathology in brief",
        "Subtypes and antibodies",
        "Diagnosis essentials",
        "Lines of treatment and their evidence",
        "Corticosteroids",
        "Steroid-sparing agents",
        "IVIG",
        "Rituximab",
        "IMNM",
        "Anti-MDA5",
        "Inclusion body myositis",
        "Checkpoint-inhibitor myositis",
        "Cancer screening",
        "Special situations",
        "Where the sources disagree",
        "The algorithm, step by step",
        "no cohort simulator",
        "Quiz",
        "Key points",
    ],
)
def test_required_section_present(heading: str) -> None:
    assert re.search(rf"^#+ .*{re.escape(heading)}", _text(), flags=re.M), heading


def test_educational_use_note_and_live_kernel_note() -> None:
    text = _text()
    assert "Educational use only" in text and "must never be used to treat a patient" in text
    assert len(re.findall(r"^\{\{ live_kernel_note \}\}$", text, flags=re.M)) >= 1


def test_negative_and_uncertain_results_are_stated() -> None:
    text = _text()
    assert "primary endpoint was not met" in text and "p = 0.74" in text  # RIM
    assert "p = 0.12" in text  # arimoclomol in IBM
    assert "hanna2019resilient" in text  # bimagrumab in IBM
    assert "historical" in text  # anti-MDA5 combination: not randomised
    assert "off label" in text  # JAK inhibitors


def test_no_raw_html_that_loads_anything() -> None:
    assert not re.search(r"<(script|iframe|img|link)\b", _text(), flags=re.I)


def test_code_cells_call_the_public_api() -> None:
    text = _text()
    for call in (
        'recommend("myositis"',
        'flowchart_svg("myositis"',
        'algorithm_explorer("myositis")',
        'show_quiz("myositis")',
    ):
        assert call in text, call
    # Static output for readers without a kernel: every cell but the live explorer hides its input.
    cells = re.findall(r"```\{code-cell\} ipython3\n(.*?)```", text, flags=re.S)
    static = [c for c in cells if c.startswith(":tags: [remove-input]")]
    assert len(static) == len(cells) - 1


def test_quiz_ivig_key_agrees_with_the_dose_calculator() -> None:
    """The quiz's DM patient (64 kg, 162 cm, 58 years) on ProDERM's 2 g/kg, as the calculator says."""
    from nmd_immuno.dosing import ivig_dose
    from nmd_immuno.quiz import load_quiz

    item = load_quiz("myositis").item("myo-dm-ivig-course")
    course = ivig_dose(64, 162, "female", g_per_kg=2.0, days=2, age=58)
    assert course.weight_basis == "actual", "the follow-up says her actual weight is used"
    assert abs(course.total_g - item.answer) <= item.tolerance
