"""Draw a pathway as a flowchart (graphviz), with one patient's path highlighted.

Why two outputs: :func:`flowchart_dot` is pure Python (DOT text, renderable anywhere, also in a browser by a
WebAssembly Graphviz), while :func:`flowchart_svg` needs graphviz's ``dot`` program, which the book build and
the course machines have but a resident's laptop may not. Without ``dot``, :func:`flowchart_svg` raises
:class:`FlowchartUnavailable` (with an install hint) and callers show :func:`path_outline` instead.

Why :func:`flowchart_html`: a pathway fans out into many outcomes, so the drawing is wider than the book's
text column. Shrunk to fit (as an image output is), its 10-point labels become 3-4 pixels high. The HTML
keeps the drawing at its natural size inside a container that scrolls sideways, and names it for screen
readers (an image output's alt text would be its file path).
"""

from __future__ import annotations

import html
import itertools
import re
import shutil
import textwrap
from collections.abc import Sequence
from functools import lru_cache

import graphviz

from nmd_immuno.content.algorithms import Algorithm
from nmd_immuno.content.therapies import therapy_label
from nmd_immuno.engine import Recommendation, Step, load_pathway

INSTALL_HINT = (
    "Graphviz's 'dot' program is not installed, so the flowchart cannot be drawn here; the path is shown as "
    "text. Install it with 'brew install graphviz' (macOS), 'winget install graphviz' or 'choco install "
    "graphviz' (Windows), 'sudo apt-get install graphviz' (Debian/Ubuntu) or 'conda install -c conda-forge "
    "graphviz', then restart the kernel. The published book shows the drawn flowchart."
)

PathLike = Recommendation | Sequence[Step] | Sequence[str] | None

_ON = "#c0392b"  # path colour
_OFF = "#7f8c8d"
_ON_FILL = "#fdecea"
_EDGE_TEXT = "#34495e"
_FILL = {"decision": "#eaf2f8", "step": "#fef9e7", "outcome": "#e9f7ef", "rule": "#f4ecf7"}
#: Width (px) of the book's text column: a top-to-bottom drawing wider than this is also laid out left to
#: right, and the narrower of the two is shown (a fan of outcomes then stacks down the page).
COLUMN_WIDTH_PX = 700


class FlowchartUnavailable(RuntimeError):
    """Graphviz's ``dot`` executable is missing; the message says how to install it."""


def dot_available() -> bool:
    """Whether graphviz's ``dot`` program is on PATH (the python package alone cannot render)."""
    return shutil.which("dot") is not None


def _path_ids(path: PathLike) -> tuple[str, ...]:
    if path is None:
        return ()
    if isinstance(path, Recommendation):
        return tuple(step.id for step in path.path)
    return tuple(item.id if isinstance(item, Step) else str(item) for item in path)


def _wrap(text: str, width: int = 22) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def _label(node_title: str, offers: list[str]) -> str:
    label = _wrap(node_title)
    if offers:
        label += "\n\u2192 " + _wrap(", ".join(offers), 24)
    return label


def _offer_names(items: list) -> list[str]:
    names: list[str] = []
    for item in items:
        if isinstance(item, str):
            names.append(therapy_label(item))
        else:
            suffix = f" ({item.label})" if item.label else (" (if ...)" if item.when is not None else "")
            names.extend(therapy_label(t) + suffix for t in item.therapies)
    return names


