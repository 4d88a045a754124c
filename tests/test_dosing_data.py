"""data/dosing.yaml: it loads, every clinical number is cited, and a broken edit fails with file and key."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel

from nmd_immuno.content.bibliography import bibliography_keys
from nmd_immuno.dosing import dosing_parameters, plasma_exchange_plan
from nmd_immuno.dosing.parameters import IVIG_RISK_FACTORS
from nmd_immuno.errors import DataError


@pytest.fixture
def broken_dosing(data_copy: Path) -> Callable[[Callable[[dict], None]], None]:
    """Let the test edit dosing.yaml in a copy of data/ that the package reads (``data_copy``)."""

    def edit(change: Callable[[dict], None]) -> None:
        path = data_copy / "dosing.yaml"
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(content)
        path.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")

    return edit


def test_the_real_file_loads_and_every_reference_resolves() -> None:
    params = dosing_parameters()
    keys = bibliography_keys()
    cited: list[str] = []

    def walk(node: object) -> None:
        refs = getattr(node, "references", None)
        if refs is not None:
            cited.extend(refs)
        if isinstance(node, BaseModel):
            for name in type(node).model_fields:
                walk(getattr(node, name))
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(params)
    assert len(cited) > 50
    assert set(cited) <= keys


def test_the_brief_limits_are_the_input_limits() -> None:
    limits = dosing_parameters().input_limits
    assert (limits.weight_kg.min, limits.weight_kg.max) == (2, 350)
    assert (limits.height_cm.min, limits.height_cm.max) == (40, 250)
    assert (limits.hematocrit.min, limits.hematocrit.max) == (0.1, 0.7)
    assert (limits.age.min, limits.age.max) == (0, 110)


def _set(path: list[str], value: object) -> Callable[[dict], None]:
    def change(content: dict) -> None:
        node = content
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return change


@pytest.mark.parametrize(
    ("change", "location"),
    [
        (_set(["ivig", "g_per_kg", "references"], ["nosuchkey2099"]), "ivig.g_per_kg"),
        (_set(["ivig", "g_per_kg", "references"], []), "ivig.g_per_kg"),
        (_set(["ivig", "g_per_kg", "min"], 5.0), "ivig.g_per_kg"),
        (_set(["ivig", "g_per_kg", "typo"], 1), "ivig.g_per_kg"),
        (_set(["plasma_exchange", "epv_l_per_kg", "value"], "0.07 L/kg"), "plasma_exchange.epv_l_per_kg"),
        (_set(["corticosteroids", "prednisone", "indications", "cidp", "ceiling_mg"], 150), "prednisone"),
        (_set(["rituximab", "regimens", "1000_mg_x2", "mg_per_m2"], 375), "rituximab.regimens"),
    ],
)
def test_broken_edit_fails_naming_file_and_key(broken_dosing, change, location: str) -> None:
    broken_dosing(change)
    with pytest.raises(DataError) as excinfo:
        dosing_parameters()
    message = str(excinfo.value)
    assert message.startswith("data/dosing.yaml") or "dosing.yaml" in message.split(":")[0]
    assert location in message


def test_missing_risk_factor_is_refused(broken_dosing) -> None:
    broken_dosing(lambda content: content["ivig"]["risk_factors"].pop(IVIG_RISK_FACTORS[0]))
    with pytest.raises(DataError, match=IVIG_RISK_FACTORS[0]):
        dosing_parameters()


def test_an_edited_number_changes_the_result(broken_dosing) -> None:
    # The calculators read the file, not constants in code: a different Kaplan factor changes the volume,
    # and the edit is picked up without restarting Python (the cache follows the file's modification time).
    assert plasma_exchange_plan(70, 0.4).estimated_plasma_volume_l == pytest.approx(0.07 * 70 * 0.6)
    broken_dosing(_set(["plasma_exchange", "epv_l_per_kg", "value"], 0.065))
    assert plasma_exchange_plan(70, 0.4).estimated_plasma_volume_l == pytest.approx(0.065 * 70 * 0.6)


def test_complement_loading_doses_must_end_before_maintenance_starts(broken_dosing) -> None:
    # Ravulizumab: one loading dose (week 0), maintenance from week 2. Five loading doses would run into
    # weeks where maintenance is already given.
    def change(content: dict) -> None:
        drug = content["complement_inhibitors"]["drugs"]["ravulizumab"]
        drug["bands"][0]["loading_mg"] = [2400] * (drug["maintenance_from_week"] + 1)

    broken_dosing(change)
    with pytest.raises(DataError) as excinfo:
        dosing_parameters()
    message = str(excinfo.value)
    assert "dosing.yaml" in message and "complement_inhibitors" in message
    assert "loading doses" in message and "maintenance_from_week" in message


def test_complement_loading_doses_up_to_the_maintenance_week_are_accepted(broken_dosing) -> None:
    def change(content: dict) -> None:
        drug = content["complement_inhibitors"]["drugs"]["ravulizumab"]
        drug["bands"][0]["loading_mg"] = [2400] * drug["maintenance_from_week"]

    broken_dosing(change)
    weeks = dosing_parameters().complement_inhibitors.drugs["ravulizumab"].maintenance_from_week
    assert len(dosing_parameters().complement_inhibitors.drugs["ravulizumab"].bands[0].loading_mg) == weeks


def test_fcrn_mg_per_kg_loading_dose_cannot_sit_beside_weight_bands(broken_dosing) -> None:
    broken_dosing(_set(["fcrn_inhibitors", "drugs", "rozanolixizumab", "loading_mg_per_kg"], 30))
    with pytest.raises(DataError) as excinfo:
        dosing_parameters()
    message = str(excinfo.value)
    assert "dosing.yaml" in message and "fcrn_inhibitors" in message
    assert "loading_mg_per_kg cannot be combined with bands" in message
