"""Static checks of the myasthenia gravis chapter (book/myasthenia-gravis.md).

Why: the chapter is the course's reference text for MG, so its table of targeted therapies, the places where
sources disagree and its simulator cells must not silently go missing when someone edits it. What every
chapter must have (citations, sections, disclaimer, interactive cells) is in test_chapters_common.py. These
checks read the file only (no execution, no book build).
"""

from __future__ import annotations

import re

from chapter_helpers import chapter_text

MG = "myasthenia_gravis"


def test_targeted_therapy_table_covers_every_approved_biologic() -> None:
    table = chapter_text(MG).split("#### Summary of targeted therapies", 1)[1].split("\n\n", 2)[1]
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
    text = chapter_text(MG)
    assert "18–65" in text and "18–50" in text
    assert "0.0698" in text  # REGAIN primary endpoint
    assert "nowak2022beatmg" in text and "piehl2022rinomax" in text
    assert "could not confirm the regulatory outcome" in text  # ADAPT SERON


def test_code_cells_call_the_trial_and_simulator_api() -> None:
    """The cells every chapter has are checked in test_chapters_common.py; MG also has the simulator."""
    text = chapter_text(MG)
    for call in (
        'replicate_trial("MGTX"',
        "compare_strategies(",
        "plot_comparison(",
        'cohort_simulator_tool("myasthenia_gravis"',
    ):
        assert call in text, call
