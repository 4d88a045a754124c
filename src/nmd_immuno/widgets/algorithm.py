"""The algorithm explorer: set a patient profile, see the pathway's answer at once.

Only layout and wiring: the controls are built from ``data/patient_fields.yaml`` and the pathway's therapy
ids, every change calls :func:`nmd_immuno.recommend`, and the result is shown with the package's own HTML and
flowchart. Bad input shows the engine's message, never a traceback. Without graphviz's ``dot`` the path is
shown as a text outline with an install hint.
"""

from __future__ import annotations

import copy
import html
from typing import Any

import ipywidgets as widgets

from nmd_immuno.content.patient_fields import FieldSpec, load_patient_fields
from nmd_immuno.content.therapies import THERAPY_IDS, therapy_label, vocabulary
from nmd_immuno.engine import Recommendation, load_pathway, recommend
from nmd_immuno.engine.recommendation import DISCLAIMER, HEADING_CSS, heading_html, recommendation_html
from nmd_immuno.flowchart import FlowchartUnavailable, flowchart_html

NOT_TRIED = "not tried"
NOT_RECORDED = "not recorded"
# ipywidgets shows a Dropdown whose value is None as an empty box, so "nothing" is an empty string here and
# becomes "field left out" in ``patient()``.
_NOTHING = ""
# Labels at their own width ("initial") so "Interstitial lung disease" is not cut to "Interstitial lu..."; the
# control keeps a readable minimum and grows to its longest option rather than truncating it.
_LABEL = {"description_width": "initial"}


def _fit(min_width: str) -> widgets.Layout:
    return widgets.Layout(width="max-content", min_width=min_width, max_width="100%")


def _message_html(text: str, kind: str = "error") -> str:
    colour = {"error": "#922b21", "info": "#1a5276"}[kind]
    return (
        f'<div class="nmd-message nmd-{kind}" style="border-left:4px solid {colour};padding:.4em .8em;'
        f'color:{colour};background:#fbfbfb">{html.escape(text)}</div>'
    )


