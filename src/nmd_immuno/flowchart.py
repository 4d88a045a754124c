"""Draw a pathway as a flowchart (graphviz), with one patient's path highlighted.

Why two outputs: :func:`flowchart_dot` is pure Python (DOT text, renderable anywhere, also in a browser by a
WebAssembly Graphviz), while :func:`flowchart_svg` needs graphviz's ``dot`` program, which the book build and
the course machines have but a resident's laptop may not. Without ``dot``, :func:`flowchart_svg` raises
:class:`FlowchartUnavailable` (with an install hint) and callers show :func:`path_outline` instead.
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
_FILL = {"decision": "#eaf2f8", "step": "#fef9e7", "outcome": "#e9f7ef", "rule": "#f4ecf7"}


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


def build_graph(algorithm: Algorithm, path_ids: tuple[str, ...] = ()) -> graphviz.Digraph:
    """The pathway as a graphviz Digraph; nodes and edges on ``path_ids`` drawn thick and red."""
    on_path = set(path_ids)
    walked = set(itertools.pairwise(path_ids))
    graph = graphviz.Digraph(name=algorithm.disorder, comment=f"{algorithm.title} pathway")
    graph.attr(rankdir="TB", nodesep="0.15", ranksep="0.3", bgcolor="white", fontname="Helvetica")
    graph.attr("node", fontname="Helvetica", fontsize="10", style="filled", color=_OFF)
    graph.attr("edge", fontname="Helvetica", fontsize="8", color=_OFF, fontcolor="#34495e")
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
            fillcolor="#fdecea" if highlighted else _FILL[node.kind],
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
                fontcolor=_ON if highlighted else "#34495e",
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
                    fillcolor="#fdecea" if highlighted else _FILL["rule"],
                    color=_ON if highlighted else _OFF,
                    penwidth="3" if highlighted else "1",
                    id=f"node-{rule.id}",
                    tooltip=rule.rationale,
                    **{"class": "nmd-node nmd-rule" + (" nmd-on-path" if highlighted else "")},
                )
    return graph


def flowchart_dot(disorder: str, path: PathLike = None) -> str:
    """DOT source of the pathway with ``path`` highlighted (needs no ``dot`` program)."""
    return build_graph(load_pathway(disorder), _path_ids(path)).source


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


def flowchart_svg(disorder: str, path: PathLike = None) -> str:
    """Inline SVG of the pathway, the patient's ``path`` (a Recommendation, its steps or node ids)
    highlighted.

    Raises FlowchartUnavailable when graphviz's ``dot`` is not installed.
    """
    if not dot_available():
        raise FlowchartUnavailable(INSTALL_HINT)
    source = flowchart_dot(disorder, path)
    try:
        return _svg(source)
    except graphviz.ExecutableNotFound as exc:  # PATH changed after the check
        raise FlowchartUnavailable(INSTALL_HINT) from exc


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
