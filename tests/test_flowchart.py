"""Flowcharts: every node drawn, the patient's path highlighted, and a text fallback without graphviz's
``dot``.
"""

from __future__ import annotations

import html
import itertools
import re
from pathlib import Path

import pytest

from nmd_immuno import recommend
from nmd_immuno.engine import load_pathway, preset_patients
from nmd_immuno.flowchart import (
    INSTALL_HINT,
    FlowchartUnavailable,
    dot_available,
    flowchart_dot,
    flowchart_svg,
    svg_highlighted_ids,
    svg_node_ids,
)

MG = "myasthenia_gravis"
needs_dot = pytest.mark.skipif(not dot_available(), reason="graphviz 'dot' is not installed")


@pytest.fixture
def no_dot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A PATH without graphviz, as on a resident's laptop."""
    monkeypatch.setenv("PATH", str(tmp_path))


@needs_dot
def test_every_node_and_rule_is_drawn() -> None:
    algorithm = load_pathway(MG)
    svg = flowchart_svg(MG)
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert set(svg_node_ids(svg)) == {n.id for n in algorithm.nodes} | {r.id for r in algorithm.rules}
    assert svg_highlighted_ids(svg) == []


@needs_dot
@pytest.mark.parametrize("preset", ["musk_woman", "crisis", "ocular", "refractory_achr"])
def test_the_path_is_highlighted(preset: str) -> None:
    rec = recommend(MG, preset_patients(MG)[preset])
    svg = flowchart_svg(MG, rec)
    assert set(svg_highlighted_ids(svg)) == {step.id for step in rec.path}
    text = html.unescape(svg)
    walked = [s.id for s in rec.path if s.kind != "rule"]
    for source, target in itertools.pairwise(walked):
        assert re.search(rf'<g id="edge-{source}-{target}" class="edge nmd-edge nmd-on-path"', text)


@needs_dot
def test_different_patients_give_different_highlights() -> None:
    presets = preset_patients(MG)
    crisis = svg_highlighted_ids(flowchart_svg(MG, recommend(MG, presets["crisis"])))
    ocular = svg_highlighted_ids(flowchart_svg(MG, recommend(MG, presets["ocular"])))
    assert "crisis_rescue" in crisis and "crisis_rescue" not in ocular
    assert "ocular_prednisone" in ocular


@needs_dot
def test_path_may_be_given_as_ids_or_steps() -> None:
    rec = recommend(MG, preset_patients(MG)["thymoma"])
    as_rec = flowchart_svg(MG, rec)
    assert flowchart_svg(MG, rec.path) == as_rec
    assert flowchart_svg(MG, [s.id for s in rec.path]) == as_rec


@needs_dot
def test_svg_is_inline_ready_and_offline() -> None:
    svg = flowchart_svg(MG)
    assert "<?xml" not in svg and "<!DOCTYPE" not in svg
    assert not re.search(r'(href|src)="https?://', svg)


@needs_dot
def test_offers_appear_in_the_boxes() -> None:
    text = html.unescape(flowchart_svg(MG))
    assert "Rituximab (MuSK+)" in text and "Eculizumab" in text


def test_dot_source_needs_no_graphviz_binary(no_dot: None) -> None:
    rec = recommend(MG, preset_patients(MG)["crisis"])
    source = flowchart_dot(MG, rec)
    assert "digraph myasthenia_gravis {" in source and "crisis_rescue" in source and "nmd-on-path" in source


def test_without_dot_the_svg_is_refused_with_a_hint(no_dot: None) -> None:
    assert not dot_available()
    with pytest.raises(FlowchartUnavailable) as info:
        flowchart_svg(MG)
    assert str(info.value) == INSTALL_HINT and "brew install graphviz" in INSTALL_HINT


def test_unknown_disorder_is_a_patient_error() -> None:
    from nmd_immuno import PatientError

    with pytest.raises(PatientError):
        flowchart_dot("myasthenia")


@needs_dot
def test_html_keeps_the_drawing_at_natural_size_in_a_scrolling_container() -> None:
    """A wide pathway must not be shrunk to the column (3-4 px text): it scrolls sideways instead."""
    from bs4 import BeautifulSoup

    from nmd_immuno.flowchart import flowchart_html, svg_width

    rec = recommend(MG, preset_patients(MG)["crisis"])
    page = flowchart_html(MG, rec)
    box = BeautifulSoup(page, "html.parser").div
    assert "nmd-flowchart" in box["class"]
    style = box["style"].replace(" ", "")
    assert "overflow-x:auto" in style and "max-width:100%" in style
    assert box.get("tabindex") == "0" and box.get("role") == "region"
    svg = box.find("svg")
    assert "max-width:none" in svg["style"].replace(" ", "")
    # Pixels as drawn (wider than the column here), not a percentage of the column.
    drawn = svg_width(flowchart_svg(MG, rec))
    assert svg["width"] == f"{drawn:g}px" and drawn > 700
    assert set(svg_highlighted_ids(page)) == {step.id for step in rec.path}


@needs_dot
def test_svg_is_named_for_readers_not_by_a_file_path() -> None:
    from bs4 import BeautifulSoup

    from nmd_immuno.flowchart import flowchart_alt, flowchart_html

    title = load_pathway(MG).title
    with_path = BeautifulSoup(flowchart_html(MG, ["crisis_rescue"]), "html.parser")
    svg = with_path.find("svg")
    name = f"Treatment pathway for {title}; highlighted: this patient's path"
    assert flowchart_alt(MG, ["crisis_rescue"]) == name
    assert svg["role"] == "img" and svg["aria-label"] == name
    assert svg.find("title").get_text() == name  # the first child: the SVG's own accessible name
    assert with_path.div["aria-label"].startswith(name)
    without = BeautifulSoup(flowchart_svg(MG), "html.parser").find("svg")
    assert without["aria-label"] == f"Treatment pathway for {title}"


@needs_dot
@pytest.mark.parametrize("disorder", ["cidp", "mmn", MG, "myositis", "paraproteinemic"])
def test_wide_pathways_take_the_narrower_layout(disorder: str) -> None:
    """Top to bottom when it fits the column; otherwise whichever of the two layouts is narrower."""
    from nmd_immuno.flowchart import COLUMN_WIDTH_PX, _svg, svg_width

    shown = svg_width(flowchart_svg(disorder))
    widths = {rankdir: svg_width(_svg(flowchart_dot(disorder, rankdir=rankdir))) for rankdir in ("TB", "LR")}
    if widths["TB"] <= COLUMN_WIDTH_PX:
        assert shown == widths["TB"]
    else:
        assert shown == min(widths.values())


def test_unknown_layout_direction_is_refused_with_the_allowed_ones() -> None:
    with pytest.raises(ValueError, match=r"rankdir: 'BT' is not allowed; allowed: 'TB', 'LR'"):
        flowchart_dot(MG, rankdir="BT")
