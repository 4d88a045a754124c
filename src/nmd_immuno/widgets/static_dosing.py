"""The dose calculators for the static book: the same forms as :mod:`nmd_immuno.widgets.dosing`, computed in
the reader's browser by ``static/dosing.js`` from the programs of :mod:`nmd_immuno.dosing.program`.

Why derived from the ipywidgets forms: the browser form is read off the live forms (each control's label,
kind, options and starting value), so the static and the live tool cannot drift apart. The few things the
live forms do in their ``compute`` functions (a preset fills dose and days; "single course" means no
interval; "not known" boxes leave a value out) are stated here as data of the form, not as rules.

:func:`dose_calculators_tool` is what a chapter shows: one output whose ``text/html`` is this browser tool and
whose widget view is the live ipywidgets Tab. Jupyter (Lab, Notebook, the hub) renders the widget view, a
live tool; the book asks MyST-NB (``nb_mime_priority_overrides`` in ``_config.yml``) to prefer ``text/html``
over a widget view when an output has both, so the static page shows only the working browser tool, never a
frozen look-alike. Any chapter can show the tool the same way: ``dose_calculators_tool()`` as a cell's value.
"""

from __future__ import annotations

import html
import json
import uuid
from typing import Any

import ipywidgets as widgets

from nmd_immuno.content.bibliography import format_reference
from nmd_immuno.dosing import attempt, ivig_presets
from nmd_immuno.dosing.parameters import dosing_parameters
from nmd_immuno.dosing.program import dosing_programs
from nmd_immuno.quiz.static_html import static_asset
from nmd_immuno.widgets import dosing as live

#: Where ``scripts/vendor-assets.sh`` puts json-logic-js, relative to the book's root.
LIBRARY_PATH = "vendor/json-logic-js/logic.js"

#: Tab title -> (calculator function name, form adjustments). Adjustments: ``drop`` controls that are not
#: arguments, ``zero_is_none`` (0 = not given), ``none_if`` {argument: checkbox that leaves it out},
#: ``presets`` {control: {preset id: {control: value}}}.
CALCULATORS: dict[str, tuple[str, dict[str, Any]]] = {
    "IVIG": ("ivig_dose", {"drop": ["preset"], "zero_is_none": ["interval_weeks"]}),
    "Plasma exchange": ("plasma_exchange_plan", {}),
    "Corticosteroids": ("prednisone_dose", {}),
    "IV methylprednisolone": ("methylprednisolone_pulse", {}),
    "Rituximab": ("rituximab_dose", {}),
    "Azathioprine": ("azathioprine_dose", {}),
    "Methotrexate": ("methotrexate_dose", {"none_if": {"egfr_ml_min": "egfr_unknown"}}),
    "Mycophenolate": ("mycophenolate_dose", {}),
    "Complement inhibitors": (
        "complement_inhibitor_dose",
        {"none_if": {"meningococcal_vaccination_days": "vaccination_undocumented"}},
    ),
    "FcRn inhibitors": ("fcrn_inhibitor_dose", {}),
}


def _control_spec(name: str, control: widgets.Widget) -> dict[str, Any]:
    """One ipywidgets control as data: its kind, label, options and starting value."""
    spec: dict[str, Any] = {"name": name, "label": control.description}
    if isinstance(control, widgets.Checkbox):
        spec.update(kind="flag", value=bool(control.value))
    elif isinstance(control, widgets.SelectMultiple):
        spec.update(
            kind="multi", options=[[str(label), value] for label, value in control._options_full], value=[]
        )
    elif isinstance(control, widgets.Dropdown):
        spec.update(
            kind="choice",
            options=[[str(label), value] for label, value in control._options_full],
            value=control.value,
        )
    elif isinstance(control, widgets.IntText | widgets.FloatText):
        spec.update(kind="number", value=control.value)
    else:
        raise TypeError(f"{name}: no browser control for {type(control).__name__}")
    return spec


def _ivig_presets() -> dict[str, dict[str, Any]]:
    return {
        key: {"g_per_kg": p["g_per_kg"], "days": p["days"], "interval_weeks": p["interval_weeks"] or 0}
        for key, p in ivig_presets().items()
    }


