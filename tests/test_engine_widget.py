"""The algorithm explorer driven from Python (no browser): wiring, messages, presets, reset, fallback."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from nmd_immuno import DISORDERS, recommend
from nmd_immuno.engine import preset_patients
from nmd_immuno.flowchart import INSTALL_HINT, dot_available
from nmd_immuno.widgets.algorithm import AlgorithmExplorer, algorithm_explorer

MG = "myasthenia_gravis"


@pytest.fixture
def explorer() -> AlgorithmExplorer:
    return algorithm_explorer(MG)


def offered(widget: AlgorithmExplorer) -> list[str]:
    assert widget.recommendation is not None, widget.message.value
    return widget.recommendation.therapies


def test_starts_on_a_preset_and_matches_the_engine(explorer: AlgorithmExplorer) -> None:
    first = next(iter(preset_patients(MG).values()))
    assert offered(explorer) == recommend(MG, first).therapies
    for therapy in offered(explorer):
        assert f'data-therapy="{therapy}"' in explorer.result.value
    assert explorer.message.value == ""


def test_controls_come_from_the_patient_fields(explorer: AlgorithmExplorer) -> None:
    assert {
        "age",
        "sex",
        "weight_kg",
        "pregnant",
        "antibody",
        "distribution",
        "mgfa_class",
        "thymoma",
        "crisis",
        "planning_pregnancy",
    } == set(explorer.controls)
    assert {
        "pyridostigmine",
        "corticosteroids",
        "azathioprine",
        "eculizumab",
        "rituximab",
        "thymectomy",
    } <= set(explorer.history)


def test_changing_the_antibody_changes_the_offer(explorer: AlgorithmExplorer) -> None:
    explorer.preset.value = "refractory_achr"
    assert "eculizumab" in offered(explorer) and "rituximab" not in offered(explorer)
    explorer.controls["antibody"].value = "musk"
    assert "rituximab" in offered(explorer) and "eculizumab" not in offered(explorer)
    assert 'data-therapy="rituximab"' in explorer.result.value


def test_history_dropdowns_move_the_patient_along(explorer: AlgorithmExplorer) -> None:
    explorer.preset.value = "new_achr_gmg"
    assert "corticosteroids" in offered(explorer)
    explorer.history["corticosteroids"].value = "relapse_on_taper"
    assert "azathioprine" in offered(explorer)
    explorer.history["azathioprine"].value = "intolerant"
    assert "azathioprine" not in offered(explorer) and "azathioprine" in explorer.recommendation.avoid


def test_every_preset_can_be_shown(explorer: AlgorithmExplorer) -> None:
    for preset_id, patient in preset_patients(MG).items():
        explorer.preset.value = preset_id
        assert explorer.patient()["history"] == patient.get("history", {}), preset_id
        assert offered(explorer) == recommend(MG, patient).therapies, preset_id


def test_invalid_combination_shows_the_engine_message(explorer: AlgorithmExplorer) -> None:
    explorer.controls["sex"].value = "male"
    explorer.controls["pregnant"].value = True
    assert explorer.recommendation is None
    assert "invalid combination" in explorer.message.value and "pregnant" in explorer.message.value
    assert "Traceback" not in explorer.message.value and explorer.result.value == ""
    explorer.controls["pregnant"].value = False
    assert explorer.message.value == "" and offered(explorer)


def test_bad_numbers_show_the_engine_message(explorer: AlgorithmExplorer) -> None:
    explorer.controls["weight_kg"].value = "seventy"
    assert "weight_kg" in explorer.message.value and "not a number" in explorer.message.value
    explorer.controls["weight_kg"].value = "70"
    explorer.controls["age"].value = 140
    assert "age" in explorer.message.value and "0 to 110" in explorer.message.value


def test_reset_returns_to_the_start(explorer: AlgorithmExplorer) -> None:
    start = offered(explorer)
    explorer.preset.value = "crisis"
    assert offered(explorer) != start
    explorer.reset.click()
    assert offered(explorer) == start and explorer.preset.value is None


@pytest.mark.skipif(not dot_available(), reason="graphviz 'dot' is not installed")
def test_flowchart_follows_the_patient(explorer: AlgorithmExplorer) -> None:
    explorer.preset.value = "crisis"
    assert "<svg" in explorer.chart.value and "node&#45;crisis_rescue" in explorer.chart.value


def test_without_dot_the_widget_shows_an_outline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    widget = algorithm_explorer(MG)
    chart = html.unescape(widget.chart.value)
    assert "<svg" not in chart
    assert INSTALL_HINT in chart and "brew install graphviz" in chart
    assert widget.recommendation is not None
    for step in widget.recommendation.path:
        assert step.title in chart


def test_a_disorder_whose_pathway_file_is_missing_says_so(data_copy: Path) -> None:
    (data_copy / "algorithms" / "cidp.yaml").unlink()
    widget = algorithm_explorer("cidp")
    assert "not yet in the course" in widget.message.value and widget.recommendation is None


@pytest.mark.parametrize("disorder", DISORDERS)
def test_every_disorder_explorer_starts_on_a_recommendation_and_runs_its_presets(disorder: str) -> None:
    widget = algorithm_explorer(disorder)
    assert widget.recommendation is not None and widget.recommendation.path, widget.message.value
    for name, patient in preset_patients(disorder).items():
        widget.apply(patient)
        assert widget.recommendation is not None, f"{disorder} preset {name}: {widget.message.value}"
        assert widget.recommendation.therapies or widget.recommendation.warnings, f"{disorder} preset {name}"
