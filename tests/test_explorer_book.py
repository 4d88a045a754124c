"""The algorithm explorer in the built book, in Debian chromium with every non-local request blocked.

On each disorder chapter (the ``page`` fixture of tests/conftest.py fails on any console error, failed
request or request leaving the machine): exactly one explorer, the browser one, and no frozen ipywidgets
explorer beside it; its script, stylesheet and json-logic-js are loaded once, from the book itself, and the
output carries only data; changing one field changes the recommendation to what :func:`nmd_immuno.recommend`
gives for the same patient, and the flowchart's highlighted path (nodes, rules, edges) to Python's path.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from chapters import DISORDER_CHAPTERS
from pathway_helpers import walked_edges

from nmd_immuno.content.patient_fields import load_patient_fields
from nmd_immuno.engine import Recommendation, load_pathway, recommend
from nmd_immuno.errors import PatientError

pytestmark = [pytest.mark.slow, pytest.mark.browser]

TIMEOUT_MS = 15_000


def one_field_change(disorder: str) -> tuple[str, dict[str, Any], str, str]:
    """(preset id, its patient, a choice field, a value) such that the change alters what is offered."""
    specs = load_patient_fields().fields_for(disorder)
    for preset_id, preset in load_pathway(disorder).presets.items():
        before = recommend(disorder, preset.patient).therapies
        for name, spec in specs.items():
            if spec.type != "choice":
                continue
            for value in spec.values or []:
                changed = {**copy.deepcopy(preset.patient), name: value}
                try:
                    if recommend(disorder, changed).therapies != before:
                        return preset_id, preset.patient, name, value
                except PatientError:
                    continue
    raise AssertionError(f"{disorder}: no preset whose offers one choice field changes")


def chart_path(explorer: Any) -> set[str]:
    prefix = explorer.get_attribute("id")
    ids = explorer.locator(".nmdx-chart g.nmd-on-path").evaluate_all("gs => gs.map(g => g.id)")
    return {i.removeprefix(prefix + "-") for i in ids}


def python_chart_path(disorder: str, rec: Recommendation) -> set[str]:
    edges = walked_edges(disorder, [rec])
    return {f"node-{step.id}" for step in rec.path} | {f"edge-{a}-{b}" for a, b in edges}


def offered(explorer: Any) -> list[str]:
    return explorer.locator(".nmdx-result .nmd-therapies li").evaluate_all(
        "items => items.map(li => li.getAttribute('data-therapy'))"
    )


def wait_for_offered(page: Any, therapies: list[str]) -> None:
    page.wait_for_function(
        "want => JSON.stringify(Array.from(document.querySelectorAll('.nmdx .nmdx-result .nmd-therapies li'))"
        ".map(li => li.getAttribute('data-therapy'))) === JSON.stringify(want)",
        arg=therapies,
        timeout=TIMEOUT_MS,
    )


@pytest.mark.parametrize("disorder", list(DISORDER_CHAPTERS))
def test_chapter_explorer_responds_and_its_flowchart_follows(page: Any, book_url: str, disorder: str) -> None:
    doc = DISORDER_CHAPTERS[disorder]
    page.goto(book_url + f"{doc}.html", wait_until="load")
    page.wait_for_selector(f'.nmdx[data-disorder="{disorder}"][data-ready="yes"]', timeout=TIMEOUT_MS)
    # Each tool once: one explorer, and no widget explorer (frozen without a kernel) on the page.
    assert page.locator(".nmdx").count() == 1
    assert page.locator(".nmd-algorithm-explorer").count() == 0
    # The script loads once per page, from the book; the output itself carries data, no code.
    scripts = page.locator("script[src]").evaluate_all("ss => ss.map(s => s.getAttribute('src'))")
    assert sum("nmd-explorer.js" in src for src in scripts) == 1, scripts
    assert sum("json-logic-js/logic.js" in src for src in scripts) == 1, scripts
    assert page.locator(".nmdx script").count() == 1
    assert page.locator('.nmdx script[type="application/json"]').count() == 1
    inline = page.locator("script:not([src])").evaluate_all("ss => ss.map(s => s.textContent)")
    assert not any("NMDExplorer" in text or "buildContext" in text for text in inline)

    explorer = page.locator(".nmdx")
    preset_id, patient, field, value = one_field_change(disorder)
    explorer.locator("select.nmdx-preset").select_option(preset_id)
    before = recommend(disorder, patient)
    wait_for_offered(page, before.therapies)
    assert chart_path(explorer) == python_chart_path(disorder, before)

    explorer.locator(f'.nmdx-form select[name="{field}"]').select_option(value)
    after = recommend(disorder, {**patient, field: value})
    wait_for_offered(page, after.therapies)
    steps = explorer.locator(".nmdx-result .nmd-path li").evaluate_all(
        "items => items.map(li => li.getAttribute('data-step'))"
    )
    assert steps == [step.id for step in after.path]
    assert chart_path(explorer) == python_chart_path(disorder, after)
    assert page.problems == [], f"{doc}: {page.problems}"
