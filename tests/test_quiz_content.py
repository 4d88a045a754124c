"""The course's quiz content: citations resolve, coverage required by the course plan, numeric keys agree with
the dose calculators, and the answer key is not guessable from option position, option length or a sentence
pattern that only the key breaks (board-item conventions: one clear best answer, homogeneous options)."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from nmd_immuno.content.bibliography import bibliography_keys, format_reference
from nmd_immuno.quiz import available_quizzes, load_quiz
from nmd_immuno.quiz.schema import Item, Option, Quiz

QUIZZES = ("myasthenia_gravis", "principles")
# The cue checks run over every quiz file, so a new chapter's quiz is held to them without editing this test.
ALL_QUIZZES = available_quizzes()
# A learner who always picks the longest option should win at most about one single-answer item in three.
MAX_LONGEST_KEY_SHARE = 1 / 3
# Key length over mean distractor length above which the key stands out on sight.
MAX_KEY_LENGTH_RATIO = 1.5
# Options that open with the same words share a sentence pattern; three words make a pattern, two rarely do.
PATTERN_WORDS = 3


def text_of(quiz: Quiz) -> str:
    parts: list[str] = []
    for case, item in quiz.items():
        parts += [case.vignette, item.followup, item.stem, item.explanation]
        parts += [option.text + " " + option.explanation for option in item.options]
    return " ".join(parts)


@pytest.mark.parametrize("quiz_id", QUIZZES)
def test_every_item_cites_keys_of_the_bibliography(quiz_id: str) -> None:
    known = bibliography_keys()
    for _, item in load_quiz(quiz_id).items():
        assert item.references, f"{item.id}: no reference"
        for key in item.references:
            assert key in known, f"{item.id}: {key} not in references.bib"
            assert format_reference(key).strip(), f"{key}: empty formatted reference"


def test_myasthenia_quiz_has_at_least_15_items_mostly_in_multistep_cases() -> None:
    quiz = load_quiz("myasthenia_gravis")
    items = list(quiz.items())
    assert len(items) >= 15
    in_multistep = [item for case, item in items if len(case.items) > 1]
    assert len(in_multistep) > len(items) / 2
    assert Counter(item.type for _, item in items)["numeric"] >= 1


@pytest.mark.parametrize("quiz_id", QUIZZES)
def test_later_stages_of_a_case_say_what_happened_next(quiz_id: str) -> None:
    for case in load_quiz(quiz_id).cases:
        for item in case.items[1:]:
            assert item.followup.strip(), f"{item.id}: a later stage of case {case.id} has no follow-up text"


@pytest.mark.parametrize(
    "topic",
    [
        r"MuSK",
        r"thymectomy",
        r"thymoma",
        r"early.{0,20}worsening",
        r"azathioprine",
        r"months",
        r"plasma exchange",
        r"IVIG",
        r"rituximab",
        r"meningococcal",
        r"FcRn",
        r"EPITOME|ocular",
        r"pregnan",
        r"magnesium",
        r"neonatal",
        r"fluoroquinolone|levofloxacin",
        r"checkpoint",
        r"Kaplan",
    ],
)
def test_myasthenia_quiz_covers_the_planned_topics(topic: str) -> None:
    assert re.search(topic, text_of(load_quiz("myasthenia_gravis")), re.IGNORECASE), topic


def test_principles_quiz_covers_drug_classes_and_dosing_safety() -> None:
    quiz = load_quiz("principles")
    assert len(list(quiz.items())) >= 12
    text = text_of(quiz)
    for topic in ("TPMT", "NUDT15", "hepatitis B", "thrombosis", "plasma exchange", "Mosteller", "FcRn"):
        assert topic.lower() in text.lower(), topic
    assert any(item.type == "numeric" and item.unit == "mg" for _, item in quiz.items())


@pytest.mark.parametrize("quiz_id", QUIZZES)
def test_the_key_is_spread_over_option_positions(quiz_id: str) -> None:
    positions = Counter(
        item.correct_indices[0] for _, item in load_quiz(quiz_id).items() if item.type == "single"
    )
    singles = sum(positions.values())
    assert len(positions) >= min(3, singles), positions
    assert max(positions.values()) <= max(2, singles // 2), (
        f"the key sits too often in one position: {positions}"
    )


def test_numeric_keys_agree_with_the_course_calculators() -> None:
    dosing = pytest.importorskip("nmd_immuno.dosing")
    mg = load_quiz("myasthenia_gravis")
    principles = load_quiz("principles")
    # The vignettes give: 70 kg, haematocrit 0.40; 165 cm, 60 kg, 375 mg/m2;
    # 80 kg (BMI 27), 2 g/kg over 5 days.
    volume = mg.item("mg-crisis-plasma-volume")
    assert abs(dosing.estimated_plasma_volume_l(70, 0.40) - volume.answer) <= volume.tolerance
    rituximab = principles.item("pr-rtx-dose")
    per_infusion = dosing.rituximab_dose(
        regimen="375_mg_m2_weekly_x4", height_cm=165, weight_kg=60, hbv_screened=True
    ).mg_per_infusion
    assert abs(per_infusion - rituximab.answer) <= rituximab.tolerance
    ivig = principles.item("pr-ivig-per-day")
    plan = dosing.ivig_dose(80, 172, "female", g_per_kg=2.0, days=5)
    assert plan.weight_basis == "actual"
    assert abs(plan.g_per_day - ivig.answer) <= ivig.tolerance

    # MG, young woman: 60 kg, target 1 mg/kg/day, low start (10 mg), +5 mg every 5 days.
    titration = mg.item("mg-young-steroid-titration")
    steroid = dosing.prednisone_dose(60, mg_per_kg=1.0, start="low")
    step_mg = dosing.dosing_parameters().corticosteroids.prednisone.titration_step_mg.value
    days_to_target = (steroid.daily_mg - steroid.start_mg) / step_mg * 5
    assert abs(days_to_target - titration.answer) <= titration.tolerance
    # MG after a checkpoint inhibitor: 67 years, 75 kg, 178 cm, 2 g/kg over 5 days.
    course = dosing.ivig_dose(75, 178, "male", g_per_kg=2.0, days=5, age=67)
    assert course.weight_basis == "actual"
    assert "age_over_65" in course.risk_factors, "the follow-up says his age is an IVIG risk factor"
    total, per_day = mg.item("mg-checkpoint-ivig-total"), mg.item("mg-checkpoint-ivig-per-day")
    assert abs(course.total_g - total.answer) <= total.tolerance
    assert abs(course.g_per_day - per_day.answer) <= per_day.tolerance

    checked = {
        "mg-crisis-plasma-volume",
        "mg-young-steroid-titration",
        "mg-checkpoint-ivig-total",
        "mg-checkpoint-ivig-per-day",
        "pr-rtx-dose",
        "pr-ivig-per-day",
    }
    numeric = {item.id for quiz in (mg, principles) for _, item in quiz.items() if item.type == "numeric"}
    assert numeric <= checked, f"numeric items without a calculator check: {sorted(numeric - checked)}"


def _lengths(item: Item) -> tuple[list[int], list[int]]:
    """Lengths of the correct options and of the distractors."""
    correct = [len(option.text) for option in item.options if option.correct]
    wrong = [len(option.text) for option in item.options if not option.correct]
    return correct, wrong


def key_is_strictly_longest(item: Item) -> bool:
    """Whether a single-answer item's key is longer than every distractor (ties do not cue the key)."""
    correct, wrong = _lengths(item)
    return correct[0] > max(wrong)


