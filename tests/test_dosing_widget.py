"""The dose-calculator widget: default result at construction, recomputation, refusals as messages."""

from __future__ import annotations

import pytest

from nmd_immuno.dosing import IvigDose, Refusal
from nmd_immuno.widgets.dosing import CalculatorForm, dose_calculators


@pytest.fixture(scope="module")
def tab():
    return dose_calculators()


def _form(tab, title: str) -> CalculatorForm:
    return tab.children[tab.titles.index(title)]


def test_tabs_cover_the_required_calculators(tab) -> None:
    for title in ("IVIG", "Plasma exchange", "Corticosteroids", "Rituximab"):
        assert title in tab.titles
    assert len(tab.titles) == len(tab.children)


def test_every_tab_shows_a_real_result_at_construction(tab) -> None:
    for form in tab.children:
        assert not isinstance(form.result, Refusal), form.result
        assert "not a prescription" in form.output.value
        assert "<table" in form.output.value


def test_changing_an_input_recomputes_the_result() -> None:
    form = _form(dose_calculators(), "IVIG")
    form.controls["weight_kg"].value = 80.0
    assert isinstance(form.result, IvigDose) and form.result.actual_weight_kg == 80
    assert f"{form.result.rounded_total_g:g}" in form.output.value


def test_impossible_input_shows_the_refusal_message_not_a_traceback() -> None:
    form = _form(dose_calculators(), "IVIG")
    form.controls["weight_kg"].value = 700.0  # pounds typed as kilograms
    assert isinstance(form.result, Refusal)
    assert "weight_kg" in form.output.value and "350" in form.output.value
    assert "Traceback" not in form.output.value
    form.controls["weight_kg"].value = 70.0
    assert isinstance(form.result, IvigDose)


def test_safety_stop_is_shown_as_a_refusal() -> None:
    form = _form(dose_calculators(), "Rituximab")
    form.controls["hbv_screened"].value = False
    assert isinstance(form.result, Refusal) and form.result.kind == "refused"
    assert "Hepatitis B" in form.output.value


def test_regimen_preset_fills_dose_days_and_interval() -> None:
    form = _form(dose_calculators(), "IVIG")
    form.controls["preset"].value = "cidp_maintenance_ice"
    assert (form.result.g_per_kg, form.result.days, form.result.interval_weeks) == (1.0, 1, 3)
    form.controls["preset"].value = "induction"
    assert (form.result.g_per_kg, form.result.interval_weeks) == (2.0, None)


def test_risk_factors_reach_the_calculator() -> None:
    form = _form(dose_calculators(), "IVIG")
    form.controls["risk_factors"].value = ("heart_failure",)
    assert form.result.risk_factors == ["heart_failure"]
    assert "Heart failure" in form.output.value


def test_new_tabs_are_present() -> None:
    titles = dose_calculators().titles
    for title in ("Methotrexate", "Mycophenolate", "Complement inhibitors", "FcRn inhibitors"):
        assert title in titles


@pytest.mark.parametrize(
    ("title", "control", "value", "field"),
    [
        ("Methotrexate", "schedule", "daily", "schedule"),
        ("Methotrexate", "pregnant", True, "pregnant"),
        ("Methotrexate", "egfr_ml_min", 20.0, "egfr_ml_min"),
        ("Mycophenolate", "planning_pregnancy", True, "planning_pregnancy"),
        ("Complement inhibitors", "vaccination_undocumented", True, "meningococcal_vaccination_days"),
        ("Complement inhibitors", "meningococcal_vaccination_days", 7.0, "meningococcal_vaccination_days"),
        ("FcRn inhibitors", "live_vaccine_planned", True, "live_vaccine_planned"),
        ("Complement inhibitors", "age", 12.0, "age"),
        ("FcRn inhibitors", "age", 11.0, "age"),
    ],
)
def test_new_tabs_show_their_hard_stops_as_refusals(
    title: str, control: str, value: object, field: str
) -> None:
    form = _form(dose_calculators(), title)
    form.controls[control].value = value
    assert isinstance(form.result, Refusal) and form.result.kind == "refused"
    assert field in form.output.value and "Traceback" not in form.output.value


def test_unknown_egfr_and_prophylaxis_reach_the_calculators() -> None:
    tab = dose_calculators()
    mtx = _form(tab, "Methotrexate")
    mtx.controls["egfr_unknown"].value = True
    assert not isinstance(mtx.result, Refusal) and mtx.result.egfr_ml_min is None
    complement = _form(tab, "Complement inhibitors")
    complement.controls["vaccination_undocumented"].value = True
    complement.controls["antibiotic_prophylaxis"].value = True
    assert not isinstance(complement.result, Refusal) and complement.result.prophylaxis_cover


def test_tab_titles_are_not_cut_and_dropdowns_grow_to_their_options(tab) -> None:
    """The visual QA found "Plasma e", "Corticos" and cut regimen names: titles stay whole, selects grow."""
    from nmd_immuno.widgets.dosing import TAB_CLASS

    assert TAB_CLASS in tab._dom_classes
    style = tab.children[0].children[0].value
    assert style.startswith("<style>") and f".{TAB_CLASS} > .lm-TabBar .lm-TabBar-tab" in style
    assert "flex-wrap:wrap" in style and "min-width:max-content" in style
    regimen = _form(tab, "IVIG").controls["preset"]
    assert regimen.layout.width == "max-content" and regimen.layout.max_width == "100%"


def test_the_chapter_tool_is_the_live_widget_and_the_browser_tool_in_one_output() -> None:
    """Jupyter renders the widget view (live); the static book renders text/html (the browser tool)."""
    from nmd_immuno.widgets.static_dosing import dose_calculators_tool

    bundle = dose_calculators_tool()._repr_mimebundle_()
    view = bundle["application/vnd.jupyter.widget-view+json"]
    assert view["model_id"]
    assert 'class="nmdd"' in bundle["text/html"] and "NMDDosing" in bundle["text/html"]
    # Without JavaScript the browser tool still shows a real result, computed by Python.
    assert "IVIG course" in bundle["text/html"]


def test_the_browser_form_is_read_off_the_live_forms() -> None:
    from nmd_immuno.widgets.dosing import FORMS
    from nmd_immuno.widgets.static_dosing import tool_payload

    payload = tool_payload()
    assert [form["title"] for form in payload["forms"]] == list(FORMS)
    for form in payload["forms"]:
        live_form = FORMS[form["title"]]()
        assert [c["name"] for c in form["controls"]] == list(live_form.controls)
        assert all(c["label"] for c in form["controls"])
    keys = {
        key
        for program in payload["programs"].values()
        for step in program["steps"]
        for key in step.get("refs", [])
    }
    assert keys <= set(payload["references"])