class AlgorithmExplorer(widgets.VBox):
    """The explorer widget. ``controls``/``history`` hold the inputs, ``result``/``chart`` the outputs."""

    def __init__(self, disorder: str = "myasthenia_gravis") -> None:
        super().__init__()
        self.disorder = disorder
        self.recommendation: Recommendation | None = None
        self._holding = False
        specs = load_patient_fields().fields_for(disorder)
        try:
            algorithm = load_pathway(disorder)
            self._presets = {pid: p for pid, p in algorithm.presets.items()}
            therapy_ids = algorithm.therapy_ids()
            title = algorithm.title
        except NotImplementedError:
            self._presets, title = {}, disorder.replace("_", " ").capitalize()
            therapy_ids = [t for t in vocabulary().class_of() if t in THERAPY_IDS]
        self._specs = {name: spec for name, spec in specs.items() if spec.type != "history"}
        self.controls: dict[str, widgets.ValueWidget] = {
            name: self._control(name, spec) for name, spec in self._specs.items()
        }
        outcomes = load_patient_fields().outcomes
        self.history: dict[str, widgets.Dropdown] = {}
        for therapy in therapy_ids:
            dropdown = widgets.Dropdown(
                options=[(NOT_TRIED, _NOTHING), *[(label, key) for key, label in outcomes.items()]],
                description=therapy_label(therapy),
                style=_LABEL,
                layout=_fit("20em"),
            )
            dropdown.add_class(f"nmd-history-{therapy}")
            self.history[therapy] = dropdown
        self.preset = widgets.Dropdown(
            options=[
                ("Choose a preset patient ...", None),
                *[(p.label, pid) for pid, p in self._presets.items()],
            ],
            description="Preset",
            style=_LABEL,
            layout=_fit("24em"),
        )
        self.preset.add_class("nmd-preset")
        self.reset = widgets.Button(description="Reset", tooltip="Back to the starting patient", icon="undo")
        self.reset.add_class("nmd-reset")
        self.message = widgets.HTML()
        self.message.add_class("nmd-message-box")
        self.result = widgets.HTML()
        self.result.add_class("nmd-result")
        self.chart = widgets.HTML(layout=widgets.Layout(overflow="auto", max_width="100%"))
        self.chart.add_class("nmd-chart")
        history_box = widgets.Accordion(
            children=[
                widgets.GridBox(
                    list(self.history.values()),
                    layout=widgets.Layout(
                        grid_template_columns="repeat(auto-fill, minmax(22em, 1fr))", grid_gap="2px 12px"
                    ),
                )
            ],
            titles=("Treatment history: what was tried and how it went",),
        )
        history_box.selected_index = 0
        fields_box = widgets.GridBox(
            list(self.controls.values()),
            layout=widgets.Layout(
                grid_template_columns="repeat(auto-fill, minmax(22em, 1fr))", grid_gap="2px 12px"
            ),
        )
        self.children = [
            widgets.HTML(
                f"<style>{HEADING_CSS}</style>"
                + heading_html(f"{title}: algorithm explorer", level=3)
                + f"<p><em>{html.escape(DISCLAIMER)}</em></p>"
            ),
            widgets.HBox([self.preset, self.reset]),
            fields_box,
            history_box,
            self.message,
            self.result,
            widgets.HTML(heading_html("Flowchart (this patient's path in red)")),
            self.chart,
        ]
        self.add_class("nmd-algorithm-explorer")
        for control in [*self.controls.values(), *self.history.values()]:
            control.observe(self._changed, names="value")
        self.preset.observe(self._preset_chosen, names="value")
        self.reset.on_click(self._reset)
        self.apply(self._start_patient())

    # ------------------------------------------------------------------------------------------ building
    def _control(self, name: str, spec: FieldSpec) -> widgets.ValueWidget:
        common = {
            "description": spec.label + (f" ({spec.unit})" if spec.unit else ""),
            "style": _LABEL,
            "layout": _fit("20em"),
        }
        if spec.type == "choice":
            options = [(spec.label_of(v), v) for v in spec.values or []]
            if not spec.required:
                options.insert(0, (NOT_RECORDED, _NOTHING))
            control: widgets.ValueWidget = widgets.Dropdown(options=options, **common)
        elif spec.type == "bool":
            control = widgets.Checkbox(
                indent=False, description=spec.label, layout=widgets.Layout(width="24em")
            )
        elif spec.required:
            control = widgets.FloatText(**common)
        else:
            control = widgets.Text(placeholder="optional", **common)
        control.add_class(f"nmd-field-{name}")
        return control

    def _start_patient(self) -> dict[str, Any]:
        """The first preset, or a neutral profile for a disorder without presets."""
        if self._presets:
            return copy.deepcopy(next(iter(self._presets.values())).patient)
        patient: dict[str, Any] = {}
        for name, spec in self._specs.items():
            if spec.required and spec.type == "choice":
                patient[name] = (spec.values or [None])[0]
            elif spec.required and spec.type == "number":
                patient[name] = round(((spec.min or 0) + (spec.max or 0)) / 2)
        return patient

    # ------------------------------------------------------------------------------------------ wiring
    def apply(self, patient: dict[str, Any]) -> None:
        """Show ``patient`` in the controls (fields it leaves out take their defaults) and recompute once."""
        self._holding = True
        try:
            for name, control in self.controls.items():
                spec = self._specs[name]
                value = patient.get(name, spec.default)
                if spec.type == "bool":
                    control.value = bool(value)
                elif spec.type == "number" and not spec.required:
                    control.value = "" if value is None else f"{value:g}"
                elif spec.type == "number":
                    control.value = float(value) if value is not None else 0.0
                else:
                    control.value = _NOTHING if value is None else value
            history = patient.get("history") or {}
            for therapy, dropdown in self.history.items():
                dropdown.value = history.get(therapy, _NOTHING)
        finally:
            self._holding = False
        self.update()

    def patient(self) -> dict[str, Any]:
        """The profile the controls describe, as passed to ``recommend``."""
        patient: dict[str, Any] = {}
        for name, control in self.controls.items():
            spec, value = self._specs[name], control.value
            if spec.type == "number" and not spec.required:
                text = str(value).strip()
                if not text:
                    continue
                try:
                    value = float(text)
                except ValueError:
                    value = text  # the engine names the field and what is allowed
            if value is None or (spec.type == "choice" and value == _NOTHING):
                continue
            patient[name] = value
        patient["history"] = {t: d.value for t, d in self.history.items() if d.value != _NOTHING}
        return patient

    def _changed(self, _change: dict[str, Any]) -> None:
        if not self._holding:
            self.update()

    def _reset(self, _button: widgets.Button | None = None) -> None:
        self.preset.value = None
        self.apply(self._start_patient())

    def _preset_chosen(self, change: dict[str, Any]) -> None:
        if change["new"] is not None:
            self.apply(copy.deepcopy(self._presets[change["new"]].patient))

    def update(self) -> None:
        """Recompute and redraw; any refusal is shown as the engine's message."""
        try:
            rec = recommend(self.disorder, self.patient())
        except (ValueError, NotImplementedError) as exc:
            self._show_error(str(exc))
            return
        except Exception as exc:  # a widget must never show a traceback to a student
            self._show_error(f"unexpected problem ({type(exc).__name__}): {exc}")
            return
        self.recommendation = rec
        self.message.value = ""
        self.result.value = recommendation_html(rec)
        try:
            self.chart.value = flowchart_html(self.disorder, rec)
        except FlowchartUnavailable as exc:
            self.chart.value = _message_html(str(exc), "info") + (
                f'<pre class="nmd-outline">{html.escape(rec.outline())}</pre>'
            )

    def _show_error(self, text: str) -> None:
        self.recommendation = None
        self.message.value = _message_html(text)
        self.result.value = ""
        self.chart.value = ""


def algorithm_explorer(disorder: str = "myasthenia_gravis") -> AlgorithmExplorer:
    """The live explorer for one disorder's pathway (needs a running kernel; the book shows static output)."""
    return AlgorithmExplorer(disorder)
