"""data/drugs.yaml: coverage of the drugs, consistency with the therapy vocabulary, load-time refusals."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from nmd_immuno import DISORDERS
from nmd_immuno.content.bibliography import bibliography_keys, format_reference
from nmd_immuno.content.drugs import (
    DISORDER_LABELS,
    approval_timeline,
    drug_for_therapy,
    drug_table,
    load_drugs,
)
from nmd_immuno.content.therapies import therapy_class
from nmd_immuno.errors import DataError

#: The drugs the course must describe (task brief): every one needs an entry.
REQUIRED_THERAPIES = [
    "corticosteroids",
    "azathioprine",
    "mycophenolate",
    "methotrexate",
    "tacrolimus",
    "cyclosporine",
    "cyclophosphamide",
    "ivig",
    "scig",
    "plasma_exchange",
    "rituximab",
    "eculizumab",
    "ravulizumab",
    "zilucoplan",
    "efgartigimod",
    "rozanolixizumab",
    "nipocalimab",
    "inebilizumab",
]


@pytest.mark.parametrize("therapy", REQUIRED_THERAPIES)
def test_every_required_drug_has_an_entry_of_the_right_class(therapy: str) -> None:
    entry = drug_for_therapy(therapy)
    assert entry.drug_class == therapy_class(therapy)
    assert entry.references and set(entry.references) <= bibliography_keys()


def test_disorder_labels_match_the_api() -> None:
    assert tuple(DISORDER_LABELS) == DISORDERS


def test_table_has_one_row_per_entry_and_the_documented_columns() -> None:
    table = drug_table()
    assert len(table) == len(load_drugs())
    assert list(table.columns) == [
        "drug",
        "class",
        "mechanism",
        "onset",
        "monitoring",
        "pitfalls",
        "used_in",
        "note",
        "references",
    ]
    assert not table.isna().any().any()
    assert table.loc["rituximab", "class"] == "Anti-CD20 antibody"


def test_targeted_mg_drugs_carry_their_hard_stops() -> None:
    for complement in ("eculizumab", "ravulizumab", "zilucoplan"):
        assert any("Meningococcal" in m for m in drug_for_therapy(complement).monitoring)
    assert any("HBsAg" in m for m in drug_for_therapy("rituximab").monitoring)
    assert any("TPMT" in m for m in drug_for_therapy("azathioprine").monitoring)


def test_approval_timeline_is_chronological_and_current_to_2025() -> None:
    timeline = approval_timeline()
    assert list(timeline["date"]) == sorted(timeline["date"])
    events = " ".join(timeline["event"])
    assert "Inebilizumab" in events and "CIDP" in events
    assert timeline["date"].iloc[-1] >= "2025-12"


def test_approval_timeline_cites_authors_and_years_not_raw_keys() -> None:
    timeline = approval_timeline()
    cells = list(timeline["references"])
    assert all(cells), "every approval cites a source"
    for cell in cells:
        assert not any(key in cell for key in bibliography_keys()), f"raw bibliography key in {cell!r}"
        assert re.search(r"\b(19|20)\d\d\b", cell), f"no year in {cell!r}"
    regain = timeline[timeline["event"].str.contains("Eculizumab approved")]["references"].iloc[0]
    assert "Howard JF Jr et al. 2017" in regain


@pytest.fixture
def broken_drugs(data_copy: Path) -> Callable[[Callable[[dict], None]], None]:
    """Let the test edit drugs.yaml in a copy of data/ that the package reads (``data_copy``)."""

    def edit(change: Callable[[dict], None]) -> None:
        path = data_copy / "drugs.yaml"
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(content)
        path.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")

    return edit


def _first(field: str, value: object) -> Callable[[dict], None]:
    def change(content: dict) -> None:
        content["drugs"][0][field] = value

    return change


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_first("therapy_ids", ["prednisone"]), "unknown therapy id"),
        (_first("class", "cytotoxic"), "disagrees with data/therapies.yaml"),
        (_first("indications", ["als"]), "unknown disorder"),
        (_first("references", ["nosuchkey2099"]), "nosuchkey2099"),
        (_first("references", []), "no citation"),
        (_first("colour", "red"), "colour"),
        (
            _first(
                "approvals", [{"date": "Dec 2025", "event": "something", "references": ["sanders2016mg"]}]
            ),
            "date",
        ),
        (lambda c: c["drugs"].append(dict(c["drugs"][0])), "duplicate id"),
    ],
)
def test_broken_entries_are_refused_with_file_and_fault(broken_drugs, change, expected: str) -> None:
    broken_drugs(change)
    with pytest.raises(DataError) as excinfo:
        load_drugs()
    message = str(excinfo.value)
    assert "drugs.yaml" in message and expected in message


def test_details_html_has_one_block_per_drug_with_formatted_sources() -> None:
    from nmd_immuno.content.drugs import drug_details_html

    page = drug_details_html()
    drugs = load_drugs()
    assert page.count("<details") == len(drugs)
    for drug in drugs:
        assert f"id='drug-{drug.id}'" in page
    # formatted references, not raw keys
    assert html.escape(format_reference("howard2021adapt"), quote=True) in page
    assert "label_vyvgart" not in page


def test_every_therapy_class_has_one_readable_label() -> None:
    """One source of class names (data/therapies.yaml): no class shown as its id with the underscores."""
    from nmd_immuno.content.therapies import class_label, vocabulary

    for cls in vocabulary().classes:
        label = class_label(cls)
        assert "_" not in label and label[0].isupper(), (cls, label)
    assert class_label("fcrn_inhibitor") == "FcRn inhibitor"
    with pytest.raises(ValueError, match=r"therapy class: unknown id 'fcrn'; allowed: .*fcrn_inhibitor"):
        class_label("fcrn")


def test_a_class_without_a_label_is_refused_naming_it() -> None:
    from pydantic import ValidationError

    from nmd_immuno.content.therapies import TherapyVocabulary

    with pytest.raises(ValidationError, match=r"classes without a label \['surgery'\]"):
        TherapyVocabulary(
            classes={"surgery": ["thymectomy"]}, class_labels={}, labels={"thymectomy": "Thymectomy"}
        )
