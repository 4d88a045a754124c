"""The dose calculators in the built book, in Debian chromium with every non-local request blocked.

On each page with a calculator: exactly one tool per place (the working browser tool, no frozen ipywidgets
look-alike); changing inputs shows what the live Python form shows for the same input (the table, notes,
warnings or the refusal message); every control of every calculator responds; labels, keyboard, live region
and a 390 px wide phone screen work.
"""

from __future__ import annotations

from typing import Any

import pytest

from nmd_immuno.dosing.common import Refusal, _cell
from nmd_immuno.widgets import dosing as live
from nmd_immuno.widgets.static_dosing import CALCULATORS

pytestmark = [pytest.mark.slow, pytest.mark.browser]

#: Pages with a dose calculator (the chapters that show ``dose_calculators_tool()``).
PAGES = ["book/dose-calculators.html"]
TIMEOUT_MS = 30_000
TITLES = list(CALCULATORS)


def open_tool(page: Any, visit: Any, path: str) -> Any:
    visit(path)
    tool = page.locator(".nmdd").first
    page.wait_for_selector(".nmdd[data-ready=true]", timeout=TIMEOUT_MS)
    return tool


def choose(tool: Any, title: str) -> None:
    tool.locator(".nmdd-chooser").select_option(label=title)


def updates(tool: Any) -> int:
    return int(tool.get_attribute("data-updates") or 0)


def expected_lines(outcome: Any) -> list[str]:
    """What the page must show, as lines: the table rows, notes and warnings, or the refusal message."""
    if isinstance(outcome, Refusal):
        return [outcome.message]
    rows = [f"{label}\t{_cell(value)}" for label, value in outcome.rows()]
    return rows + list(outcome.notes) + list(outcome.warnings)


def shown_lines(tool: Any) -> list[str]:
    result = tool.locator(".nmdd-result")
    if result.locator(".nmdd-message").count():
        return [result.locator(".nmdd-message").inner_text()]
    rows = [
        f"{row.locator('th').inner_text()}\t{row.locator('td').inner_text()}"
        for row in result.locator("tr").all()
    ]
    items = result.locator(".nmd-dose-notes li, .nmd-dose-warnings li").all_inner_texts()
    return rows + items


def python_form(title: str, changes: dict[str, Any]) -> Any:
    """The live ipywidgets form with the same changes: its result is what Jupyter shows."""
    form = live.FORMS[title]()
    for name, value in changes.items():
        form.controls[name].value = value
    return form.result


#: (calculator tab, control changes) typed into both the live form and the browser form.
CHANGES: list[tuple[str, dict[str, Any]]] = [
    ("IVIG", {"weight_kg": 118.0, "height_cm": 165.0, "age": 68.0}),
    ("IVIG", {"weight_kg": 700.0}),
    ("IVIG", {"days": 1}),
    ("Plasma exchange", {"hematocrit": 38.0}),
    ("Plasma exchange", {"weight_kg": 80.0, "exchanges": 6}),
    ("Corticosteroids", {"weight_kg": 95.0, "bulbar_or_respiratory": True}),
    ("IV methylprednisolone", {"weight_kg": 25.0}),
    ("Rituximab", {"height_cm": 250.0, "weight_kg": 290.0}),
    ("Rituximab", {"hbv_screened": False}),
    ("Azathioprine", {"tpmt": "intermediate", "xanthine_oxidase_inhibitor": True}),
    ("Azathioprine", {"nudt15": "poor"}),
    ("Methotrexate", {"egfr_ml_min": 45.0, "weekly_mg": 7.5}),
    ("Methotrexate", {"schedule": "daily"}),
    ("Mycophenolate", {"daily_g": 2.3}),
    ("Mycophenolate", {"planning_pregnancy": True}),
    ("Complement inhibitors", {"drug": "ravulizumab", "weight_kg": 82.0}),
    ("Complement inhibitors", {"age": 15.0}),
    ("FcRn inhibitors", {"weight_kg": 130.0}),
    ("FcRn inhibitors", {"drug": "efgartigimod_sc", "weight_kg": 40.0}),
    ("FcRn inhibitors", {"drug": "nipocalimab", "age": 16.0, "antibody": "musk"}),
]


