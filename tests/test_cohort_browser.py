"""The cohort simulator of the built book in Chromium, every non-local request blocked (the ``page`` fixture).

On each chapter with a simulator: the page carries the payload Python builds for the chapter's options (the
view's data are the Python runs), operating each control (strategy A and B, patients, seed, months) changes
the plot and the table at once, and what is shown equals what Python computes for that choice, run afresh;
the tool works with the keyboard alone, with a visible focus ring, and announces each result in a live
region; no frozen ipywidgets simulator is on the page.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from nmd_immuno.simulate import compare_strategies, summarize_cohorts
from nmd_immuno.simulate.plotting import trajectory_table
from nmd_immuno.widgets.static_cohort import DECIMALS, cohort_view_payload, summary_texts

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CHAPTERS = {
    "myasthenia_gravis": "book/myasthenia-gravis.html",
    "cidp": "book/cidp.html",
    "mmn": "book/mmn.html",
    "paraproteinemic": "book/paraproteinemic-neuropathies.html",
    "myositis": "book/inflammatory-myopathies.html",
}
CONTROLS = ("a", "b", "size", "seed", "months")

SHOWN = """(root) => ({
    state: JSON.parse(root.getAttribute('data-state')),
    headers: Array.from(root.querySelectorAll('.nmdc-summary thead th')).map((th) => th.textContent),
    rows: Array.from(root.querySelectorAll('.nmdc-summary tbody tr')).map(
        (tr) => Array.from(tr.children).map((cell) => cell.textContent)),
    lines: Array.from(root.querySelectorAll('.nmdc-svg')).map((svg) => Array.from(
        svg.querySelectorAll('polyline')).map((line) => line.getAttribute('data-values'))),
    status: root.querySelector('.nmdc-status').textContent,
    call: root.querySelector('.nmdc-call code').textContent,
})"""


def open_tool(page: Any, visit: Any, disorder: str) -> Any:
    visit(CHAPTERS[disorder])
    tools = page.locator(".nmdc")
    assert tools.count() == 1, f"{disorder}: {tools.count()} cohort views"
    page.wait_for_selector(".nmdc[data-state]")
    return tools.first


def payload_of(tool: Any) -> dict[str, Any]:
    return json.loads(tool.locator(".nmdc-data").text_content())


def python_view(disorder: str, state: dict[str, Any]) -> dict[str, Any]:
    """What the page must show for ``state``, computed now by the package's public functions."""
    ids = [state["a"]] if state["a"] == state["b"] else [state["a"], state["b"]]
    cohorts = compare_strategies(
        disorder, ids, n_patients=state["size"], months=state["months"], seed=state["seed"]
    )
    measures, columns = summary_texts(summarize_cohorts(cohorts))
    rows = [[measure, *(columns[name][i] for name in ids)] for i, measure in enumerate(measures)]
    tables = [trajectory_table(cohorts[name]) for name in ids]
    means = [" ".join(_js_number(round(float(v), DECIMALS)) for v in t["mean"]) for t in tables]
    responders = [
        " ".join(_js_number(round(round(float(v), DECIMALS) * 1e6) / 1e4) for v in t["responders"])
        for t in tables
    ]
    return {
        "rows": rows,
        "lines": [means, responders],
        "labels": [cohorts[name].attrs["strategy_label"] for name in ids],
    }


def _js_number(value: float) -> str:
    """How JavaScript's String(number) writes the numbers stored in the payload (no trailing .0)."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def assert_shows_python(disorder: str, shown: dict[str, Any]) -> None:
    want = python_view(disorder, shown["state"])
    assert shown["rows"] == want["rows"], shown["state"]
    assert shown["lines"] == want["lines"], shown["state"]
    assert shown["headers"] == ["Measure", *want["labels"]]


@pytest.mark.parametrize("disorder", list(CHAPTERS))
def test_page_data_are_the_python_runs(page: Any, visit: Any, disorder: str) -> None:
    tool = open_tool(page, visit, disorder)
    payload = payload_of(tool)
    d = payload["defaults"]
    rebuilt = cohort_view_payload(
        disorder,
        months=payload["months"],
        sizes=payload["sizes"],
        seeds=payload["seeds"],
        default=(d["a"], d["b"]),
        default_size=d["size"],
    )
    assert payload == rebuilt
    # Nothing frozen: no ipywidgets simulator (its image and Run button) anywhere on the page.
    assert page.locator(".widget-image").count() == 0
    assert page.locator("button:has-text('Run')").count() == 0
    assert page.problems == []


@pytest.mark.parametrize("disorder", list(CHAPTERS))
def test_every_control_changes_plot_and_table_to_what_python_shows(
    page: Any, visit: Any, disorder: str
) -> None:
    tool = open_tool(page, visit, disorder)
    payload = payload_of(tool)
    shown = tool.evaluate(SHOWN)
    assert_shows_python(disorder, shown)
    values = {
        "a": [s["id"] for s in payload["strategies"]],
        "b": [s["id"] for s in payload["strategies"]],
        "size": payload["sizes"],
        "seed": payload["seeds"],
        "months": payload["months"],
    }
    for control in CONTROLS:
        current = shown["state"][control]
        other = next(value for value in values[control] if value != current)
        tool.locator(f"select[id$='-{control}']").select_option(str(other))
        after = tool.evaluate(SHOWN)
        assert after["state"][control] == other, control
        assert after["lines"] != shown["lines"] or after["rows"] != shown["rows"], (
            f"{control}: nothing changed"
        )
        assert after["status"] != shown["status"], f"{control}: no announcement"
        assert str(other) in after["call"] or control in {"a", "b"}
        assert_shows_python(disorder, after)
        shown = after
    assert page.problems == []


def test_keyboard_alone_with_visible_focus_and_announcements(page: Any, visit: Any) -> None:
    tool = open_tool(page, visit, "cidp")
    status = tool.locator(".nmdc-status")
    assert status.get_attribute("role") == "status" and status.get_attribute("aria-live") == "polite"
    tool.locator(".nmdc-title").click()  # a place just before the controls, then Tab only
    before = tool.evaluate(SHOWN)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.id")
    assert focused.endswith("-a"), focused
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineWidth")
    assert float(outline.removesuffix("px")) >= 2, outline
    label = page.evaluate("document.querySelector(`label[for='${document.activeElement.id}']`).textContent")
    assert label == "Strategy A"
    for _ in range(4):  # to the months select
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id").endswith("-months")
    page.keyboard.press("ArrowUp")
    after = tool.evaluate(SHOWN)
    assert after["state"]["months"] != before["state"]["months"]
    assert after["status"] != before["status"] and "months" in after["status"]
    assert_shows_python("cidp", after)
    assert page.problems == []


def test_phone_the_tool_fits_the_screen(browser: Any, book_url: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        tab = context.new_page()
        tab.route(
            "**/*",
            lambda route: route.continue_() if route.request.url.startswith(book_url) else route.abort(),
        )
        tab.goto(book_url + CHAPTERS["myasthenia_gravis"], wait_until="networkidle")
        tab.wait_for_selector(".nmdc[data-state]")
        box = tab.locator(".nmdc").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
        for control in CONTROLS:
            select = tab.locator(f".nmdc select[id$='-{control}']").bounding_box()
            assert select is not None and select["x"] + select["width"] <= 390, (control, select)
        assert tab.evaluate("document.scrollingElement.scrollWidth") <= 390
    finally:
        context.close()
