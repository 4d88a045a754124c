"""The algorithm explorer for the static book: the same pathway program, run in the reader's browser.

Why: in the published book no Python runs, so the ipywidgets explorer (:mod:`nmd_immuno.widgets.algorithm`)
would show the moment it was saved. Each pathway is lowered once into a JSON program
(:mod:`nmd_immuno.engine.program`) that the Python walker runs; ``static/explorer.js`` runs the same program
in the browser (conditions by the vendored json-logic-js). This module builds what an explorer output
carries: only data (the program, the form's labels, presets, formatted references) in a
``<script type="application/json">`` block, the first preset's result and flowchart rendered by the engine
(what a reader without JavaScript sees), and no script: the book loads ``explorer.js``, its stylesheet and
json-logic-js once per page (:mod:`nmd_immuno.sphinxext.explorer_assets`).

:func:`explorer_tool` is what a chapter shows: one output whose ``text/html`` is this browser explorer and
whose widget view is the live ipywidgets explorer. Jupyter (Lab, Voila, the hub) renders the widget view;
the book prefers ``text/html`` (``nb_mime_priority_overrides`` in ``_config.yml``), so each chapter shows one
explorer that responds, in both places. ``tests/test_static_explorer.py`` runs explorer.js under node against
:func:`nmd_immuno.recommend`.
"""

from __future__ import annotations

import html
import json
import re
import uuid
from typing import Any

from nmd_immuno.content.bibliography import format_reference
from nmd_immuno.content.patient_fields import load_patient_fields
from nmd_immuno.content.therapies import therapy_label
from nmd_immuno.engine import load_pathway, recommend
from nmd_immuno.engine.program import pathway_program
from nmd_immuno.engine.recommendation import DISCLAIMER, recommendation_html
from nmd_immuno.flowchart import FlowchartUnavailable, flowchart_html
from nmd_immuno.widgets.algorithm import NOT_RECORDED, NOT_TRIED

#: Where ``scripts/vendor-assets.sh`` puts json-logic-js, relative to the book's root (``html_extra_path``).
LIBRARY_PATH = "vendor/json-logic-js/logic.js"
#: The marker of an explorer output: the book adds the explorer's script to pages that contain it.
ROOT_CLASS = "nmdx"

FAILED = (
    "The explorer could not start: its scripts (explorer.js and json-logic-js, which the course book loads "
    "on every page with an explorer) are missing here. The result below is the first preset patient's, "
    "computed when the page was built; with a live kernel use algorithm_explorer() instead."
)


def _reference_keys(value: Any) -> list[str]:
    """Every key under a ``references`` list anywhere in the dumped pathway, in order of appearance."""
    keys: dict[str, None] = {}

    def visit(item: Any) -> None:
        if isinstance(item, dict):
            for key, sub in item.items():
                if key == "references" and isinstance(sub, list):
                    keys.update(dict.fromkeys(sub))
                else:
                    visit(sub)
        elif isinstance(item, list):
            for sub in item:
                visit(sub)

    visit(value)
    return list(keys)


def explorer_payload(disorder: str) -> dict[str, Any]:
    """Everything ``explorer.js`` needs for ``disorder``: the program and the form's texts (no logic).

    Raises PatientError for an unknown disorder and PathwayNotAvailable when its pathway file does not exist.
    """
    algorithm = load_pathway(disorder)
    program = pathway_program(algorithm)
    fields = load_patient_fields()
    specs = fields.fields_for(disorder)
    presets = [
        {"id": pid, "label": p.label, "description": " ".join(p.description.split()), "patient": p.patient}
        for pid, p in algorithm.presets.items()
    ]
    history_therapies = algorithm.therapy_ids()
    dumped = algorithm.model_dump(mode="json", exclude={"presets"})
    return {
        "version": 2,
        "program": program,
        "fields": {
            name: {
                "label": spec.label + (f" ({spec.unit})" if spec.unit and spec.type != "bool" else ""),
                "value_labels": dict(spec.value_labels),
            }
            for name, spec in specs.items()
            if spec.type != "history"
        },
        "history_therapies": history_therapies,
        "therapy_labels": {t: therapy_label(t) for t in program["walk"]["class_of"]},
        "outcome_labels": [[key, label] for key, label in fields.outcomes.items()],
        "presets": presets,
        "start": presets[0]["patient"] if presets else {},
        "references": {key: format_reference(key) for key in _reference_keys(dumped)},
        "texts": {
            "disclaimer": DISCLAIMER,
            "not_recorded": NOT_RECORDED,
            "not_tried": NOT_TRIED,
            "optional": "optional",
            "preset": "Preset patient",
            "choose": "Choose a preset patient ...",
            "reset": "Reset",
            "reset_title": "Back to the starting patient",
            "history": "Treatment history: what was tried and how it went",
        },
    }


