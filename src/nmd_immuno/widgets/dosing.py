"""The dose calculators as one ipywidgets Tab: layout and wiring only; every number comes from
nmd_immuno.dosing.

Each tab is a :class:`CalculatorForm`: its controls feed one calculator through
:func:`nmd_immuno.dosing.attempt`, and an HTML widget shows the result table, or the refusal message (never
a traceback). The first result is computed when the form is built, so the saved widget state in the static
book shows a real default case. Numeric inputs are plain text boxes rather than bounded sliders on purpose:
typing 700 (pounds, not kg) or 40 (percent, not a fraction) should show the calculator's refusal, which is
part of the lesson.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as widgets

from nmd_immuno.dosing import (
    METABOLIZER_STATUSES,
    SCHEDULES,
    WEIGHT_BASES,
    attempt,
    azathioprine_dose,
    complement_drugs,
    complement_inhibitor_dose,
    fcrn_drugs,
    fcrn_inhibitor_dose,
    ivig_dose,
    ivig_presets,
    ivig_risk_factor_labels,
    methotrexate_dose,
    methotrexate_routes,
    methylprednisolone_pulse,
    mg_antibody_labels,
    mycophenolate_dose,
    plasma_exchange_plan,
    prednisone_dose,
    rituximab_dose,
    rituximab_regimens,
    steroid_indications,
)
from nmd_immuno.dosing.common import DoseResult, Refusal

_STYLE = {"description_width": "11em"}
# Grow to the longest option ("Induction or rescue: 2 g/kg over 2-5 days") rather than cut it.
_WIDE = widgets.Layout(width="max-content", min_width="24em", max_width="100%")

#: Class on the Tab, and the CSS that keeps each title whole: ipywidgets shrinks ten tabs into the column
#: ("Plasma e", "Corticos"); here a tab is as wide as its title and the bar wraps onto a second row.
TAB_CLASS = "nmd-dose-tabs"
_TAB_CSS = (
    f".{TAB_CLASS} > .lm-TabBar > .lm-TabBar-content, .{TAB_CLASS} > .p-TabBar > .p-TabBar-content"
    "{flex-wrap:wrap !important}"
    f".{TAB_CLASS} > .lm-TabBar .lm-TabBar-tab, .{TAB_CLASS} > .p-TabBar .p-TabBar-tab"
    "{flex:0 0 auto !important;min-width:max-content !important}"
    f".{TAB_CLASS} > .lm-TabBar .lm-TabBar-tabLabel, .{TAB_CLASS} > .p-TabBar .p-TabBar-tabLabel"
    "{overflow:visible !important}"
)


def _number(description: str, value: float) -> widgets.FloatText:
    return widgets.FloatText(value=value, description=description, style=_STYLE, layout=_WIDE)


def _whole(description: str, value: int) -> widgets.IntText:
    return widgets.IntText(value=value, description=description, style=_STYLE, layout=_WIDE)


def _pick(description: str, options: Any, value: Any) -> widgets.Dropdown:
    return widgets.Dropdown(options=options, value=value, description=description, style=_STYLE, layout=_WIDE)


def _tick(description: str, value: bool) -> widgets.Checkbox:
    return widgets.Checkbox(value=value, description=description, indent=False)


def _options(labels: Mapping[str, str]) -> list[tuple[str, str]]:
    """(label, id) pairs for a Dropdown or SelectMultiple: the reader sees the label, the calculator gets the
    id."""
    return [(label, key) for key, label in labels.items()]


class CalculatorForm(widgets.VBox):
    """Controls + result for one calculator. ``controls`` maps keyword names to widgets; ``output`` is the
    result."""

    def __init__(
        self,
        controls: Mapping[str, widgets.Widget],
        compute: Callable[[dict[str, Any]], DoseResult | Refusal],
        intro: str = "",
    ) -> None:
        self.controls = dict(controls)
        self.compute = compute
        self.output = widgets.HTML()
        self.result: DoseResult | Refusal | None = None
        header = [widgets.HTML(f"<p>{intro}</p>")] if intro else []
        grid = widgets.GridBox(
            list(self.controls.values()),
            layout=widgets.Layout(
                grid_template_columns="repeat(auto-fill, minmax(24em, 1fr))", grid_gap="4px 12px"
            ),
        )
        super().__init__([*header, grid, self.output])
        for control in self.controls.values():
            control.observe(self.refresh, names="value")
        self.refresh()

    def values(self) -> dict[str, Any]:
        return {name: control.value for name, control in self.controls.items()}

    def refresh(self, _change: object = None) -> None:
        """Recompute from the current control values and show the result (or the refusal)."""
        self.result = self.compute(self.values())
        self.output.value = self.result._repr_html_()


def ivig_form() -> CalculatorForm:
    presets = ivig_presets()
    intervals = [("single course (induction or rescue)", 0)] + [(f"every {n} weeks", n) for n in range(2, 9)]
    controls: dict[str, widgets.Widget] = {
        "preset": _pick(
            "Regimen", [(p["label"], key) for key, p in presets.items()] + [("custom", "custom")], "induction"
        ),
        "weight_kg": _number("Weight (kg)", 70.0),
        "height_cm": _number("Height (cm)", 170.0),
        "sex": _pick("Sex", ["female", "male"], "female"),
        "age": _number("Age (years)", 50.0),
        "g_per_kg": _number("Dose (g/kg)", 2.0),
        "days": _whole("Over days", 5),
        "interval_weeks": _pick("Repeat", intervals, 0),  # 0 = single course (None would mean "no selection")
        "weight_basis": _pick("Dosing weight", list(WEIGHT_BASES), "auto"),
        "vial_g": _number("Vial size (g)", 10.0),
        "risk_factors": widgets.SelectMultiple(
            options=_options(ivig_risk_factor_labels()),
            value=(),
            rows=6,
            description="Risk factors",
            style=_STYLE,
            layout=_WIDE,
        ),
    }

    def apply_preset(change: dict[str, Any]) -> None:
        chosen = presets.get(change["new"])
        if chosen:
            controls["g_per_kg"].value = chosen["g_per_kg"]
            controls["days"].value = chosen["days"]
            controls["interval_weeks"].value = chosen["interval_weeks"] or 0

    controls["preset"].observe(apply_preset, names="value")

    def compute(v: dict[str, Any]) -> DoseResult | Refusal:
        return attempt(
            ivig_dose,
            v["weight_kg"],
            v["height_cm"],
            v["sex"],
            g_per_kg=v["g_per_kg"],
            days=v["days"],
            interval_weeks=v["interval_weeks"] or None,
            weight_basis=v["weight_basis"],
            vial_g=v["vial_g"],
            age=v["age"],
            risk_factors=list(v["risk_factors"]),
        )

    return CalculatorForm(controls, compute, "Hold Ctrl (Cmd on a Mac) to select several risk factors.")


def plasma_exchange_form() -> CalculatorForm:
    controls = {
        "weight_kg": _number("Weight (kg)", 70.0),
        "hematocrit": _number("Haematocrit (0-1)", 0.40),
        "plasma_volumes": _number("Plasma volumes", 1.0),
        "exchanges": _whole("Exchanges", 5),
        "days": _whole("Over days", 10),
    }
    return CalculatorForm(controls, lambda v: attempt(plasma_exchange_plan, **v))


def prednisone_form() -> CalculatorForm:
    controls = {
        "weight_kg": _number("Weight (kg)", 70.0),
        "mg_per_kg": _number("mg/kg/day", 1.0),
        "indication": _pick("Indication", _options(steroid_indications()), "myasthenia_gravis"),
        "start": _pick("Start", [("full dose", "full"), ("low, titrate up", "low")], "low"),
        "outpatient": _tick("Outpatient", True),
        "bulbar_or_respiratory": _tick("Bulbar or respiratory weakness", False),
        "other_immunosuppressant": _tick("Another immunosuppressant", False),
    }
    return CalculatorForm(controls, lambda v: attempt(prednisone_dose, **v))


def methylprednisolone_form() -> CalculatorForm:
    controls = {
        "weight_kg": _number("Weight (kg)", 70.0),
        "mg_per_day": _number("mg per day", 1000.0),
        "days": _whole("Days", 3),
    }
    return CalculatorForm(controls, lambda v: attempt(methylprednisolone_pulse, **v))


def rituximab_form() -> CalculatorForm:
    controls = {
        "regimen": _pick("Regimen", _options(rituximab_regimens()), "375_mg_m2_weekly_x4"),
        "height_cm": _number("Height (cm)", 170.0),
        "weight_kg": _number("Weight (kg)", 70.0),
        "hbv_screened": _tick("HBsAg and anti-HBc results available", True),
        "live_vaccine_planned": _tick("Live vaccine planned", False),
    }
    return CalculatorForm(controls, lambda v: attempt(rituximab_dose, **v))


def azathioprine_form() -> CalculatorForm:
    controls = {
        "weight_kg": _number("Weight (kg)", 70.0),
        "mg_per_kg": _number("mg/kg/day", 2.5),
        "tpmt": _pick("TPMT", list(METABOLIZER_STATUSES), "normal"),
        "nudt15": _pick("NUDT15", list(METABOLIZER_STATUSES), "normal"),
        "xanthine_oxidase_inhibitor": _tick("Allopurinol or febuxostat", False),
    }
    return CalculatorForm(controls, lambda v: attempt(azathioprine_dose, **v))


def methotrexate_form() -> CalculatorForm:
    controls = {
        "weekly_mg": _number("Dose (mg)", 15.0),
        "schedule": _pick("Schedule", list(SCHEDULES), "weekly"),
        "route": _pick("Route", _options(methotrexate_routes()), "oral"),
        "egfr_ml_min": _number("CrCl or eGFR (mL/min)", 90.0),
        "egfr_unknown": _tick("Renal function not known", False),
        "pregnant": _tick("Pregnant", False),
        "planning_pregnancy": _tick("Planning a pregnancy", False),
    }

    def compute(v: dict[str, Any]) -> DoseResult | Refusal:
        unknown, egfr = v.pop("egfr_unknown"), v.pop("egfr_ml_min")
        return attempt(methotrexate_dose, egfr_ml_min=None if unknown else egfr, **v)

    return CalculatorForm(controls, compute, "Try the daily schedule, a pregnancy or an eGFR of 20.")


def mycophenolate_form() -> CalculatorForm:
    controls = {
        "daily_g": _number("Target (g/day)", 2.0),
        "pregnant": _tick("Pregnant", False),
        "planning_pregnancy": _tick("Planning a pregnancy", False),
    }
    return CalculatorForm(controls, lambda v: attempt(mycophenolate_dose, **v))


def complement_form() -> CalculatorForm:
    controls = {
        "drug": _pick("Drug", _options(complement_drugs()), "eculizumab"),
        "weight_kg": _number("Weight (kg)", 70.0),
        "age": _number("Age (years)", 50.0),
        "antibody": _pick("Antibody", _options(mg_antibody_labels()), "achr"),
        "meningococcal_vaccination_days": _number("MenACWY+MenB, days before", 28.0),
        "vaccination_undocumented": _tick("Vaccination not documented", False),
        "antibiotic_prophylaxis": _tick("Antibiotic prophylaxis planned", False),
    }

    def compute(v: dict[str, Any]) -> DoseResult | Refusal:
        days = v.pop("meningococcal_vaccination_days")
        if v.pop("vaccination_undocumented"):
            days = None
        return attempt(complement_inhibitor_dose, meningococcal_vaccination_days=days, **v)

    return CalculatorForm(
        controls, compute, "MenACWY+MenB: days from the completed vaccination to the first dose."
    )


def fcrn_form() -> CalculatorForm:
    controls = {
        "drug": _pick("Drug", _options(fcrn_drugs()), "efgartigimod_iv"),
        "weight_kg": _number("Weight (kg)", 70.0),
        "age": _number("Age (years)", 50.0),
        "antibody": _pick("Antibody", _options(mg_antibody_labels()), "achr"),
        "live_vaccine_planned": _tick("Live vaccine planned", False),
    }
    return CalculatorForm(controls, lambda v: attempt(fcrn_inhibitor_dose, **v))


#: Tab title -> form builder, in display order.
FORMS: dict[str, Callable[[], CalculatorForm]] = {
    "IVIG": ivig_form,
    "Plasma exchange": plasma_exchange_form,
    "Corticosteroids": prednisone_form,
    "IV methylprednisolone": methylprednisolone_form,
    "Rituximab": rituximab_form,
    "Azathioprine": azathioprine_form,
    "Methotrexate": methotrexate_form,
    "Mycophenolate": mycophenolate_form,
    "Complement inhibitors": complement_form,
    "FcRn inhibitors": fcrn_form,
}


def dose_calculators() -> widgets.Tab:
    """All calculators in one Tab (IVIG, plasma exchange, corticosteroids, methylprednisolone, rituximab,
    azathioprine, methotrexate, mycophenolate, complement and FcRn inhibitors)."""
    forms = [build() for build in FORMS.values()]
    # The style travels with the widget (the saved widget state of the static book has no other stylesheet).
    forms[0].children = (widgets.HTML(f"<style>{_TAB_CSS}</style>"), *forms[0].children)
    tab = widgets.Tab(children=forms)
    tab.titles = tuple(FORMS)
    tab.add_class(TAB_CLASS)
    return tab
