"""The currency file (data/currency.yaml) and the "What changed since the last edition" section of each chapter.

Why: a therapy's status goes out of date first, and a wrong "approved" misleads a resident more than a missing
line. These tests hold the file to its rules (valid status, dated, every key in the bibliography, confirmed
statements cited, unconfirmed ones saying what is open), check that the topics the course promises are
there with the status its sources support, and that every chapter shows its section.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from chapter_helpers import ROOT, chapter_text, code_cells, has_heading, hides_input

from nmd_immuno import DISORDERS
from nmd_immuno.content.bibliography import bibliography_keys
from nmd_immuno.content.currency import STATUS_LABELS, currency_html, items_for, load_currency
from nmd_immuno.errors import DataError

SECTION = "What changed since the last edition"


def _by_id() -> dict:
    return {entry.id: entry for entry in load_currency().items}


def test_every_status_is_valid_and_every_reference_resolves() -> None:
    keys = bibliography_keys()
    currency = load_currency()
    for entry in currency.items:
        assert entry.status in STATUS_LABELS, entry.id
        assert set(entry.references) <= keys, entry.id
        assert entry.as_of <= currency.edition, entry.id
        if entry.confirmed:
            assert entry.references, entry.id
        else:
            assert entry.to_check.strip(), entry.id
    for change in currency.course_changes:
        assert change.references and set(change.references) <= keys


@pytest.mark.parametrize("disorder", DISORDERS)
def test_every_disorder_has_dated_entries(disorder: str) -> None:
    assert items_for(disorder), disorder


def test_the_topics_of_the_issue_are_covered_with_the_status_the_sources_support() -> None:
    entries = _by_id()
    expected = {
        "mg-inebilizumab": "approved",  # 11 Dec 2025, AChR+ or MuSK+
        "mg-nipocalimab": "approved",
        "mg-efgartigimod-seronegative": "phase3",  # approval outcome not confirmed
        "mg-cell-therapy": "investigational",
        "mg-pipeline": "investigational",
        "cidp-riliprubart": "investigational",  # phase 3 stopped for futility
        "cidp-fcrn-pipeline": "investigational",
        "myo-brepocitinib": "phase3",  # approval not confirmed
        "myo-efgartigimod-alkivia": "phase3",
        "myo-cd19-cart": "investigational",
        "myo-ici-abatacept": "investigational",
        "mmn-empasiprubart": "phase3",
    }
    for item_id, status in expected.items():
        assert entries[item_id].status == status, item_id
    pipeline = entries["mg-pipeline"].item
    for name in ("gefurulimab", "pozelimab", "cemdisiran", "batoclimab", "telitacicept"):
        assert name in pipeline.lower(), name
    assert "nipocalimab" in entries["cidp-fcrn-pipeline"].item.lower()
    ici = entries["myo-ici-abatacept"]
    assert "abatacept" in ici.item.lower() and "ruxolitinib" in ici.item.lower()


def test_facts_tagged_to_check_are_not_taught_as_confirmed() -> None:
    """Facts the course's fact base marks [K?] stay unconfirmed until a source is read."""
    entries = _by_id()
    for item_id in ("mg-pipeline", "cidp-fcrn-pipeline", "myo-ici-abatacept", "para-btk-inhibitors"):
        assert not entries[item_id].confirmed, item_id
    # Pending regulatory decisions are never shown as approvals.
    assert "not confirm" in entries["mg-efgartigimod-seronegative"].to_check
    assert "approved" in entries["myo-brepocitinib"].to_check.lower()


def test_confirmed_figures_match_the_sources() -> None:
    entries = _by_id()
    assert "0.0068" in entries["mg-efgartigimod-seronegative"].statement
    assert "11 December 2025" in entries["mg-inebilizumab"].statement
    assert "29 April 2025" in entries["mg-nipocalimab"].statement
    assert "12 years" in entries["mg-nipocalimab"].statement
    alkivia = entries["myo-efgartigimod-alkivia"].statement
    assert "50.45" in alkivia and "35.65" in alkivia and "0.0004" in alkivia
    assert "46.5" in entries["myo-brepocitinib"].statement and "31.2" in entries["myo-brepocitinib"].statement
    assert "futility" in entries["cidp-riliprubart"].statement


def test_the_rendered_section_marks_status_date_sources_and_open_points() -> None:
    html = currency_html("myasthenia_gravis")
    assert "Edition of 6 December 2026" in html
    assert html.count("class='nmd-currency-item'") == len(items_for("myasthenia_gravis"))
    assert "Approved</span>" in html and "Phase 3</span>" in html
    assert "Investigational (unconfirmed)</span>" in html  # the MG pipeline
    assert "Still to check:" in html and "Unconfirmed:" in html
    assert "No source checked yet." in html
    assert "Wolfe" not in html  # only the MG currency sources, not the whole bibliography
    assert "as of 6 December 2026" in html
    assert "Changes to the course" in html  # the refractory/rituximab rule


def test_the_all_view_labels_each_disorder() -> None:
    html = currency_html("all")
    assert html.count("class='nmd-currency-item'") == len(load_currency().items)
    for label in ("(Myasthenia gravis)", "(CIDP)", "(MMN)", "(Myositis)", "(Paraproteinemic neuropathy)"):
        assert label in html, label
    assert "rituximab calculator" in html  # the general course change


def test_unknown_disorder_is_refused_with_the_allowed_values() -> None:
    with pytest.raises(ValueError, match=r"disorder: got 'gbs'; allowed: cidp, mmn"):
        items_for("gbs")


def _edit(data_copy: Path, change) -> None:
    path = data_copy / "currency.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(raw)
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda raw: raw["items"][0].update(status="approved_in_2027"), "status"),
        (lambda raw: raw["items"][0].update(references=["nosuchkey2099"]), "nosuchkey2099"),
        (lambda raw: raw["items"][0].update(references=[]), "needs at least one bibliography key"),
        (lambda raw: raw["items"][-1].update(to_check=""), "must say what is still to check"),
        (lambda raw: raw["items"][0].update(as_of="2027-01-01"), "after the edition date"),
        (lambda raw: raw["items"][1].update(id=raw["items"][0]["id"]), "duplicate id"),
        (lambda raw: raw["items"][0].update(disorder="gbs"), "disorder"),
    ],
)
def test_bad_entries_are_refused_naming_the_fault(data_copy: Path, change, message: str) -> None:
    _edit(data_copy, change)
    with pytest.raises(DataError, match=re.escape(message)):
        load_currency()


@pytest.mark.parametrize("disorder", DISORDERS)
def test_each_chapter_shows_its_currency_section(disorder: str) -> None:
    text = chapter_text(disorder)
    assert has_heading(text, SECTION), disorder
    section = text.split(f"## {SECTION}", 1)[1].split("\n## ", 1)[0]
    cells = code_cells(section)
    assert any(f'currency_html("{disorder}")' in cell and hides_input(cell) for cell in cells), disorder
    # The section comes before the key points, after the quiz.
    assert text.index(f"## {SECTION}") > text.index("## Quiz")
    assert text.index(f"## {SECTION}") < text.index("## Key points")


def test_principles_chapter_shows_every_entry() -> None:
    text = (ROOT / "book" / "principles.md").read_text(encoding="utf-8")
    assert has_heading(text, SECTION)
    assert 'currency_html("all")' in text.split(f"## {SECTION}", 1)[1].split("\n## ", 1)[0]
