"""What changed since the last edition (``data/currency.yaml``): schema, loader and the chapter section.

Why data: the status of a new therapy (approved, in phase 3, investigational) goes out of date faster than
anything else in the course. Kept in one validated file, each statement carries the date it was checked,
its sources, and what is still unconfirmed, so a reader sees at once how current a line is and an author
updates one place, not five chapters. A statement marked ``confirmed: true`` must cite sources and is the
only kind the course teaches as fact; an unconfirmed one names the therapy and says what is open.
"""

from __future__ import annotations

import datetime as dt
import html
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from nmd_immuno.content.bibliography import check_references, format_reference
from nmd_immuno.content.drugs import DISORDER_LABELS
from nmd_immuno.content.loader import data_path, file_stamp, load_yaml_model, require_unique
from nmd_immuno.content.vocabulary import DISORDERS

CURRENCY_FILE = "currency.yaml"

#: Allowed statuses and how a chapter shows them.
STATUS_LABELS: dict[str, str] = {
    "approved": "Approved",
    "phase3": "Phase 3",
    "investigational": "Investigational",
}
#: The disorders of the public API, plus "general" for changes that concern every chapter (principles).
CHAPTER_SCOPES: tuple[str, ...] = (*DISORDERS, "general")

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Status = Literal["approved", "phase3", "investigational"]
Scope = Literal["cidp", "mmn", "paraproteinemic", "myasthenia_gravis", "myositis", "general"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CurrencyItem(_Strict):
    """The status of one therapy for one neuromuscular use, as checked on ``as_of``."""

    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    item: Text
    disorder: Scope
    status: Status
    as_of: dt.date
    confirmed: bool
    statement: Text
    to_check: str = ""
    references: list[Text] = Field(default_factory=list)

    @model_validator(mode="after")
    def _evidence(self) -> CurrencyItem:
        where = f"item {self.id!r}"
        if self.confirmed and not self.references:
            raise ValueError(f"{where}: a confirmed statement needs at least one bibliography key")
        if not self.confirmed and not self.to_check.strip():
            raise ValueError(f"{where}: an unconfirmed statement must say what is still to check (to_check)")
        return self


class CourseChange(_Strict):
    """A change this edition made to the course's own pathways, calculators or simulators."""

    disorder: Scope
    date: dt.date
    statement: Text
    references: list[Text] = Field(min_length=1)


class Currency(_Strict):
    edition: dt.date
    sources_to: Text
    items: list[CurrencyItem] = Field(min_length=1)
    course_changes: list[CourseChange] = Field(default_factory=list)

    @model_validator(mode="after")
    def _dates(self) -> Currency:
        for entry in self.items:
            if entry.as_of > self.edition:
                raise ValueError(
                    f"item {entry.id!r}: as_of {entry.as_of} is after the edition date {self.edition}"
                )
        for change in self.course_changes:
            if change.date > self.edition:
                raise ValueError(
                    f"course change dated {change.date} is after the edition date {self.edition}"
                )
        return self


@cache
def _load(path: str, _modified_ns: int, _size: int) -> Currency:
    currency = load_yaml_model(Path(path), Currency)
    file = f"data/{CURRENCY_FILE}"
    require_unique((entry.id for entry in currency.items), file, "items")
    for entry in currency.items:
        if entry.references:
            check_references(entry.references, file, f"items[{entry.id}].references")
    for number, change in enumerate(currency.course_changes):
        check_references(change.references, file, f"course_changes[{number}].references")
    return currency


def load_currency() -> Currency:
    """The validated file (re-read when it changes on disk)."""
    return _load(*file_stamp(data_path(CURRENCY_FILE)))


def items_for(disorder: str) -> list[CurrencyItem]:
    """The entries of one chapter, in file order; ``"all"`` gives every entry."""
    if disorder != "all" and disorder not in CHAPTER_SCOPES:
        raise ValueError(f"disorder: got {disorder!r}; allowed: {', '.join((*CHAPTER_SCOPES, 'all'))}")
    items = load_currency().items
    return [entry for entry in items if disorder == "all" or entry.disorder == disorder]


def _date(value: dt.date) -> str:
    return f"{value.day} {value:%B %Y}"


def _references(keys: list[str]) -> str:
    if not keys:
        return "<span class='nmd-currency-refs'>No source checked yet.</span>"
    refs = "; ".join(html.escape(format_reference(key)) for key in keys)
    return f"<span class='nmd-currency-refs'>Sources: {refs}.</span>"


def _item_html(entry: CurrencyItem, *, show_disorder: bool) -> str:
    status = STATUS_LABELS[entry.status]
    badge = status if entry.confirmed else f"{status} (unconfirmed)"
    scope = f" <em>({html.escape(_scope_label(entry.disorder))})</em>" if show_disorder else ""
    open_points = (
        f" <strong>{'Still to check' if entry.confirmed else 'Unconfirmed'}:</strong> {html.escape(entry.to_check)}"
        if entry.to_check
        else ""
    )
    return (
        f"<li class='nmd-currency-item' data-status='{entry.status}' data-confirmed='{str(entry.confirmed).lower()}'>"
        f"<strong>{html.escape(entry.item)}</strong>{scope}: <span class='nmd-currency-status'>{badge}</span>, "
        f"as of {_date(entry.as_of)}. {html.escape(entry.statement)}{open_points} {_references(entry.references)}</li>"
    )


def _scope_label(scope: str) -> str:
    return DISORDER_LABELS.get(scope, "all chapters")


def currency_html(disorder: str) -> str:
    """The section body a chapter shows: its dated therapy statuses, then this edition's course changes.

    ``disorder`` is a disorder id, ``"general"`` (the principles chapter's own changes) or ``"all"`` (every
    therapy status, labelled by disorder, with the general course changes).
    """
    currency = load_currency()
    entries = items_for(disorder)
    show_disorder = disorder == "all"
    scopes = {"all": ("general",)}.get(disorder, (disorder,))
    changes = [change for change in currency.course_changes if change.disorder in scopes]
    parts = [
        f"<div class='nmd-currency' data-disorder='{html.escape(disorder)}'>",
        f"<p>Edition of {_date(currency.edition)}; statuses checked against sources available to "
        f"{html.escape(currency.sources_to)} (US approvals unless stated). <em>Approved</em>, <em>Phase 3</em> "
        "and <em>Investigational</em> refer to the neuromuscular use named; an entry marked unconfirmed is not "
        "yet checked in a source and is not taught as fact.</p>",
    ]
    if entries:
        parts.append("<ul>" + "".join(_item_html(e, show_disorder=show_disorder) for e in entries) + "</ul>")
    if changes:
        listed = "".join(
            f"<li>{html.escape(change.statement)} ({_date(change.date)}) {_references(change.references)}</li>"
            for change in changes
        )
        parts.append(
            f"<p><strong>Changes to the course's tools in this edition</strong></p><ul>{listed}</ul>"
        )
    parts.append("</div>")
    return "".join(parts)
