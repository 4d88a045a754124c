"""Load ``data/quizzes/<quiz_id>.yaml`` into a validated :class:`~nmd_immuno.quiz.schema.Quiz`.

Why not the generic ``load_yaml_model``: its messages give pydantic's index path (``cases.2.items.1``), and an
author editing a 600-line YAML file needs the case and item *ids* to find the faulty question. This loader
translates the path into ids, then checks every item's citations against the bibliography.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from pydantic import ValidationError

from nmd_immuno.content.bibliography import check_references
from nmd_immuno.content.loader import read_yaml
from nmd_immuno.errors import DataError
from nmd_immuno.paths import data_dir
from nmd_immuno.quiz.schema import LETTERS, Quiz

QUIZ_DIR = "quizzes"
_QUIZ_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def quiz_path(quiz_id: str) -> Path:
    """Where the file of ``quiz_id`` lives (refusing ids that could escape ``data/quizzes/``)."""
    if not isinstance(quiz_id, str) or not _QUIZ_ID.match(quiz_id):
        raise ValueError(
            f"quiz_id: {quiz_id!r} is not a quiz id (lower-case letters, digits, '_' or '-'); "
            f"available: {', '.join(available_quizzes()) or 'none'}"
        )
    return data_dir() / QUIZ_DIR / f"{quiz_id}.yaml"


def available_quizzes() -> list[str]:
    """Ids of the quiz files present in ``data/quizzes/``."""
    folder = data_dir() / QUIZ_DIR
    return sorted(path.stem for path in folder.glob("*.yaml")) if folder.is_dir() else []


def load_quiz(quiz_id: str) -> Quiz:
    """The validated quiz ``quiz_id``; cached until the file changes on disk."""
    path = quiz_path(quiz_id)
    display = f"data/{QUIZ_DIR}/{path.name}"
    if not path.exists():
        raise DataError(
            display, "(file)", f"no quiz {quiz_id!r}; available: {', '.join(available_quizzes()) or 'none'}"
        )
    stat = path.stat()
    return _load(str(path), display, quiz_id, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=16)
def _load(path: str, display: str, quiz_id: str, _mtime_ns: int, _size: int) -> Quiz:
    raw = read_yaml(Path(path))
    try:
        quiz = Quiz.model_validate(raw)
    except ValidationError as exc:
        errors = exc.errors()
        # A misspelt key also makes the intended key "missing": report the unknown key, the actual mistake.
        first = next((error for error in errors if error["type"] == "extra_forbidden"), errors[0])
        location = _describe_location(raw, first["loc"])
        problem = first["msg"].removeprefix("Value error, ")
        if first["type"] == "extra_forbidden":
            problem = f"unknown key (misspelt?): {problem}"
        given = first.get("input")
        if given is not None and not isinstance(given, dict | list):
            problem += f" (given: {given!r})"
        extra = len(errors) - 1
        if extra:
            problem += f" [and {extra} more problem(s)]"
        raise DataError(display, location, problem) from exc
    if quiz.id != quiz_id:
        raise DataError(display, "key id", f"the quiz id {quiz.id!r} must match the file name {quiz_id!r}")
    for case, item in quiz.items():
        check_references(item.references, display, f"key cases[{case.id}].items[{item.id}].references")
        for letter, option in zip(LETTERS, item.options, strict=False):
            if option.references:
                check_references(
                    option.references,
                    display,
                    f"key cases[{case.id}].items[{item.id}].options[{letter}].references",
                )
    return quiz


def _describe_location(raw: object, loc: tuple[int | str, ...]) -> str:
    """Turn pydantic's ``('cases', 2, 'items', 1, 'stem')`` into ``key cases[c].items[i].stem`` (ids).

    Ids are read from the raw YAML so the location is named even when the failing object did not validate;
    where an element has no id (options), its letter or position is used.
    """
    parts: list[str] = []
    node: object = raw
    parent_key = ""
    for part in loc:
        if isinstance(part, int):
            label = str(part)
            child = node[part] if isinstance(node, list) and part < len(node) else None
            if isinstance(child, dict) and isinstance(child.get("id"), str):
                label = child["id"]
            elif parent_key == "options" and part < len(LETTERS):
                label = LETTERS[part]
            parts[-1] = f"{parts[-1]}[{label}]" if parts else f"[{label}]"
            node = child
        else:
            parts.append(str(part))
            parent_key = str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return "key " + (".".join(parts) if parts else "(top level)")
