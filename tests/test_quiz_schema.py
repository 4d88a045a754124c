"""The quiz schema accepts a well-formed file and refuses every board-item convention violation.

Each broken file is written into a scratch data folder (``NMD_IMMUNO_DATA``), and the error must name the
file, the case/item where the fault is, and the fault itself: that is what an author editing YAML needs.
"""

from __future__ import annotations

import copy
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from nmd_immuno.errors import DataError
from nmd_immuno.paths import REPO_ROOT
from nmd_immuno.quiz import available_quizzes, load_quiz
from nmd_immuno.quiz.schema import MAX_OPTIONS, MIN_OPTIONS

FILE = "data/quizzes/sample.yaml"


def _options(correct: tuple[int, ...] = (0,)) -> list[dict[str, Any]]:
    names = ["Alpha", "Beta", "Gamma", "Delta"]
    return [
        {"text": name, "correct": index in correct, "explanation": f"{name} explained."}
        for index, name in enumerate(names)
    ]


def valid_quiz() -> dict[str, Any]:
    """A small quiz that follows every convention: one case, a single, a multiple and a numeric item."""
    return {
        "id": "sample",
        "title": "Sample quiz",
        "cases": [
            {
                "id": "case-a",
                "title": "A case",
                "vignette": "A patient comes to clinic.",
                "items": [
                    {
                        "id": "a-single",
                        "type": "single",
                        "stem": "Which one is best?",
                        "options": _options((0,)),
                        "explanation": "Because.",
                        "references": ["sanders2016mg"],
                    },
                    {
                        "id": "a-multiple",
                        "type": "multiple",
                        "followup": "Three months later...",
                        "stem": "Which two apply? Select TWO.",
                        "options": _options((1, 2)),
                        "explanation": "Because.",
                        "references": ["sanders2016mg", "wolfe2016mgtx"],
                    },
                    {
                        "id": "a-numeric",
                        "type": "numeric",
                        "stem": "How many litres?",
                        "answer": 2.94,
                        "tolerance": 0.05,
                        "unit": "L",
                        "common_errors": [
                            {"value": 4.9, "tolerance": 0.05, "explanation": "Forgot (1 - Hct)."}
                        ],
                        "explanation": "0.07 x 70 x 0.6.",
                        "references": ["kaplan1990plex"],
                    },
                ],
            }
        ],
    }


