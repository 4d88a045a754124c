"""What every disorder chapter (book/<chapter>.md) must have, read from the file (no execution, no book).

Why: the book is built with warnings as errors, so an unknown citation key breaks the whole build; and each
chapter is the course's reference text for its disorder, so its sections, its citations, the disclaimer and
the interactive cells (algorithm, flowchart, explorer, quiz) must not silently go missing when someone edits
it. One test for all chapters, so a new chapter is held to the same rules; what only one chapter must say
(its trial figures, its hedges, its quiz keys) stays in tests/test_<disorder>_chapter_content.py.
"""

from __future__ import annotations

import re

import pytest
from chapter_helpers import (
    CITE_ROLE,
    LIVE_KERNEL_NOTE,
    LIVE_WIDGETS,
    chapter_text,
    cited_keys,
    code_cells,
    has_heading,
    hides_input,
    paragraph_line,
    prose_paragraphs,
)
from chapters import DISORDER_CHAPTERS

from nmd_immuno import DISORDERS
from nmd_immuno.content.bibliography import bibliography_keys
from nmd_immuno.quiz import load_quiz

TITLES = {
    "myasthenia_gravis": "Myasthenia gravis",
    "cidp": "Chronic inflammatory demyelinating polyradiculoneuropathy (CIDP) and autoimmune nodopathies",
    "mmn": "Multifocal motor neuropathy (MMN)",
    "paraproteinemic": "Paraproteinemic neuropathies",
    "myositis": "Inflammatory myopathies",
}
# The fewest distinct sources a chapter may cite (1: it cites something).
MIN_CITED_SOURCES = {"cidp": 15}
# Long paragraphs allowed without a citation, by their opening: they describe the course's own tools, the
# chapter's aims or its worked examples, not clinical claims.
UNCITED_OPENINGS = {
    "myasthenia_gravis": (
        "With a live kernel",
        "**It can** make",
        "**It cannot** tell",
        "This chapter teaches",
        "Treatment decisions in MG",
        "When you read a trial",
        "1. Explain how antibodies",  # learning objectives
        "The course encodes the pathway",
    ),
    "cidp": (
        "This chapter teaches",  # the disclaimer
        "With a live kernel",
        "The course encodes the pathway",
        "A second example",
        "1. Name the CIDP variants",  # learning objectives
        "*A 30-year-old man with a severe",  # a "Check yourself" question; its answer below cites
    ),
    "mmn": (
        "This chapter teaches",
        "With a live kernel",
        "The course encodes the pathway",
        "1. Recognise the clinical",  # learning objectives
    ),
    "paraproteinemic": (
        "This chapter teaches",  # the disclaimer
        "By the end of this chapter",
        "1. Say why every patient",
        "The course encodes the pathway",
        "With a live kernel",
        "Now the same man",
        "The second worked example",
    ),
    "myositis": (
        "With a live kernel",
        "This chapter teaches",
        "1. Name the myositis",  # learning objectives
        "The course encodes the pathway",
        "Agents reported by 2026",
        "A second patient",  # the chapter's worked examples
    ),
}
REQUIRED_SECTIONS = {
    "myasthenia_gravis": [
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
    "cidp": [
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
    "mmn": [
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
        "The cohort simulator",
        "Quiz",
        "Key points",
    ],
    "paraproteinemic": [
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
    "myositis": [
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
        "The cohort simulator",
        "Quiz",
        "Key points",
    ],
}


def test_every_disorder_has_a_chapter_and_its_expectations() -> None:
    assert set(DISORDER_CHAPTERS) == set(DISORDERS)
    assert set(TITLES) == set(UNCITED_OPENINGS) == set(REQUIRED_SECTIONS) == set(DISORDERS)


@pytest.mark.parametrize("disorder", DISORDERS)
def test_chapter_starts_with_jupytext_front_matter(disorder: str) -> None:
    text = chapter_text(disorder)
    assert text.startswith("---\njupytext:\n")
    assert "format_name: myst" in text.split("\n---\n", 1)[0]


@pytest.mark.parametrize("disorder", DISORDERS)
def test_a_single_title_heading(disorder: str) -> None:
    assert re.findall(r"^# .+$", chapter_text(disorder), flags=re.M) == [f"# {TITLES[disorder]}"]


@pytest.mark.parametrize("disorder", DISORDERS)
def test_every_cited_key_is_in_the_bibliography(disorder: str) -> None:
    keys = cited_keys(chapter_text(disorder))
    assert len(set(keys)) >= MIN_CITED_SOURCES.get(disorder, 1), "the chapter cites too few sources"
    unknown = sorted(set(keys) - set(bibliography_keys()))
    assert not unknown, f"keys missing from data/references.bib: {unknown}"


@pytest.mark.parametrize("disorder", DISORDERS)
def test_every_long_prose_paragraph_cites_a_source(disorder: str) -> None:
    text = chapter_text(disorder)
    uncited = [p for p in prose_paragraphs(text) if not CITE_ROLE.search(p)]
    offenders = [
        f"{DISORDER_CHAPTERS[disorder]}.md:{paragraph_line(text, p)}: {p[:80]}"
        for p in uncited
        if not p.startswith(UNCITED_OPENINGS[disorder])
    ]
    assert not offenders, f"paragraphs without a citation: {offenders}"


def test_paragraphs_inside_directives_are_checked_too() -> None:
    """An admonition's first paragraph shares its block with the directive line: it must still be read."""
    claim = "Give drug X at 5 mg/kg" + " because the trials say so" * 10
    front = "---\njupytext: {}\n---\n\n"
    text = front + f"```{{admonition}} Dose\n:class: tip\n{claim}\n```\n\n:::{{note}}\n{claim}\n:::\n"
    assert prose_paragraphs(text) == [claim, claim]


@pytest.mark.parametrize(
    ("disorder", "heading"),
    [(disorder, heading) for disorder in DISORDERS for heading in REQUIRED_SECTIONS[disorder]],
)
def test_required_section_present(disorder: str, heading: str) -> None:
    assert has_heading(chapter_text(disorder), heading), heading


@pytest.mark.parametrize("disorder", DISORDERS)
def test_educational_use_note_and_live_kernel_notes(disorder: str) -> None:
    """The disclaimer, and a live-kernel note before each live widget (explorer, and simulator if any)."""
    text = chapter_text(disorder)
    assert "Educational use only" in text and "must never be used to treat a patient" in text
    live = [cell for cell in code_cells(text) if not hides_input(cell)]
    assert live, "no live widget"
    assert len(LIVE_KERNEL_NOTE.findall(text)) >= len(live)


@pytest.mark.parametrize("disorder", DISORDERS)
def test_no_raw_html_loads_anything(disorder: str) -> None:
    assert not re.search(r"<(script|iframe|link|img)\b", chapter_text(disorder), flags=re.I)


@pytest.mark.parametrize("disorder", DISORDERS)
def test_code_cells_call_the_public_api(disorder: str) -> None:
    """The worked example, the flowchart, the explorer and the quiz: the cells every chapter has."""
    text = chapter_text(disorder)
    for call in (
        f'recommend("{disorder}"',
        f'flowchart_html("{disorder}"',
        f'explorer_tool("{disorder}")',  # one tool: live widget with a kernel, browser explorer in the book
        f'show_quiz("{disorder}")',
    ):
        assert call in text, call


@pytest.mark.parametrize("disorder", DISORDERS)
def test_each_chapter_shows_one_explorer(disorder: str) -> None:
    """Each tool once: one explorer cell, no frozen widget explorer beside a browser one."""
    cells = code_cells(chapter_text(disorder))
    assert sum("explorer_tool(" in cell for cell in cells) == 1
    assert not any("algorithm_explorer(" in cell or "static_explorer(" in cell for cell in cells)


@pytest.mark.parametrize("disorder", DISORDERS)
def test_only_live_widgets_show_their_code(disorder: str) -> None:
    """Static output for readers without a kernel: every cell but a live widget's hides its input."""
    for cell in code_cells(chapter_text(disorder)):
        is_widget = any(widget in cell for widget in LIVE_WIDGETS)
        assert hides_input(cell) is not is_widget, cell[:120]


@pytest.mark.parametrize("disorder", DISORDERS)
def test_quiz_has_enough_items_mostly_in_multistep_cases(disorder: str) -> None:
    items = list(load_quiz(disorder).items())
    assert len(items) >= 12
    in_multistep = [item for case, item in items if len(case.items) > 1]
    assert len(in_multistep) > len(items) / 2
    assert any(item.type == "numeric" for _, item in items)