def build_graph(
    algorithm: Algorithm, path_ids: tuple[str, ...] = (), rankdir: str = "TB"
) -> graphviz.Digraph:
    """The pathway as a graphviz Digraph; nodes and edges on ``path_ids`` drawn thick and red.

    ``rankdir``: "TB" (top to bottom) or "LR" (left to right, for pathways that fan out widely).
    """
    if rankdir not in ("TB", "LR"):
        raise ValueError(f"rankdir: {rankdir!r} is not allowed; allowed: 'TB', 'LR'")
    on_path = set(path_ids)
    walked = set(itertools.pairwise(path_ids))
    graph = graphviz.Digraph(name=algorithm.disorder, comment=f"{algorithm.title} pathway")
    graph.attr(rankdir=rankdir, nodesep="0.15", ranksep="0.3", bgcolor="white", fontname="Helvetica")
    graph.attr("node", fontname="Helvetica", fontsize="10", style="filled", color=_OFF)
    graph.attr("edge", fontname="Helvetica", fontsize="8", color=_OFF, fontcolor=_EDGE_TEXT)
    for node in algorithm.nodes:
        highlighted = node.id in on_path
        # Decisions are hexagons rather than diamonds: a diamond doubles the width of its text.
        shape = {"decision": "hexagon", "step": "box", "outcome": "box"}[node.kind]
        style = "filled,rounded" if node.kind != "decision" else "filled"
        if node.kind == "outcome":
            style += ",bold"
        graph.node(
            node.id,
            label=_label(node.title, _offer_names(node.offer)),
            shape=shape,
            style=style,
            fillcolor=_ON_FILL if highlighted else _FILL[node.kind],
            color=_ON if highlighted else _OFF,
            penwidth="3" if highlighted else "1",
            id=f"node-{node.id}",
            tooltip=node.rationale,
            **{"class": f"nmd-node nmd-{node.kind}" + (" nmd-on-path" if highlighted else "")},
        )
    for node in algorithm.nodes:
        for target, label in node.successors():
            highlighted = (node.id, target) in walked
            graph.edge(
                node.id,
                target,
                label=_wrap(label, 16) if label else "",
                color=_ON if highlighted else _OFF,
                penwidth="3" if highlighted else "1",
                fontcolor=_ON if highlighted else _EDGE_TEXT,
                id=f"edge-{node.id}-{target}",
                **{"class": "nmd-edge" + (" nmd-on-path" if highlighted else "")},
            )
    if algorithm.rules:
        with graph.subgraph(name="cluster_rules") as rules:
            rules.attr(label="Apply wherever the patient is", fontsize="10", style="dashed", color=_OFF)
            for rule in algorithm.rules:
                highlighted = rule.id in on_path
                rules.node(
                    rule.id,
                    label=_label(rule.title, []),
                    shape="note",
                    fillcolor=_ON_FILL if highlighted else _FILL["rule"],
                    color=_ON if highlighted else _OFF,
                    penwidth="3" if highlighted else "1",
                    id=f"node-{rule.id}",
                    tooltip=rule.rationale,
                    **{"class": "nmd-node nmd-rule" + (" nmd-on-path" if highlighted else "")},
                )
    return graph


def path_css(scope: str) -> str:
    """CSS that draws the drawing's path from its classes (``nmd-on-path``), in the colours of
    :func:`build_graph`: a browser that moves the class (the in-browser explorer) moves the highlight.

    Needed because graphviz writes colours as attributes, which a stylesheet overrides; ``scope`` selects the
    drawings that follow a script (the explorer's own flowchart), so the chapter's other drawings keep theirs.
    """
    shape = f"{scope} .nmd-node polygon,{scope} .nmd-node path,{scope} .nmd-node polyline"
    on_shape = ",".join(f"{scope} .nmd-node.nmd-on-path {tag}" for tag in ("polygon", "path", "polyline"))
    rules = [f"{shape}{{stroke:{_OFF};stroke-width:1px}}"]
    for kind, fill in _FILL.items():
        rules.append(f"{scope} .nmd-{kind} polygon,{scope} .nmd-{kind} path{{fill:{fill}}}")
    rules += [
        f"{on_shape}{{stroke:{_ON};stroke-width:3px}}",
        f"{scope} .nmd-node.nmd-on-path polygon,{scope} .nmd-node.nmd-on-path path{{fill:{_ON_FILL}}}",
        f"{scope} .nmd-edge path{{stroke:{_OFF};stroke-width:1px}}",
        f"{scope} .nmd-edge polygon{{stroke:{_OFF};fill:{_OFF};stroke-width:1px}}",
        f"{scope} .nmd-edge text{{fill:{_EDGE_TEXT}}}",
        f"{scope} .nmd-edge.nmd-on-path path{{stroke:{_ON};stroke-width:3px}}",
        f"{scope} .nmd-edge.nmd-on-path polygon{{stroke:{_ON};fill:{_ON};stroke-width:3px}}",
        f"{scope} .nmd-edge.nmd-on-path text{{fill:{_ON}}}",
    ]
    return "\n".join(rules) + "\n"


def flowchart_dot(disorder: str, path: PathLike = None, rankdir: str = "TB") -> str:
    """DOT source of the pathway with ``path`` highlighted (needs no ``dot`` program)."""
    return build_graph(load_pathway(disorder), _path_ids(path), rankdir).source


