"""The drug classes table (``data/drugs.yaml``): schema, loader and the pandas views the chapters show.

Why validate: the table is read by residents as a summary of the evidence. A therapy id that is not in the API
vocabulary, a class that disagrees with ``data/therapies.yaml``, an unknown disorder or an unresolved citation
would each mislead silently; the loader refuses them with the file, the entry and the fault.
"""

from __future__ import annotations

import html
import re
from functools import cache
from pathlib import Path

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from nmd_immuno.content.bibliography import check_references, format_reference, short_citation
from nmd_immuno.content.loader import data_path, load_yaml_model, require_unique
from nmd_immuno.content.therapies import THERAPY_IDS, class_label, therapy_class

DRUGS_FILE = "drugs.yaml"

#: Disorder ids of the public API (``nmd_immuno.DISORDERS``) with the labels the table shows.
DISORDER_LABELS: dict[str, str] = {
    "cidp": "CIDP",
    "mmn": "MMN",
    "paraproteinemic": "Paraproteinemic neuropathy",
    "myasthenia_gravis": "Myasthenia gravis",
    "myositis": "Myositis",
}

_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2]))?$")


class Approval(BaseModel):
    """A regulatory milestone (US unless the event says otherwise)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    date: str = Field(description="YYYY or YYYY-MM")
    event: str = Field(min_length=5)
    references: list[str]

    @field_validator("date")
    @classmethod
    def _date_format(cls, value: str) -> str:
        if not _DATE.match(value):
            raise ValueError(f"date must be YYYY or YYYY-MM, got {value!r}")
        return value


MG_ANTIBODIES = ("achr", "musk", "lrp4", "seronegative")


class MgLabel(BaseModel):
    """What a biologic's US label covers in generalized MG, and the date of the label version it rests on.

    Why dated and structured: labels change (a seronegative indication, a younger age), and the pathway's
    offers by antibody must agree with them; a test compares the two, and readers see how old the statement is.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    antibodies: list[str] = Field(min_length=1)
    ages: str = Field(min_length=3, description="the licensed ages, or where the course's sources are silent")
    as_of: str = Field(description="YYYY-MM: the label version (approval or change) the statement rests on")
    pending: str = ""
    references: list[str] = Field(min_length=1)

    @field_validator("antibodies")
    @classmethod
    def _known_antibodies(cls, value: list[str]) -> list[str]:
        unknown = [a for a in value if a not in MG_ANTIBODIES]
        if unknown:
            raise ValueError(f"unknown antibody status {unknown}; allowed: {', '.join(MG_ANTIBODIES)}")
        return value

    @field_validator("as_of")
    @classmethod
    def _month(cls, value: str) -> str:
        if not re.match(r"^\d{4}-(0[1-9]|1[0-2])$", value):
            raise ValueError(f"as_of must be YYYY-MM, got {value!r}")
        return value

    def summary(self) -> str:
        """'AChR+ or MuSK+; age 12 and over (US label as of 2025-04)' for the drug details."""
        names = {"achr": "AChR+", "musk": "MuSK+", "lrp4": "LRP4+", "seronegative": "seronegative"}
        text = f"{' or '.join(names[a] for a in self.antibodies)}; {self.ages} (US label as of {self.as_of})"
        return f"{text}. {self.pending}" if self.pending else text