def key_length_ratio(item: Item) -> float:
    """Mean length of the correct option(s) over the mean length of the distractors."""
    correct, wrong = _lengths(item)
    return (sum(correct) / len(correct)) / (sum(wrong) / len(wrong))


def _opening(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"[\w-]+", text.casefold())[:PATTERN_WORDS])


def key_breaks_a_shared_pattern(item: Item) -> bool:
    """Whether every distractor opens with the same words and the key alone does not ("X is indicated...",
    "X is indicated...", "X is indicated...", "X is not recommended": the odd one out is the answer)."""
    (key,) = item.correct_indices
    openings = {_opening(option.text) for i, option in enumerate(item.options) if i != key}
    (shared,) = openings if len(openings) == 1 else (None,)
    return shared is not None and len(shared) == PATTERN_WORDS and _opening(item.options[key].text) != shared


def singles(quiz_id: str) -> list[Item]:
    return [item for _, item in load_quiz(quiz_id).items() if item.type == "single"]


def test_the_cue_checks_flag_an_item_built_with_cues() -> None:
    """The checks below can fail: a key that is both the longest option and the odd one out is caught."""
    cued = Item(
        id="cued",
        type="single",
        stem="What is the best response?",
        options=[
            Option(text="Thymectomy is indicated at her age", explanation="No."),
            Option(text="Thymectomy is indicated if the titre is high", explanation="No."),
            Option(text="Thymectomy is indicated after rituximab", explanation="No."),
            Option(text="Not recommended, as the thymus is usually normal in MuSK myasthenia", correct=True),
        ],
        explanation="Why.",
        references=["sanders2016mg"],
    )
    assert key_is_strictly_longest(cued)
    assert key_length_ratio(cued) > MAX_KEY_LENGTH_RATIO
    assert key_breaks_a_shared_pattern(cued)
    homogeneous = cued.model_copy(
        update={
            "options": [
                Option(text="Agree, since she is under 50", explanation="No."),
                Option(text="Agree, if her MuSK antibody titre is high", explanation="No."),
                Option(text="Defer it until rituximab has failed", explanation="No."),
                Option(text="Advise against it in MuSK myasthenia", correct=True),
            ]
        }
    )
    assert not key_is_strictly_longest(homogeneous)
    assert key_length_ratio(homogeneous) < MAX_KEY_LENGTH_RATIO
    assert not key_breaks_a_shared_pattern(homogeneous)


