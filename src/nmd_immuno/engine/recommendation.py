"""The result of :func:`nmd_immuno.recommend`: what is offered, what to avoid, why, and on what evidence.

``Recommendation`` renders itself as HTML (``_repr_html_``) so that a chapter shows the path, the rationale of
each step and the formatted references even in the static book, where no kernel runs.
"""

from __future__ import annotations

import hashlib
import html
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from nmd_immuno.content.bibliography import format_reference
from nmd_immuno.content.therapies import therapy_label

DISCLAIMER = "For education only: not for treating patients."


@dataclass(frozen=True)
class Step:
    """One step of the path: a node of the pathway graph (decision, step or outcome) or a rule applied."""

    id: str
    title: str
    rationale: str
    references: tuple[str, ...]
    kind: str = "step"  # decision | step | outcome | rule
    choice: str | None = None  # the branch taken at a decision


@dataclass
class Recommendation:
    """What the pathway offers this patient now.

    ``therapies`` are alternatives offered at this point (any of them is acceptable), together with adjuncts
    met on the way (e.g. thymectomy) and what to continue; ``avoid`` lists therapies the guideline warns
    against for this patient; ``not_offered`` says why a therapy of the pathway was held back (history or
    avoid).
    """

    disorder: str
    title: str
    patient: dict[str, Any]
    therapies: list[str]
    avoid: list[str]
    warnings: list[str]
    path: list[Step]
    references: list[str]
    not_offered: dict[str, str] = field(default_factory=dict)

    # ------------------------------------------------------------------------------------------ plain forms
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (for dashboards, assignments, a browser port)."""
        data = asdict(self)
        data["path"] = [dict(asdict(step), references=list(step.references)) for step in self.path]
        return data

    def outline(self) -> str:
        """Plain-text outline of the path (shown when graphviz is not installed)."""
        lines = [f"{self.title}: path for this patient ({DISCLAIMER})"]
        for number, step in enumerate(self.path, start=1):
            choice = f" -> {step.choice}" if step.choice else ""
            marker = "rule" if step.kind == "rule" else step.kind
            lines.append(f"{number:2d}. [{marker}] {step.title}{choice}")
        lines.append("Offered now: " + (", ".join(therapy_label(t) for t in self.therapies) or "nothing"))
        if self.avoid:
            lines.append("Avoid: " + ", ".join(therapy_label(t) for t in self.avoid))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.outline()

    # ------------------------------------------------------------------------------------------ HTML
    def _repr_html_(self) -> str:
        return recommendation_html(self)


def _therapy_list(ids: list[str], css: str, reasons: dict[str, str] | None = None) -> str:
    if not ids:
        return f'<p class="{css} nmd-empty"><em>none</em></p>'
    items = []
    for therapy in ids:
        reason = f' <span class="nmd-reason">({html.escape(reasons[therapy])})</span>' if reasons else ""
        items.append(f'<li data-therapy="{therapy}">{html.escape(therapy_label(therapy))}{reason}</li>')
    return f'<ul class="{css}">' + "".join(items) + "</ul>"


def _cites(keys: tuple[str, ...] | list[str], numbers: dict[str, int], uid: str) -> str:
    refs = ", ".join(f'<a href="#{uid}-{key}" title="{html.escape(key)}">{numbers[key]}</a>' for key in keys)
    return f' <span class="nmd-cites">[{refs}]</span>' if refs else ""


#: Style of :func:`heading_html` (part of every recommendation's <style>; widgets add it to their own titles).
HEADING_CSS = ".nmd-heading{font-size:1.05em;font-weight:600;line-height:1.3;margin:.8em 0 .3em}"


def heading_html(text: str, level: int = 4) -> str:
    """A section title inside an output: a styled div announced as a heading (role/aria-level).

    Why not <h4>: the book theme sizes real headings for the page's own outline, so inside an output they
    shout, and they would enter the page's table of contents. Sized like the quiz's titles (.nmdq-title).
    """
    return f'<div class="nmd-heading" role="heading" aria-level="{level}">{html.escape(text)}</div>'


_STYLE = (
    """
<style>
.nmd-rec{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;line-height:1.4;max-width:60em}
"""
    + HEADING_CSS
    + """
.nmd-rec .nmd-disclaimer{color:#8a5300;font-size:.9em}
.nmd-rec .nmd-therapies li{font-weight:600;color:#145a32}
.nmd-rec .nmd-avoid li{color:#922b21}
.nmd-rec .nmd-warnings li{margin-bottom:.3em}
.nmd-rec .nmd-path li{margin-bottom:.5em}
.nmd-rec .nmd-kind{font-size:.75em;text-transform:uppercase;color:#555;border:1px solid #bbb;
 border-radius:3px;padding:0 .3em;margin-right:.4em}
.nmd-rec .nmd-choice{color:#1a5276;font-style:italic}
.nmd-rec .nmd-cites,.nmd-rec .nmd-reason{font-size:.85em;color:#555}
.nmd-rec .nmd-references{font-size:.85em}
</style>
"""
)


def recommendation_html(rec: Recommendation, *, style: bool = True) -> str:
    """Self-contained HTML (no scripts, no external files) for the static book and the widget."""
    numbers = {key: index for index, key in enumerate(rec.references, start=1)}
    # Anchors unique per patient, so that several recommendations on one page do not share ids.
    digest = hashlib.sha1(json.dumps([rec.disorder, rec.patient], sort_keys=True, default=str).encode())
    uid = "nmd-ref-" + digest.hexdigest()[:8]
    parts = [_STYLE if style else "", f'<div class="nmd-rec" data-disorder="{rec.disorder}">']
    parts.append(f'<p class="nmd-disclaimer">{html.escape(DISCLAIMER)}</p>')
    parts.append(heading_html("Offered now") + _therapy_list(rec.therapies, "nmd-therapies"))
    parts.append(heading_html("Avoid") + _therapy_list(rec.avoid, "nmd-avoid"))
    if rec.warnings:
        items = "".join(f"<li>{html.escape(w)}</li>" for w in rec.warnings)
        parts.append(heading_html("Warnings") + f'<ul class="nmd-warnings">{items}</ul>')
    held = [t for t in rec.not_offered if t not in rec.avoid]
    if held:
        held_list = _therapy_list(held, "nmd-not-offered", rec.not_offered)
        parts.append(heading_html("Not offered again") + held_list)
    steps = []
    for step in rec.path:
        choice = f' <span class="nmd-choice">&rarr; {html.escape(step.choice)}</span>' if step.choice else ""
        steps.append(
            f'<li data-step="{step.id}"><span class="nmd-kind">{step.kind}</span>'
            f"<strong>{html.escape(step.title)}</strong>{choice}<br>"
            f"{html.escape(step.rationale)}{_cites(step.references, numbers, uid)}</li>"
        )
    path_list = '<ol class="nmd-path">' + "".join(steps) + "</ol>"
    parts.append(heading_html("Path through the pathway") + path_list)
    refs = "".join(
        f'<li id="{uid}-{key}" data-key="{key}">{html.escape(format_reference(key))}</li>'
        for key in rec.references
    )
    parts.append(heading_html("References") + f'<ol class="nmd-references">{refs}</ol>')
    parts.append("</div>")
    return "".join(parts)