def set_browser(tool: Any, title: str, changes: dict[str, Any]) -> None:
    """Type or pick each change the way a reader does (fill, select, check)."""
    form = live.FORMS[title]()
    for name, value in changes.items():
        field = tool.locator(f".nmdd-field[data-name={name}]")
        control = form.controls[name]
        if isinstance(value, bool):
            field.locator("input").set_checked(value)
        elif hasattr(control, "options"):
            label = next(str(label) for label, v in control._options_full if v == value)
            field.locator("select").select_option(label=label)
        else:
            field.locator("input").fill(f"{value:g}")


@pytest.mark.parametrize("path", PAGES)
def test_each_tool_once_and_no_frozen_widget(page: Any, visit: Any, path: str) -> None:
    tool = open_tool(page, visit, path)
    assert page.locator(".nmdd").count() == 1
    assert tool.is_visible()
    # The ipywidgets Tab of the same output is not on the static page (the browser tool took its place).
    assert page.locator(".widget-tab, .nmd-dose-tabs").count() == 0
    assert page.problems == []


@pytest.mark.parametrize("path", PAGES)
def test_inputs_show_what_python_shows(page: Any, visit: Any, path: str) -> None:
    tool = open_tool(page, visit, path)
    for title, changes in CHANGES:
        choose(tool, title)
        set_browser(tool, title, changes)
        expected = expected_lines(python_form(title, changes))
        assert shown_lines(tool) == expected, f"{title} {changes}"
    assert page.problems == []


@pytest.mark.parametrize("path", PAGES)
def test_no_control_is_dead(page: Any, visit: Any, path: str) -> None:
    """Every control of every calculator recomputes the result when it changes."""
    tool = open_tool(page, visit, path)
    checked = 0
    for title in TITLES:
        choose(tool, title)
        for field in tool.locator(".nmdd-panel .nmdd-field").all():
            before = updates(tool)
            if field.locator("select").count():
                select = field.locator("select")
                count = select.locator("option").count()
                current = int(select.input_value())
                select.select_option(index=(current + 1) % count)
            elif field.locator("input[type=checkbox]").count():
                field.locator("input[type=checkbox]").first.click()
            else:
                box = field.locator("input")
                box.fill(box.input_value() + "1")
            assert updates(tool) > before, f"{title}: {field.get_attribute('data-name')} changed nothing"
            checked += 1
    assert checked >= 45
    assert page.problems == []


@pytest.mark.parametrize("path", PAGES)
def test_labels_keyboard_live_region_and_phone(page: Any, visit: Any, path: str) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    tool = open_tool(page, visit, path)
    assert tool.locator(".nmdd-result").get_attribute("aria-live") == "polite"
    for title in TITLES:
        choose(tool, title)
        for control in tool.locator(".nmdd-form input, .nmdd-form select").all():
            control_id = control.get_attribute("id")
            assert control_id and tool.locator(f"label[for='{control_id}']").count() == 1, control_id
    # Keyboard alone: focus the weight box with Tab, type a new weight, and the result follows.
    choose(tool, "IVIG")
    tool.locator(".nmdd-chooser").focus()
    weight = tool.locator(".nmdd-field[data-name=weight_kg] input")
    for _ in range(10):
        page.keyboard.press("Tab")
        if weight.evaluate("el => el === document.activeElement"):
            break
    assert weight.evaluate("el => el === document.activeElement"), "weight box not reachable with Tab"
    outline = weight.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none", "no visible focus"
    page.keyboard.press("Control+A")
    page.keyboard.type("700")
    assert "weight_kg: 700 is outside the allowed range" in tool.locator(".nmdd-result").inner_text()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways at 390 px ({width} px)"
    box = tool.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert page.problems == []
