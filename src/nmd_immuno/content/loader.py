"""Load YAML and CSV content into pydantic models, failing with the file, the location and the fault.

Why a wrapper: pydantic's own messages name a location inside the parsed object but not the file, and a
CSV row number is lost once rows become dicts. A clinician editing ``data/`` needs ``trials.csv: row 7,
column 'n': ...`` to find the mistake.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from nmd_immuno.errors import DataError
from nmd_immuno.paths import data_dir

M = TypeVar("M", bound=BaseModel)


def data_path(relative: str | Path) -> Path:
    """Absolute path of a file under ``data/``."""
    return data_dir() / relative


def file_stamp(path: Path) -> tuple[str, int, int]:
    """``(path, modification time in ns, size)``: a cache key that changes when the file is edited.

    Why: a loader cached on the path alone keeps serving old content after a clinician edits ``data/`` in a
    running notebook, and after a test points ``NMD_IMMUNO_DATA`` at another folder. A missing file gets
    ``-1`` so the loader itself reports it.
    """
    try:
        stat = path.stat()
    except FileNotFoundError:
        return str(path), -1, -1
    return str(path), stat.st_mtime_ns, stat.st_size


def display_name(path: Path) -> str:
    """``path`` as an error message names it: relative to the repository (``data/trials.csv``) when inside it.

    Why public: every loader and the engine name the file of a fault the same way, and the static explorer
    shows it to readers.
    """
    try:
        return str(path.relative_to(data_dir().parent))
    except ValueError:
        return str(path)


def _describe(error: ValidationError, prefix: str = "") -> tuple[str, str]:
    """First error of a pydantic ValidationError as (location, problem)."""
    first = error.errors()[0]
    loc = ".".join(str(part) for part in first["loc"]) or "(top level)"
    given = first.get("input")
    problem = first["msg"]
    if given is not None and not isinstance(given, dict | list):
        problem += f" (given: {given!r})"
    extra = len(error.errors()) - 1
    if extra:
        problem += f" [and {extra} more problem(s)]"
    return (f"{prefix}{loc}" if prefix else loc), problem


#: libyaml's safe loader when PyYAML was built with it: the same documents, parsed about 9 times faster
#: (every kernel that grades a submission loads the dosing tables once).
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> object:
    """Parse a YAML file; a syntax error becomes a DataError with the line number."""
    name = display_name(path)
    if not path.exists():
        raise DataError(name, "(file)", "file not found")
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "(file)"
        raise DataError(name, where, f"not valid YAML: {getattr(exc, 'problem', exc)}") from exc


def load_yaml_model(path: str | Path, model: type[M]) -> M:
    """Read one YAML file into ``model``; relative paths are taken under ``data/``."""
    path = Path(path)
    if not path.is_absolute():
        path = data_path(path)
    raw = read_yaml(path)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        location, problem = _describe(exc)
        raise DataError(display_name(path), f"key {location}", problem) from exc


def load_csv_models(path: str | Path, model: type[M]) -> list[M]:
    """Read a CSV file, one ``model`` per row; errors name the row (header = row 1) and column."""
    path = Path(path)
    if not path.is_absolute():
        path = data_path(path)
    name = display_name(path)
    if not path.exists():
        raise DataError(name, "(file)", "file not found")
    rows: list[M] = []
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        for number, row in enumerate(reader, start=2):
            if None in row:
                raise DataError(name, f"row {number}", "more cells than header columns")
            cleaned = {key: (value if value != "" else None) for key, value in row.items()}
            try:
                rows.append(model.model_validate(cleaned))
            except ValidationError as exc:
                location, problem = _describe(exc)
                raise DataError(name, f"row {number}, column '{location}'", problem) from exc
    return rows


def require_unique(items: Iterable[str], file: str, what: str) -> None:
    """Refuse duplicate ids, which would make a later lookup silently pick one of them."""
    seen: set[str] = set()
    for item in items:
        if item in seen:
            raise DataError(file, what, f"duplicate id {item!r}")
        seen.add(item)