def _calling_args(form: live.CalculatorForm, how: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments the live form passes to its calculator at its starting values."""
    values = form.values()
    for name in how.get("drop", []):
        values.pop(name, None)
    for name in how.get("zero_is_none", []):
        values[name] = values[name] or None
    for name, box in how.get("none_if", {}).items():
        if values.pop(box):
            values[name] = None
    if "risk_factors" in values:
        values["risk_factors"] = list(values["risk_factors"])
    return values


def tool_payload() -> dict[str, Any]:
    """Everything ``dosing.js`` needs: programs, forms, formatted references and the disclaimer (no logic)."""
    data = dosing_programs()
    forms = []
    keys: dict[str, None] = {}

    def gather(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "refs" and isinstance(value, list):
                    keys.update(dict.fromkeys(value))
                else:
                    gather(value)
        elif isinstance(node, list):
            for item in node:
                gather(item)

    gather(data["programs"])
    for title, (calculator, how) in CALCULATORS.items():
        form = live.FORMS[title]()
        spec = {
            "title": title,
            "calculator": calculator,
            "intro": _intro(form),
            "controls": [_control_spec(name, control) for name, control in form.controls.items()],
            **how,
        }
        if calculator == "ivig_dose":
            spec["presets"] = {"preset": _ivig_presets()}
        forms.append(spec)
    return {
        "version": 1,
        "library_path": LIBRARY_PATH,
        "disclaimer": data["disclaimer"],
        "programs": data["programs"],
        "forms": forms,
        "references": {key: format_reference(key) for key in keys},
    }


def _intro(form: live.CalculatorForm) -> str:
    first = form.children[0]
    if isinstance(first, widgets.HTML) and first.value.startswith("<p>"):
        return html.unescape(first.value.removeprefix("<p>").removesuffix("</p>"))
    return ""


def _script_json(data: Any) -> str:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def static_dose_calculators_html(*, library_url: str | None = None) -> str:
    """The browser calculators as one self-contained HTML fragment (markup, CSS, payload, ``dosing.js``).

    Without JavaScript it still shows the first calculator's result at its starting values, computed here.
    """
    payload = tool_payload()
    prefix = f"nmdd-{uuid.uuid4().hex[:12]}"
    first_form = live.FORMS[next(iter(CALCULATORS))]()
    name, how = next(iter(CALCULATORS.values()))
    from nmd_immuno import dosing

    start = attempt(getattr(dosing, name), **_calling_args(first_form, how))._repr_html_()
    options = json.dumps({"library": library_url}).replace("<", "\\u003c")
    init = (
        "(function(){var s=document.currentScript;"
        f'var r=(s&&s.parentNode&&s.parentNode.id==="{prefix}")?s.parentNode:'
        f'document.getElementById("{prefix}");'
        f"if(window.NMDDosing&&r){{window.NMDDosing.init(r,{options});}}}})();"
    )
    return (
        f'<div class="nmdd" id="{prefix}" lang="en">'
        f"<style>{static_asset('dosing.css')}</style>"
        '<div class="nmdd-title" role="heading" aria-level="3">Dose calculators in your browser</div>'
        f'<p class="nmdd-notice">{html.escape(dosing_parameters().disclaimer)} These calculators run in this '
        "page, from the same data and rules as the course's Python calculators.</p>"
        '<p class="nmdd-status" role="status">Starting the calculators ... (they need JavaScript; the result '
        "below is the IVIG calculator's at its starting values)</p>"
        '<div class="nmdd-form" hidden></div>'
        f'<div class="nmdd-result" aria-live="polite" aria-atomic="true">{start}</div>'
        f'<script type="application/json" class="nmdd-data">{_script_json(payload)}</script>'
        f"<script>{static_asset('dosing.js')}\n{init}</script>"
        "</div>"
    )


class DoseCalculatorsTool:
    """One output, two views: the live ipywidgets Tab (a kernel) and the browser tool (the static book)."""

    def __init__(self) -> None:
        self.widget = live.dose_calculators()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle = dict(self.widget._repr_mimebundle_(include=include, exclude=exclude) or {})
        bundle["text/html"] = static_dose_calculators_html()
        return bundle


def dose_calculators_tool() -> DoseCalculatorsTool:
    """What the Dose calculators chapter shows: live widgets with a kernel, the browser tool in the book."""
    return DoseCalculatorsTool()
