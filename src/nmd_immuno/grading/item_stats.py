"""Item statistics written back beside the items: ``data/quizzes/item_stats/<assignment>.csv``.

Why: the item analysis of ``make assignments-report`` lands in the course's ``reports/`` folder, which
authors of the questions never open. Written back into ``data/`` (one small CSV per assignment, one row per
item id: difficulty p, point-biserial and upper-lower discrimination, n, flags, the date of the report), the
weakest items are visible where the items are edited, sorted weakest first, and a later report updates the
rows of the items it saw while keeping the others.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

import pandas as pd

from nmd_immuno.paths import data_dir

STATS_DIR = Path("quizzes") / "item_stats"
STATS_COLUMNS = [
    "item",
    "difficulty",
    "point_biserial",
    "discrimination_ul",
    "n",
    "flags",
    "date",
    "weakness",
]
_ASSIGNMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
# Flags that say an item misleads (a wrong key, an ambiguity) rank above flags that it is merely easy or hard.
_FLAG_WEIGHT = {
    "negative_discrimination": 3.0,
    "low_discrimination": 2.0,
    "no_variance": 1.0,
    "too_hard": 1.0,
    "too_easy": 0.5,
    "not_enough_data": 0.0,
}


def stats_dir() -> Path:
    """``data/quizzes/item_stats`` (under ``NMD_IMMUNO_DATA`` when set)."""
    return data_dir() / STATS_DIR


def weakness(row: pd.Series) -> float:
    """A score to sort by, higher is weaker: flag weights, plus how far discrimination falls short of 0.2."""
    flags = [f for f in str(row.get("flags", "") or "").split(";") if f]
    score = sum(_FLAG_WEIGHT.get(flag, 1.0) for flag in flags)
    r = row.get("point_biserial")
    if r is not None and not (isinstance(r, float) and math.isnan(r)):
        score += max(0.0, 0.2 - float(r))
    return round(score, 4)


def _stats_path(assignment: str, folder: Path | None) -> Path:
    if not isinstance(assignment, str) or not _ASSIGNMENT.match(assignment):
        raise ValueError(f"assignment: got {assignment!r}; allowed: letters, digits, '_', '-', '.'")
    return (folder or stats_dir()) / f"{assignment}.csv"


def write_item_stats(
    analysis: pd.DataFrame,
    assignment: str,
    *,
    folder: Path | None = None,
    date: dt.date | None = None,
) -> Path:
    """Merge ``analysis`` (``items.item_analysis`` output, or its CSV read back) into the assignment's file.

    Rows of items in ``analysis`` are replaced (with ``date``, default today); rows of other items are kept.
    The file is sorted weakest first, ties by item id, so the first lines are the items to revise.
    """
    missing = [
        c
        for c in ("item", "difficulty", "point_biserial", "discrimination_ul", "n", "flags")
        if c not in analysis
    ]
    if missing:
        raise ValueError(f"analysis: missing columns {missing}; expected the item analysis table")
    path = _stats_path(assignment, folder)
    new = analysis[["item", "difficulty", "point_biserial", "discrimination_ul", "n", "flags"]].copy()
    new["flags"] = new["flags"].fillna("")
    new["date"] = (date or dt.date.today()).isoformat()
    if path.exists():
        old = load_item_stats(assignment, folder=folder)
        new = pd.concat([old[~old["item"].isin(new["item"])], new], ignore_index=True)
    new["weakness"] = new.apply(weakness, axis=1)
    new = new.sort_values(["weakness", "item"], ascending=[False, True], kind="stable")[STATS_COLUMNS]
    path.parent.mkdir(parents=True, exist_ok=True)
    new.to_csv(path, index=False, float_format="%.4f")
    return path


def load_item_stats(assignment: str, *, folder: Path | None = None) -> pd.DataFrame:
    """The stored statistics of ``assignment`` (an empty table when none were written yet)."""
    path = _stats_path(assignment, folder)
    if not path.exists():
        return pd.DataFrame(columns=STATS_COLUMNS)
    frame = pd.read_csv(path, keep_default_na=False, na_values=[""])
    frame["flags"] = frame["flags"].fillna("").astype(str)
    return frame


def weakest_items(assignment: str, count: int = 3, *, folder: Path | None = None) -> list[str]:
    """Ids of the ``count`` weakest items with at least one flag (the first lines of the file)."""
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        raise ValueError(f"count: got {count!r}; allowed: a whole number >= 0")
    stats = load_item_stats(assignment, folder=folder)
    flagged = stats[stats["flags"] != ""]
    return list(flagged["item"].head(count))
