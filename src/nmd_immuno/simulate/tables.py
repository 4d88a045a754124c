"""Readable tables of the simulator's results for the book and the widget.

Why not the DataFrames themselves: shown raw they carry the index, snake_case headers, NaN and None for
"does not apply", proportions as 0.537, and pandas cuts long text ("adjusted INCAT improvement of at least
1 point...") and stretches the page sideways. These helpers keep the DataFrames as the data (tests and
students compute on them) and only change how they are shown: readable headers, no index, "—" for missing,
✓/✗ for yes/no checks, shares of patients in %, and text that wraps instead of being cut.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping

import pandas as pd

from nmd_immuno.simulate.model import SimulationInputError

MISSING = "—"

#: Readable headers of :func:`~nmd_immuno.simulate.replicate.replicate_trial`'s columns.
REPLICATION_HEADERS: dict[str, str] = {
    "trial_id": "Trial",
    "arm": "Arm",
    "strategy": "Strategy",
    "outcome": "Outcome",
    "outcome_type": "Outcome type",
    "timepoint": "Time point",
    "primary": "Primary outcome",
    "published": "Published",
    "simulated": "Simulated",
    "published_effect": "Published effect (vs control)",
    "simulated_effect": "Simulated effect (vs control)",
    "effect_scale": "Effect scale",
    "tolerance": "Tolerance",
    "within_tolerance": "Within tolerance",
    "same_direction": "Same direction",
    "n_simulated": "Patients simulated",
    "reference": "Reference",
    "status": "Status",
    "note": "Note",
}
#: Yes/no checks shown as ✓/✗ (the other booleans, such as ``primary``, read "yes"/"no").
CHECK_COLUMNS = frozenset({"within_tolerance", "same_direction"})

_TABLE = "border-collapse:collapse;width:100%;font-size:.9em;margin:.5em 0"
_CELL = (
    "white-space:normal;overflow-wrap:anywhere;vertical-align:top;text-align:left;padding:.25em .5em;"
    "border-bottom:1px solid rgba(128,128,128,.35)"
)


class HtmlTable(str):
    """HTML text that notebooks and the book display as a table (``_repr_html_``); still a plain string."""

    def _repr_html_(self) -> str:
        return str(self)


def _missing(value: object) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def cell_text(value: object, *, check: bool = False) -> str:
    """One value as shown: "—" when missing, ✓/✗ for a check, yes/no for another flag, numbers compactly."""
    if _missing(value):
        return MISSING
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        if check:
            return "✓" if value else "✗"
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{round(value, 3):g}"
    return str(value)


def percent_text(value: object) -> str:
    """A share of patients (0-1) as the plots show it: 0.537 -> "53.7%", 0.5 -> "50%"; missing -> "—"."""
    if _missing(value):
        return MISSING
    return f"{100 * float(value):.1f}".rstrip("0").rstrip(".") + "%"


def readable(column: str) -> str:
    """A header for a column without a listed one: 'n_simulated' -> 'N simulated'."""
    text = column.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _html_table(
    headers: Iterable[tuple[str, Mapping[str, str]]], rows: Iterable[Iterable[str]], css_class: str
) -> HtmlTable:
    def attrs(extra: Mapping[str, str]) -> str:
        return "".join(f' {name}="{html.escape(value, quote=True)}"' for name, value in extra.items())

    head = "".join(
        f'<th scope="col" style="{_CELL}"{attrs(extra)}>{html.escape(text)}</th>' for text, extra in headers
    )
    body = "".join(
        "<tr>" + "".join(f'<td style="{_CELL}">{html.escape(text)}</td>' for text in row) + "</tr>"
        for row in rows
    )
    table = f'<table class="{css_class}" style="{_TABLE}">'
    return HtmlTable(f"{table}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def _frame(name: str, value: object, what: str) -> pd.DataFrame:
    if not isinstance(value, pd.DataFrame):
        raise SimulationInputError(f"{name}: {type(value).__name__} is not a DataFrame; give {what}")
    return value


def replication_table(frame: pd.DataFrame) -> HtmlTable:
    """A :func:`~nmd_immuno.simulate.replicate.replicate_trial` result (or a selection of its columns), as
    a readable table: headers in words, no index, "—" where a figure does not apply (the control arm has no
    effect against itself), ✓/✗ for the tolerance checks, long outcomes and notes wrapped, never cut.
    """
    frame = _frame("frame", frame, "the DataFrame returned by replicate_trial (or some of its columns)")
    columns = [str(column) for column in frame.columns]
    headers = [
        (REPLICATION_HEADERS.get(column, readable(column)), {"data-column": column}) for column in columns
    ]
    rows = [
        [
            cell_text(value, check=column in CHECK_COLUMNS)
            for column, value in zip(columns, record, strict=True)
        ]
        for record in frame.itertuples(index=False, name=None)
    ]
    return _html_table(headers, rows, "nmd-replication")


def summary_table(summary: pd.DataFrame) -> HtmlTable:
    """A :func:`~nmd_immuno.simulate.cohort.summarize_cohorts` result turned on its side for reading: one
    column per strategy, headed by its label (the strategy id kept in ``data-strategy``), one row per
    measure; shares of patients (``attrs["proportions"]``) in %, as in the responder plot.
    """
    summary = _frame("summary", summary, "the DataFrame returned by summarize_cohorts")
    proportions = set(summary.attrs.get("proportions", ()))
    labels = summary["label"] if "label" in summary.columns else pd.Series(summary.index, index=summary.index)
    headers = [("Measure", {})] + [(str(labels[key]), {"data-strategy": str(key)}) for key in summary.index]
    rows = []
    for column in summary.columns:
        if column == "label":
            continue
        shown = percent_text if column in proportions else cell_text
        # The summary's column names are already words ("any crisis"); only the values change.
        rows.append([str(column), *(shown(summary.at[key, column]) for key in summary.index)])
    return _html_table(headers, rows, "nmd-cohort-summary")