@pytest.mark.parametrize("quiz_id", ALL_QUIZZES)
def test_the_key_is_seldom_the_longest_option(quiz_id: str) -> None:
    items = singles(quiz_id)
    longest = [item.id for item in items if key_is_strictly_longest(item)]
    assert len(longest) <= max(1, int(MAX_LONGEST_KEY_SHARE * len(items))), (
        f"{quiz_id}: the key is the longest option in {len(longest)} of {len(items)} single-answer items "
        f"(at most a third allowed): {longest}"
    )


@pytest.mark.parametrize("quiz_id", ALL_QUIZZES)
def test_no_key_is_much_longer_than_its_distractors(quiz_id: str) -> None:
    ratios = {
        item.id: round(key_length_ratio(item), 2)
        for _, item in load_quiz(quiz_id).items()
        if item.type != "numeric"
    }
    cued = {item_id: ratio for item_id, ratio in ratios.items() if ratio > MAX_KEY_LENGTH_RATIO}
    assert not cued, (
        f"{quiz_id}: key length / mean distractor length above {MAX_KEY_LENGTH_RATIO}: {cued}; make the "
        "distractors as specific as the key, or move detail from the key into its explanation"
    )


@pytest.mark.parametrize("quiz_id", ALL_QUIZZES)
def test_the_key_is_not_the_odd_one_out_of_a_shared_pattern(quiz_id: str) -> None:
    odd = [item.id for item in singles(quiz_id) if key_breaks_a_shared_pattern(item)]
    assert not odd, f"{quiz_id}: every distractor shares an opening that the key alone breaks: {odd}"