class Drug(BaseModel):
    """One row of the drug classes table."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=2)
    therapy_ids: list[str] = Field(min_length=1)
    drug_class: str = Field(alias="class")
    mechanism: str = Field(min_length=10)
    onset: str = Field(min_length=3)
    monitoring: list[str] = Field(min_length=1)
    pitfalls: list[str] = Field(min_length=1)
    indications: list[str] = Field(min_length=1)
    indication_note: str = ""
    approvals: list[Approval] = Field(default_factory=list)
    mg_label: MgLabel | None = None
    references: list[str]

    @field_validator("therapy_ids")
    @classmethod
    def _known_therapies(cls, value: list[str]) -> list[str]:
        unknown = [t for t in value if t not in THERAPY_IDS]
        if unknown:
            raise ValueError(f"unknown therapy id(s) {unknown}; allowed ids are those in data/therapies.yaml")
        return value

    @field_validator("indications")
    @classmethod
    def _known_disorders(cls, value: list[str]) -> list[str]:
        unknown = [d for d in value if d not in DISORDER_LABELS]
        if unknown:
            raise ValueError(f"unknown disorder id(s) {unknown}; allowed: {', '.join(DISORDER_LABELS)}")
        return value

    @model_validator(mode="after")
    def _class_matches_vocabulary(self) -> Drug:
        for therapy in self.therapy_ids:
            actual = therapy_class(therapy)
            if actual != self.drug_class:
                raise ValueError(
                    f"class {self.drug_class!r} disagrees with data/therapies.yaml, where {therapy!r} is "
                    f"{actual!r}"
                )
        return self


class DrugTable(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    drugs: list[Drug] = Field(min_length=1)


@cache
def _load(path: Path, modified_ns: int) -> tuple[Drug, ...]:
    table = load_yaml_model(path, DrugTable)
    file = f"data/{DRUGS_FILE}"
    require_unique((d.id for d in table.drugs), file, "drugs")
    require_unique((t for d in table.drugs for t in d.therapy_ids), file, "drugs.therapy_ids")
    for index, drug in enumerate(table.drugs):
        where = f"drugs[{index}] ({drug.id})"
        check_references(drug.references, file, f"{where}.references")
        for number, approval in enumerate(drug.approvals):
            check_references(approval.references, file, f"{where}.approvals[{number}].references")
        if drug.mg_label is not None:
            check_references(drug.mg_label.references, file, f"{where}.mg_label.references")
    return tuple(table.drugs)


def load_drugs() -> tuple[Drug, ...]:
    """All drug entries, validated (cached per file and modification time, so edits are picked up)."""
    path = data_path(DRUGS_FILE)
    return _load(path, path.stat().st_mtime_ns if path.exists() else 0)


def drug_for_therapy(therapy_id: str) -> Drug:
    """The entry that covers a therapy id (``drug_for_therapy('scig')`` is the immunoglobulin entry)."""
    therapy_class(therapy_id)  # validates the id with a helpful message
    for drug in load_drugs():
        if therapy_id in drug.therapy_ids:
            return drug
    raise KeyError(f"no entry in data/{DRUGS_FILE} covers therapy {therapy_id!r}")


def drug_table() -> pd.DataFrame:
    """The drug classes table: one row per entry, list fields joined with '; ' for display.

    Columns: drug, class, mechanism, onset, monitoring, pitfalls, used_in, note, references (bibliography
    keys).
    """
    rows = [
        {
            "drug": d.name,
            "class": class_label(d.drug_class),
            "mechanism": d.mechanism,
            "onset": d.onset,
            "monitoring": "; ".join(d.monitoring),
            "pitfalls": "; ".join(d.pitfalls),
            "used_in": ", ".join(DISORDER_LABELS[i] for i in d.indications),
            "note": d.indication_note,
            "references": ", ".join(d.references),
        }
        for d in load_drugs()
    ]
    return pd.DataFrame(rows, index=pd.Index([d.id for d in load_drugs()], name="id"))


def approval_timeline() -> pd.DataFrame:
    """Regulatory milestones of the table's drugs, oldest first (columns: date, drug, event, references).

    References are given as author and year, which a reader can find on the bibliography page.
    """
    rows = [
        {
            "date": a.date,
            "drug": d.name,
            "event": a.event,
            "references": " · ".join(short_citation(k) for k in a.references),
        }
        for d in load_drugs()
        for a in d.approvals
    ]
    frame = pd.DataFrame(rows, columns=["date", "drug", "event", "references"])
    return frame.sort_values("date", kind="stable").reset_index(drop=True)


def drug_details_html() -> str:
    """Every entry as a collapsible block (mechanism, onset, monitoring, pitfalls, use, formatted references).

    Why: the full table is too wide to read on a page; a compact table plus one expandable block per drug
    works in the static book (``<details>`` needs no JavaScript) and in a notebook alike.
    """
    esc = html.escape
    blocks = []
    for d in load_drugs():
        monitoring = "".join(f"<li>{esc(m)}</li>" for m in d.monitoring)
        pitfalls = "".join(f"<li>{esc(p)}</li>" for p in d.pitfalls)
        refs = "".join(f"<li>{esc(format_reference(k))}</li>" for k in d.references)
        used_in = ", ".join(DISORDER_LABELS[i] for i in d.indications)
        note = f" {esc(d.indication_note)}" if d.indication_note else ""
        label = (
            f"<p><strong>Generalized MG label.</strong> {esc(d.mg_label.summary())}</p>" if d.mg_label else ""
        )
        blocks.append(
            f"<details class='nmd-drug' id='drug-{esc(d.id)}'><summary><strong>{esc(d.name)}</strong> "
            f"({esc(class_label(d.drug_class))})</summary>"
            f"<p><strong>Mechanism.</strong> {esc(d.mechanism)}</p>"
            f"<p><strong>Onset.</strong> {esc(d.onset)}</p>"
            f"<p><strong>Monitoring</strong></p><ul>{monitoring}</ul>"
            f"<p><strong>Pitfalls</strong></p><ul>{pitfalls}</ul>"
            f"<p><strong>Used in this course.</strong> {esc(used_in)}.{note}</p>{label}"
            f"<p><strong>Sources</strong></p><ol>{refs}</ol></details>"
        )
    return "".join(blocks)
