"""The algorithm explorer for the static book: the same pathway, walked in the reader's browser.

Why: in the published book no Python runs, so the ipywidgets explorer (:mod:`nmd_immuno.widgets.algorithm`)
shows the moment it was saved. The pathways are data whose conditions are standard JsonLogic, so a browser can
walk them too: ``static/explorer.js`` ports only the walker (validation, context, walk, generic rules) and
evaluates the conditions with json-logic-js, which the book vendors (``make vendor``) and publishes at
:data:`LIBRARY_PATH` below its root. Everything else comes from this module's payload, built from the loaded,
validated data: the pathway, the field specs with their "allowed" texts, labels, formatted references and the
engine's fixed texts. ``tests/test_static_explorer.py`` runs the JavaScript walker in node against
:func:`nmd_immuno.recommend` on every preset and hundreds of random patients.

The fragment is a ``text/html`` output with inline CSS and JavaScript, like the HTML quiz: without JavaScript
it still shows the first preset patient's result, rendered here by the engine.
"""

from __future__ import annotations

import html
import json
import uuid
from typing import Any

from nmd_immuno.content.algorithms import algorithm_file
from nmd_immuno.content.bibliography import format_reference
from nmd_immuno.content.loader import display_name
from nmd_immuno.content.patient_fields import load_patient_fields
from nmd_immuno.content.therapies import THERAPY_IDS, therapy_label, vocabulary
from nmd_immuno.engine import load_pathway, recommend
from nmd_immuno.engine.recommendation import DISCLAIMER, recommendation_html
from nmd_immuno.engine.walker import NEVER_OFFER, NOT_AGAIN, NOTHING_LEFT, STEP_REASON_PREFIX
from nmd_immuno.quiz.static_html import static_asset

#: Where ``scripts/vendor-assets.sh`` puts json-logic-js, relative to the book's root (``html_extra_path``).
LIBRARY_PATH = "vendor/json-logic-js/logic.js"


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
    """Everything ``explorer.js`` needs for ``disorder``, as plain JSON data (no logic).

    Raises PatientError for an unknown disorder and PathwayNotAvailable when its pathway file does not exist.
    """
    algorithm = load_pathway(disorder)
    fields = load_patient_fields()
    vocab = vocabulary()
    pathway = algorithm.model_dump(mode="json", exclude={"presets"})
    for node, dumped in zip(algorithm.nodes, pathway["nodes"], strict=True):
        dumped["kind"] = node.kind
    specs = {
        name: {**spec.model_dump(mode="json"), "allowed": spec.allowed()}
        for name, spec in fields.fields_for(disorder).items()
    }
    presets = [
        {"id": pid, "label": p.label, "description": " ".join(p.description.split()), "patient": p.patient}
        for pid, p in algorithm.presets.items()
    ]
    return {
        "version": 1,
        "disorder": disorder,
        "title": algorithm.title,
        "file": display_name(algorithm_file(disorder)),
        "pathway": pathway,
        "fields": specs,
        "constraints": [c.model_dump(mode="json") for c in fields.constraints_for(disorder)],
        "outcome_ids": list(fields.outcomes),
        "outcome_labels": dict(fields.outcomes),
        "therapy_ids": sorted(THERAPY_IDS),
        "classes": list(vocab.classes),
        "class_of": vocab.class_of(),
        "therapy_labels": {therapy: therapy_label(therapy) for therapy in vocab.class_of()},
        "history_therapies": algorithm.therapy_ids(),
        "presets": presets,
        "start": presets[0]["patient"] if presets else {},
        "references": {key: format_reference(key) for key in _reference_keys(pathway)},
        "rules_text": {
            "never_offer": NEVER_OFFER,
            "not_again": NOT_AGAIN,
            "nothing_left": NOTHING_LEFT,
            "step_reason_prefix": STEP_REASON_PREFIX,
        },
        "disclaimer": DISCLAIMER,
        "library_path": LIBRARY_PATH,
    }


def _script_json(data: Any) -> str:
    """JSON safe inside ``<script type="application/json">``: no ``</script``, ``<!--`` or ``&`` appear."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def static_explorer_html(disorder: str = "myasthenia_gravis", *, library_url: str | None = None) -> str:
    """The explorer as one self-contained HTML fragment (markup, inline CSS, payload and ``explorer.js``).

    ``library_url``: where the browser loads json-logic-js from; by default the book's vendored copy, found
    from the page's path to the site root (Sphinx's ``data-content_root``).
    """
    payload = explorer_payload(disorder)
    prefix = f"nmdx-{uuid.uuid4().hex[:12]}"
    start = recommendation_html(recommend(disorder, payload["start"])) if payload["presets"] else ""
    options = json.dumps({"library": library_url}).replace("<", "\\u003c")
    init = (
        "(function(){var s=document.currentScript;"
        f'var r=(s&&s.parentNode&&s.parentNode.id==="{prefix}")?s.parentNode:'
        f'document.getElementById("{prefix}");'
        f"if(window.NMDExplorer&&r){{window.NMDExplorer.init(r,{options});}}}})();"
    )
    title = html.escape(payload["title"])
    return (
        f'<div class="nmdx" id="{prefix}" data-disorder="{html.escape(disorder)}" lang="en">'
        f"<style>{static_asset('explorer.css')}</style>"
        f'<div class="nmdx-title" role="heading" aria-level="3">{title}: algorithm explorer in your browser'
        "</div>"
        f'<p class="nmdx-notice">{html.escape(DISCLAIMER)} Change the patient and the pathway is walked '
        "again in this page, with the same rules as the course's Python engine.</p>"
        '<p class="nmdx-status" role="status">Starting the explorer ... (it needs JavaScript; the result '
        "below is the first preset patient's)</p>"
        '<div class="nmdx-form" hidden></div>'
        '<div class="nmdx-message" role="alert" hidden></div>'
        f'<div class="nmdx-result" aria-live="polite">{start}</div>'
        f'<script type="application/json" class="nmdx-data">{_script_json(payload)}</script>'
        f"<script>{static_asset('explorer.js')}\n{init}</script>"
        "</div>"
    )


def static_explorer(disorder: str = "myasthenia_gravis", *, library_url: str | None = None) -> Any:
    """``IPython.display.HTML`` of :func:`static_explorer_html`: what a chapter's last line returns."""
    from IPython.display import HTML

    return HTML(static_explorer_html(disorder, library_url=library_url))
