"""Static checks of the myasthenia gravis chapter (book/myasthenia-gravis.md).

Why: the book is built with warnings as errors, so an unknown citation key breaks the whole build; and the
chapter is the course's reference text for MG, so the sections the issue asks for must not silently go
missing when someone edits it. These checks read the file only (no execution, no book build).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nmd_immuno.content.bibliography import bibliography_keys

CHAPTER = Path(__file__).resolve().parents[1] / "book" / "myasthenia-gravis.md"
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
    return [
        b
        for b in blocks
        if b
        and not b.startswith(("#", "(", "```", ":", "{{", "|"))
        and len(b) > 200
    ]


def test_chapter_starts_with_jupytext_front_matter() -> None:
    text = _text()
    assert text.startswith("---\njupytext:\n")
    assert "format_name: myst" in text.split("\n---\n", 1)[0]


def test_every_cited_key_is_in_the_bibliography() -> None:
    keys = _cited_keys(_text())
    assert keys, "the chapter cites nothing"
    unknown = sorted(set(keys) - set(bibliography_keys()))
    assert not unknown, f"keys missing from data/references.bib: {unknown}"


def test_every_long_prose_paragraph_cites_a_source() -> None:
    uncited = [p[:80] for p in _prose_paragraphs(_text()) if not CITE_ROLE.search(p)]
    allowed = {
        # Paragraphs that describe the course's own tools, not clinical claims.
        "With a live kernel",
        "**It can** make",
        "**It cannot** tell",
        "This chapter teaches",
        "Treatment decisions in MG",
        "When you read a trial",
        "1. Explain how antibodies",  # learning objectives
        "The course encodes the pathway",
    }
    offenders = [p for p in uncited if not p.startswith(tuple(allowed))]
    assert not offenders, f"paragraphs without a citation: {offenders}"


@pytest.mark.parametrize(
    "heading",
    [
        "Learning objectives",
        "Immunopathology in brief",
        "Antibody subtypes and why they matter for treatment",
        "Measuring the disease and setting a goal",
        "Lines of treatment and their evidence",
        "Summary of targeted therapies",
        "Crisis management",
        "Pregnancy",
        "Thymoma",
        "Older patients",
        "Immune checkpoint inhibitors",
        "The algorithm, step by step",
        "The cohort simulator",
        "Quiz",
    ],
)
def test_required_section_present(heading: str) -> None:
    assert re.search(rf"^#+ .*{re.escape(heading)}", _text(), flags=re.M), heading


def test_educational_use_note_and_live_kernel_notes() -> None:
    text = _text()
    assert "Educational use only" in text
    # One note before each interactive section (algorithm, simulator).
    assert len(re.findall(r"^\{\{ live_kernel_note \}\}$", text, flags=re.M)) >= 2


def test_targeted_therapy_table_covers_every_approved_biologic() -> None:
    table = _text().split("#### Summary of targeted therapies", 1)[1].split("\n\n", 2)[1]
    for drug in (
        "Eculizumab",
        "Ravulizumab",
        "Zilucoplan",
        "Efgartigimod",
        "Rozanolixizumab",
        "Nipocalimab",
        "Inebilizumab",
    ):
        assert re.search(rf"^\| {drug} \|", table, flags=re.M), drug


def test_disagreements_are_stated() -> None:
    text = _text()
    assert "18–65" in text and "18–50" in text
    assert "0.0698" in text  # REGAIN primary endpoint
    assert "nowak2022beatmg" in text and "piehl2022rinomax" in text
    assert "could not confirm the regulatory outcome" in text  # ADAPT SERON


def test_code_cells_call_the_public_api() -> None:
    text = _text()
    for call in (
        'recommend("myasthenia_gravis"',
        'flowchart_svg("myasthenia_gravis"',
        'algorithm_explorer("myasthenia_gravis")',
        'replicate_trial("MGTX"',
        "compare_strategies(",
        "plot_comparison(",
        'cohort_simulator("myasthenia_gravis")',
        'show_quiz("myasthenia_gravis")',
    ):
        assert call in text, call