@pytest.fixture
def data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scratch ``data/`` with the real bibliography, selected through ``NMD_IMMUNO_DATA``."""
    (tmp_path / "quizzes").mkdir()
    shutil.copy(REPO_ROOT / "data" / "references.bib", tmp_path / "references.bib")
    monkeypatch.setenv("NMD_IMMUNO_DATA", str(tmp_path))
    return tmp_path


def write(folder: Path, content: dict[str, Any] | str, name: str = "sample") -> None:
    text = (
        content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False, allow_unicode=True)
    )
    (folder / "quizzes" / f"{name}.yaml").write_text(text, encoding="utf-8")


def item(quiz: dict[str, Any], item_id: str) -> dict[str, Any]:
    return next(i for case in quiz["cases"] for i in case["items"] if i["id"] == item_id)


def test_the_sample_quiz_loads(data_folder: Path) -> None:
    write(data_folder, valid_quiz())
    quiz = load_quiz("sample")
    assert [i.id for _, i in quiz.items()] == ["a-single", "a-multiple", "a-numeric"]
    assert quiz.item("a-multiple").correct_indices == (1, 2)
    assert quiz.item("a-numeric").answer == pytest.approx(2.94)
    assert available_quizzes() == ["sample"]


@pytest.mark.parametrize("quiz_id", ["myasthenia_gravis", "principles"])
def test_the_course_quizzes_load(quiz_id: str) -> None:
    quiz = load_quiz(quiz_id)
    assert quiz.id == quiz_id
    assert list(quiz.items())


def _set(item_id: str, **changes: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(quiz: dict[str, Any]) -> None:
        item(quiz, item_id).update(changes)

    return mutate


def _option(item_id: str, index: int, **changes: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(quiz: dict[str, Any]) -> None:
        item(quiz, item_id)["options"][index].update(changes)

    return mutate


def _duplicate_id(quiz: dict[str, Any]) -> None:
    item(quiz, "a-numeric")["id"] = "a-single"


def _drop_option_explanation(quiz: dict[str, Any]) -> None:
    del item(quiz, "a-single")["options"][1]["explanation"]


def _misspelt_key(quiz: dict[str, Any]) -> None:
    single = item(quiz, "a-single")
    single["explanaton"] = single.pop("explanation")


def _too_few_options(quiz: dict[str, Any]) -> None:
    item(quiz, "a-single")["options"] = _options((0,))[: MIN_OPTIONS - 1]


def _too_many_options(quiz: dict[str, Any]) -> None:
    extra = [{"text": f"Extra {n}", "explanation": "No."} for n in range(MAX_OPTIONS)]
    item(quiz, "a-single")["options"] = _options((0,)) + extra


VIOLATIONS: list[tuple[str, Callable[[dict[str, Any]], None], str, str]] = [
    # (name, mutation, expected location, expected fault)
    (
        "two correct in single",
        _option("a-single", 1, correct=True),
        "items[a-single]",
        "exactly one correct option, found 2",
    ),
    (
        "no correct in single",
        _option("a-single", 0, correct=False),
        "items[a-single]",
        "exactly one correct option, found 0",
    ),
    (
        "one correct in multiple",
        _option("a-multiple", 2, correct=False),
        "items[a-multiple]",
        "at least two correct",
    ),
    (
        "all correct in multiple",
        lambda q: [o.update(correct=True) for o in item(q, "a-multiple")["options"]],
        "items[a-multiple]",
        "needs a wrong option",
    ),
    (
        "multiple stem without instruction",
        _set("a-multiple", stem="Which apply?"),
        "items[a-multiple]",
        "must say 'Select all that apply'",
    ),
    (
        "Select TWO with three correct",
        _option("a-multiple", 3, correct=True),
        "items[a-multiple]",
        "says 'Select TWO' but 3 options are correct",
    ),
    (
        "single stem asks for several",
        _set("a-single", stem="Which apply? Select all that apply."),
        "items[a-single]",
        "asks to select several",
    ),
    (
        "all of the above",
        _option("a-single", 3, text="All of the above"),
        "items[a-single]",
        "composite option",
    ),
    (
        "none of the above",
        _option("a-single", 2, text="None of the above."),
        "items[a-single]",
        "composite option",
    ),
    ("both A and B", _option("a-multiple", 0, text="Both A and C"), "items[a-multiple]", "composite option"),
    (
        "duplicate option",
        _option("a-single", 3, text="  alpha. "),
        "items[a-single]",
        "option D: duplicate of option A",
    ),
    ("duplicate id", _duplicate_id, "(top level)", "duplicate id 'a-single'"),
    (
        "wrong option without explanation",
        _drop_option_explanation,
        "items[a-single]",
        "option B: a wrong option needs an explanation",
    ),
    (
        "blank explanation of a wrong option",
        _option("a-single", 2, explanation="   "),
        "items[a-single]",
        "option C: a wrong option needs an explanation",
    ),
    ("negative tolerance", _set("a-numeric", tolerance=-0.1), "items[a-numeric]", "tolerance must be >= 0"),
    ("numeric without unit", _set("a-numeric", unit=None), "items[a-numeric]", "needs unit"),
    ("numeric without answer", _set("a-numeric", answer=None), "items[a-numeric]", "needs answer"),
    ("numeric with options", _set("a-numeric", options=_options()), "items[a-numeric]", "not 'options'"),
    ("infinite answer", _set("a-numeric", answer=float("inf")), "items[a-numeric].answer", "finite"),
    (
        "common error inside the accepted range",
        _set("a-numeric", common_errors=[{"value": 2.95, "explanation": "x"}]),
        "items[a-numeric]",
        "overlaps the accepted answer",
    ),
    (
        "answer on a choice item",
        _set("a-single", answer=3),
        "items[a-single]",
        "'answer' belongs to numeric items",
    ),
    (
        "too few options",
        _too_few_options,
        "items[a-single]",
        f"needs {MIN_OPTIONS}-{MAX_OPTIONS} options, found 3",
    ),
    ("too many options", _too_many_options, "items[a-single]", f"found {MIN_OPTIONS + MAX_OPTIONS}"),
    (
        "stem that asks nothing",
        _set("a-single", stem="Pick the best option."),
        "items[a-single]",
        "clear question",
    ),
    ("misspelt key", _misspelt_key, "items[a-single].explanaton", "Extra inputs are not permitted"),
    (
        "string instead of boolean",
        _option("a-single", 1, correct="yes"),
        "items[a-single].options[B].correct",
        "valid boolean",
    ),
    (
        "unknown type",
        _set("a-single", type="truefalse"),
        "items[a-single].type",
        "'single', 'multiple' or 'numeric'",
    ),
    ("bad id", _set("a-single", id="Item One"), "items[Item One].id", "should match pattern"),
    ("no references", _set("a-single", references=[]), "items[a-single].references", "at least 1 item"),
    (
        "unknown reference",
        _set("a-single", references=["sanders2016mg", "nosuchkey2099"]),
        "items[a-single].references",
        "citation key 'nosuchkey2099' is not in data/references.bib",
    ),
    (
        "case without items",
        lambda q: q["cases"][0].update(items=[]),
        "cases[case-a].items",
        "at least 1 item",
    ),
]


@pytest.mark.parametrize(
    ("mutation", "location", "fault"), [v[1:] for v in VIOLATIONS], ids=[v[0] for v in VIOLATIONS]
)
def test_each_convention_violation_is_refused_naming_file_key_and_fault(
    data_folder: Path, mutation: Callable[[dict[str, Any]], None], location: str, fault: str
) -> None:
    quiz = copy.deepcopy(valid_quiz())
    mutation(quiz)
    write(data_folder, quiz)
    with pytest.raises(DataError) as caught:
        load_quiz("sample")
    message = str(caught.value)
    assert message.startswith(FILE + ": "), message
    assert location in caught.value.location, message
    assert fault in message, message


def test_the_quiz_id_must_match_the_file_name(data_folder: Path) -> None:
    quiz = valid_quiz()
    quiz["id"] = "other"
    write(data_folder, quiz)
    with pytest.raises(DataError, match=r"sample\.yaml: key id: .*'other' must match the file name 'sample'"):
        load_quiz("sample")


def test_invalid_yaml_names_the_line(data_folder: Path) -> None:
    write(data_folder, "id: sample\ncases:\n  - id: [unclosed\n")
    with pytest.raises(DataError, match=r"sample\.yaml: line \d+: not valid YAML"):
        load_quiz("sample")


def test_unknown_and_malformed_quiz_ids_are_refused_with_the_available_ids(data_folder: Path) -> None:
    write(data_folder, valid_quiz())
    with pytest.raises(DataError, match=r"no quiz 'cidp'; available: sample"):
        load_quiz("cidp")
    for bad in ("../references", "Sample", "", "a/b"):
        with pytest.raises(ValueError, match=r"not a quiz id.*available: sample"):
            load_quiz(bad)


def test_an_edited_file_is_reloaded(data_folder: Path) -> None:
    quiz = valid_quiz()
    write(data_folder, quiz)
    assert load_quiz("sample").title == "Sample quiz"
    quiz["title"] = "Edited title"
    write(data_folder, quiz)
    path = data_folder / "quizzes" / "sample.yaml"
    stamp = path.stat().st_mtime_ns + 1_000_000_000
    os.utime(path, ns=(stamp, stamp))  # a new mtime even on coarse-grained file systems
    assert load_quiz("sample").title == "Edited title"


def test_select_all_that_apply_accepts_any_number_of_correct_options(data_folder: Path) -> None:
    quiz = valid_quiz()
    multiple = item(quiz, "a-multiple")
    multiple["stem"] = "Which apply? Select all that apply."
    multiple["options"] = _options((0, 1, 3))
    write(data_folder, quiz)
    assert load_quiz("sample").item("a-multiple").correct_indices == (0, 1, 3)