def _script_json(data: Any) -> str:
    """JSON safe inside ``<script type="application/json">``: no ``</script``, ``<!--`` or ``&`` appear."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _prefixed_ids(fragment: str, prefix: str) -> str:
    """``fragment`` with every id (and link to one) prefixed, so that it never clashes with the chapter's own
    flowchart and recommendations (the same drawing, the same patient's reference anchors)."""
    fragment = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}-{m.group(1)}"', fragment)
    return re.sub(r'\bhref="#([^"]+)"', lambda m: f'href="#{prefix}-{m.group(1)}"', fragment)


def static_explorer_html(disorder: str = "myasthenia_gravis") -> str:
    """The explorer as one HTML fragment: markup, the engine's first result and flowchart, and its data.

    Carries no script: the page must load ``explorer.js`` and json-logic-js (the book does, once per page).
    """
    payload = explorer_payload(disorder)
    prefix = f"nmdx-{uuid.uuid4().hex[:12]}"
    start = recommend(disorder, payload["start"]) if payload["presets"] else None
    try:
        chart = _prefixed_ids(flowchart_html(disorder, start), prefix)
    except FlowchartUnavailable:
        chart = ""
    title = html.escape(payload["program"]["title"])
    first = _prefixed_ids(recommendation_html(start), prefix) if start else ""
    return (
        f'<div class="{ROOT_CLASS}" id="{prefix}" data-disorder="{html.escape(disorder)}" lang="en">'
        f'<div class="nmdx-title" role="heading" aria-level="3">{title}: algorithm explorer</div>'
        f'<p class="nmdx-notice">{html.escape(DISCLAIMER)} Change the patient and the pathway is walked '
        "again in this page, with the same program as the course's Python engine, and the flowchart "
        "follows.</p>"
        f'<p class="nmdx-status" role="status" data-failed="{html.escape(FAILED)}">Starting the explorer ... '
        "(it runs in the course book, with JavaScript; until it starts, or anywhere else, the result "
        "below is the first preset patient's, computed when the page was built)</p>"
        '<div class="nmdx-form" hidden></div>'
        '<p class="nmdx-patient" hidden></p>'
        '<div class="nmdx-message" role="alert" hidden></div>'
        f'<div class="nmdx-result" aria-live="polite">{first}</div>'
        '<div class="nmd-heading nmdx-chart-title" role="heading" aria-level="4">'
        "Flowchart (this patient's path in red)</div>"
        f'<div class="nmdx-chart">{chart}</div>'
        f'<script type="application/json" class="nmdx-data">{_script_json(payload)}</script>'
        "</div>"
    )


def static_explorer(disorder: str = "myasthenia_gravis") -> Any:
    """``IPython.display.HTML`` of :func:`static_explorer_html` (the browser explorer alone)."""
    from IPython.display import HTML

    return HTML(static_explorer_html(disorder))


class ExplorerTool:
    """One output, two views: the live ipywidgets explorer (a kernel) and the browser explorer (the book)."""

    def __init__(self, disorder: str) -> None:
        from nmd_immuno.widgets.algorithm import algorithm_explorer

        self.disorder = disorder
        self.widget = algorithm_explorer(disorder)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle = dict(self.widget._repr_mimebundle_(include=include, exclude=exclude) or {})
        bundle["text/html"] = static_explorer_html(self.disorder)
        return bundle


def explorer_tool(disorder: str = "myasthenia_gravis") -> ExplorerTool:
    """What a disorder chapter shows: the live explorer with a kernel, the browser explorer in the book."""
    return ExplorerTool(disorder)
