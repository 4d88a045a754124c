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
