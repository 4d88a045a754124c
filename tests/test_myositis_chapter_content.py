"""Static checks of the inflammatory myopathies chapter (book/inflammatory-myopathies.md).

Why: the chapter is the course's reference text for myositis, so its guidelines and the trial results it
must state honestly (RIM's missed primary endpoint, the negative IBM trials) must not silently go missing
when someone edits it. What every chapter must have (citations, sections, disclaimer, interactive cells with
static output, quiz size) is in test_chapters_common.py. These checks read the file only (no execution, no
book build).
"""

from __future__ import annotations

from chapter_helpers import chapter_text, cited_keys

MYO = "myositis"


def test_the_guidelines_and_trials_of_the_course_are_cited() -> None:
    keys = set(cited_keys(chapter_text(MYO)))
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


def test_negative_and_uncertain_results_are_stated() -> None:
    text = chapter_text(MYO)
    assert "primary endpoint was not met" in text and "p = 0.74" in text  # RIM
    assert "p = 0.12" in text  # arimoclomol in IBM
    assert "hanna2019resilient" in text  # bimagrumab in IBM
    assert "historical" in text  # anti-MDA5 combination: not randomised
    assert "off label" in text  # JAK inhibitors


def test_quiz_ivig_key_agrees_with_the_dose_calculator() -> None:
    """The quiz's DM patient (64 kg, 162 cm, 58 years) on ProDERM's 2 g/kg, as the calculator says."""
    from nmd_immuno.dosing import ivig_dose
    from nmd_immuno.quiz import load_quiz

    item = load_quiz("myositis").item("myo-dm-ivig-course")
    course = ivig_dose(64, 162, "female", g_per_kg=2.0, days=2, age=58)
    assert course.weight_basis == "actual", "the follow-up says her actual weight is used"
    assert abs(course.total_g - item.answer) <= item.tolerance