def flowchart_alt(disorder: str, path: PathLike = None) -> str:
    """What the drawing shows, in words: its accessible name (title) and the scroll container's label."""
    text = f"Treatment pathway for {load_pathway(disorder).title}"
    return text + ("; highlighted: this patient's path" if _path_ids(path) else "")


@lru_cache(maxsize=64)
def _svg(source: str) -> str:
    svg = graphviz.Source(source).pipe(format="svg", encoding="utf-8")
    # Inline-ready: drop the XML prolog and doctype so the SVG can sit inside HTML.
    svg = svg[svg.index("<svg") :]
    # Size in pixels rather than points (75%): the whole pathway then fits a laptop screen, text legible;
    # the viewBox keeps the drawing intact.
    return re.sub(
        r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', r'<svg width="\1px" height="\2px"', svg, count=1
    )


def svg_width(svg: str) -> float:
    """The drawing's width in pixels, from the ``<svg ... width=...>`` written by :func:`_svg`."""
    found = re.match(r'<svg\b[^>]*?\swidth="([\d.]+)px"', svg)
    if found is None:
        raise ValueError(f"svg: no width in pixels at the start of {svg[:60]!r}")
    return float(found.group(1))


def _named(svg: str, alt: str) -> str:
    """The SVG with an accessible name: role="img", aria-label and a leading <title> (also the tooltip)."""
    label = html.escape(alt, quote=True)
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)
    opening_end = svg.index(">") + 1
    return f"{svg[:opening_end]}\n<title>{html.escape(alt, quote=False)}</title>{svg[opening_end:]}"


def flowchart_svg(disorder: str, path: PathLike = None) -> str:
    """Inline SVG of the pathway, the patient's ``path`` (a Recommendation, its steps or node ids)
    highlighted, named for screen readers (see :func:`flowchart_alt`).

    Drawn top to bottom; if that is wider than the text column (:data:`COLUMN_WIDTH_PX`), the narrower of the
    top-to-bottom and left-to-right layouts is returned. Raises FlowchartUnavailable when graphviz's ``dot``
    is not installed.
    """
    if not dot_available():
        raise FlowchartUnavailable(INSTALL_HINT)
    try:
        svg = _svg(flowchart_dot(disorder, path))
        if svg_width(svg) > COLUMN_WIDTH_PX:
            sideways = _svg(flowchart_dot(disorder, path, rankdir="LR"))
            svg = min(svg, sideways, key=svg_width)
    except graphviz.ExecutableNotFound as exc:  # PATH changed after the check
        raise FlowchartUnavailable(INSTALL_HINT) from exc
    return _named(svg, flowchart_alt(disorder, path))


def flowchart_html(disorder: str, path: PathLike = None) -> str:
    """The flowchart for a page or a widget: the SVG at its natural size (never shrunk to illegible text)
    inside a container that scrolls sideways when the drawing is wider than the column.

    The container is focusable (tabindex) so keyboard users can scroll it too. Raises FlowchartUnavailable
    when graphviz's ``dot`` is not installed.
    """
    svg = flowchart_svg(disorder, path)
    # Themes often cap images and SVGs at the column width (max-width:100%); the drawing must keep its size.
    svg = svg.replace("<svg ", '<svg style="max-width:none" ', 1)
    label = html.escape(flowchart_alt(disorder, path) + " (scroll sideways if it is cut off)", quote=True)
    return (
        f'<div class="nmd-flowchart" role="region" aria-label="{label}" tabindex="0" '
        'style="overflow-x:auto;overflow-y:hidden;max-width:100%;margin:.5em 0">'
        f"{svg}</div>"
    )


def path_outline(path: Recommendation) -> str:
    """Text outline of a recommendation's path: the fallback when the flowchart cannot be drawn."""
    return path.outline()


def svg_node_ids(svg: str) -> list[str]:
    """Pathway node ids drawn in an SVG produced here (used by tests and the book's checks)."""
    return re.findall(r'<g id="node-([^"]+)"', html.unescape(svg))


def svg_highlighted_ids(svg: str) -> list[str]:
    """Node ids drawn as on the patient's path."""
    found = re.findall(r'<g id="node-([^"]+)" class="[^"]*nmd-on-path', html.unescape(svg))
    return found
