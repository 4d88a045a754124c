"""The cohort simulator for the static book: runs precomputed when the page is built, drawn in the browser.

Why precomputed: no Python runs in a static page, and the simulator is Python (numpy). So the page carries
the results of a grid of runs made at build time with the package's own public functions, on the same
virtual population (one seed gives the same patients under every strategy): every strategy of the disorder,
a few cohort sizes, a few seeds and the chapter's follow-up times. What is stored is what the live widget
shows, reduced to summaries (a few hundred kilobytes, not patients): per strategy, size and seed the monthly
curves of :func:`~nmd_immuno.simulate.plotting.trajectory_table` (mean score, interquartile band,
responders) and, for each follow-up, the column of :func:`~nmd_immuno.simulate.tables.summary_table`, as
the text it shows; per pair of strategies, :func:`~nmd_immuno.simulate.comparison_caveats`. ``static/
cohort.js`` only looks these up and draws them as SVG: it computes nothing, so the numbers on the page are
the numbers Python printed (``tests/test_cohort_view.py`` and ``tests/test_cohort_browser.py`` check it).

A shorter follow-up is read off the longest run: the model draws month by month, so the first ``m`` months of
a 36-month run are the ``m``-month run (the tests check that too, against separate runs).

:func:`cohort_simulator_tool` is what a chapter shows: one output whose ``text/html`` is this browser view
and whose widget view is the live :class:`~nmd_immuno.widgets.cohort.CohortSimulator` (see
:mod:`nmd_immuno.widgets.static_dosing` for how the book picks the browser view and Jupyter the live one).
"""

from __future__ import annotations

import html
import json
import uuid
from collections.abc import Sequence
from typing import Any

import pandas as pd

from nmd_immuno.quiz.static_html import static_asset
from nmd_immuno.simulate import (
    compare_strategies,
    comparison_caveats,
    describe_strategy,
    list_strategies,
    summarize_cohorts,
    summary_table,
)
from nmd_immuno.simulate.cohort import MAX_MONTHS, MAX_PATIENTS, MAX_SEED
from nmd_immuno.simulate.model import SimulationInputError
from nmd_immuno.simulate.params import load_simulation_params
from nmd_immuno.simulate.plotting import strategy_colour, trajectory_table
from nmd_immuno.simulate.tables import cell_text, percent_text
from nmd_immuno.simulate.validate import whole_number
from nmd_immuno.widgets.cohort import DEFAULT_A, DEFAULT_B

#: Cohort sizes and seeds precomputed unless a chapter asks for others.
SIZES = (50, 500, 1000)
SEEDS = (0, 1, 2)
#: Decimals kept of the curves (means, centiles, shares): far below what a plot can show.
DECIMALS = 4
#: At most this many runs (strategies x sizes x seeds) per page, so a build stays quick and a page light.
MAX_RUNS = 1000


def _whole_numbers(name: str, values: Sequence[int], low: int, high: int) -> list[int]:
    if isinstance(values, str | bytes) or not isinstance(values, Sequence) or not values:
        raise SimulationInputError(f"{name}: give a non-empty list of whole numbers (given: {values!r})")
    checked = [whole_number(name, value, low, high) for value in values]
    if len(set(checked)) != len(checked):
        raise SimulationInputError(f"{name}: each value once (given: {list(values)!r})")
    return sorted(checked)


def _truncate(frame: pd.DataFrame, months: int) -> pd.DataFrame:
    """The first ``months`` months of a cohort, with its attrs (the summary reads them)."""
    part = frame[frame["month"] <= months]
    part.attrs = dict(frame.attrs)
    return part


def _curve(frame: pd.DataFrame) -> dict[str, list[float]]:
    table = trajectory_table(frame)
    return {
        key: [round(float(value), DECIMALS) for value in table[column]]
        for key, column in (("mean", "mean"), ("q25", "q25"), ("q75", "q75"), ("responders", "responders"))
    }


def summary_texts(summary: pd.DataFrame) -> tuple[list[str], dict[str, list[str]]]:
    """The measures of :func:`summary_table` and, per strategy, its column as shown (same formatting)."""
    proportions = set(summary.attrs.get("proportions", ()))
    measures = [str(column) for column in summary.columns if column != "label"]
    columns = {
        str(key): [
            (percent_text if column in proportions else cell_text)(summary.at[key, column])
            for column in measures
        ]
        for key in summary.index
    }
    return measures, columns


def cohort_view_payload(
    disorder: str,
    *,
    months: Sequence[int],
    sizes: Sequence[int] = SIZES,
    seeds: Sequence[int] = SEEDS,
    default: tuple[str, str] | None = None,
    default_size: int | None = None,
) -> dict[str, Any]:
    """Every run the browser view offers for ``disorder``, as plain JSON data (no logic).

    ``months``: the follow-up times offered (the chapter's); ``sizes`` and ``seeds``: the cohorts offered;
    ``default``: the strategies shown first (A, B), the live widget's defaults where the disorder has them.
    Raises SimulationInputError (a ValueError naming the field) for a bad disorder, size, seed or month.
    """
    names = list(list_strategies(disorder))
    params = load_simulation_params(disorder)
    follow_ups = _whole_numbers("months", months, 1, MAX_MONTHS)
    cohort_sizes = _whole_numbers("sizes", sizes, 1, MAX_PATIENTS)
    cohort_seeds = _whole_numbers("seeds", seeds, 0, MAX_SEED)
    runs_needed = len(names) * len(cohort_sizes) * len(cohort_seeds)
    if runs_needed > MAX_RUNS:
        raise SimulationInputError(
            f"sizes x seeds: {runs_needed} runs for {len(names)} strategies; allowed: at most {MAX_RUNS}"
        )
    if default is None:
        default = (
            DEFAULT_A if DEFAULT_A in names else names[0],
            DEFAULT_B if DEFAULT_B in names else names[-1],
        )
    for field, name in zip(("default A", "default B"), default, strict=True):
        if name not in names:
            raise SimulationInputError(f"{field}: unknown strategy {name!r}; allowed: {', '.join(names)}")
    size = cohort_sizes[len(cohort_sizes) // 2] if default_size is None else default_size
    if size not in cohort_sizes:
        raise SimulationInputError(f"default_size: {size!r} is not among sizes {cohort_sizes}")
    longest = follow_ups[-1]
    measures: dict[str, list[str]] = {}
    runs: list[list[list[dict[str, Any]]]] = []
    for n in cohort_sizes:
        by_seed = []
        for seed in cohort_seeds:
            cohorts = compare_strategies(disorder, names, n_patients=n, months=longest, seed=seed)
            entries = {name: {"curve": _curve(frame), "summary": {}} for name, frame in cohorts.items()}
            for month in follow_ups:
                part = {name: _truncate(frame, month) for name, frame in cohorts.items()}
                rows, columns = summary_texts(summarize_cohorts(part))
                measures[str(month)] = rows
                for name, column in columns.items():
                    entries[name]["summary"][str(month)] = column
            by_seed.append([entries[name] for name in names])
        runs.append(by_seed)
    texts: dict[str, int] = {}
    pairs: dict[str, list[int]] = {}
    for a in names:
        for b in names:
            chosen = [a] if a == b else [a, b]
            pairs[f"{a}|{b}"] = [
                texts.setdefault(text, len(texts)) for text in comparison_caveats(disorder, chosen)
            ]
    first = next(iter(cohorts.values()))
    score = params.score
    worse = "lower" if score.direction == "higher_is_better" else "higher"
    return {
        "version": 1,
        "disorder": disorder,
        "strategies": [
            {
                "id": name,
                "label": params.strategies[name].label,
                "colour": strategy_colour(_frame_for(first, disorder, name)),
                "description": describe_strategy(disorder, name),
            }
            for name in names
        ],
        "sizes": cohort_sizes,
        "seeds": cohort_seeds,
        "months": follow_ups,
        "defaults": {
            "a": default[0],
            "b": default[1],
            "size": size,
            "seed": cohort_seeds[0],
            "months": longest,
        },
        "score": {"name": score.name, "maximum": score.maximum, "minimum": score.minimum},
        "texts": {
            "mean_title": f"Mean {score.name} (band: interquartile range)",
            "mean_axis": f"{score.name} ({score.minimum}-{score.maximum}, {worse} is worse)",
            "responder_title": f"Responders (improved by {score.responder_improvement} or more points)",
            "responder_axis": "% of patients",
            "month_axis": "month",
        },
        "measures": measures,
        # Which measure the status line (the screen reader's announcement) reads out for each follow-up.
        "headline": {
            key: next(i for i, m in enumerate(rows) if m.startswith("responders"))
            for key, rows in measures.items()
        },
        "runs": runs,
        "caveats": {"texts": list(texts), "pairs": pairs},
    }


def _frame_for(frame: pd.DataFrame, disorder: str, strategy: str) -> pd.DataFrame:
    """An empty frame carrying the attrs :func:`strategy_colour` reads, for ``strategy``."""
    empty = frame.iloc[:0]
    empty.attrs = {**frame.attrs, "disorder": disorder, "strategy": strategy}
    return empty


def _script_json(data: Any) -> str:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _python_call(disorder: str, strategies: list[str], n: int, months: int, seed: int) -> str:
    return f"compare_strategies({disorder!r}, {strategies!r}, n_patients={n}, months={months}, seed={seed})"


def static_cohort_html(
    disorder: str,
    *,
    months: Sequence[int],
    sizes: Sequence[int] = SIZES,
    seeds: Sequence[int] = SEEDS,
    default: tuple[str, str] | None = None,
    default_size: int | None = None,
) -> str:
    """The browser view as one self-contained HTML fragment (markup, CSS, payload, ``cohort.js``).

    Without JavaScript it still shows the default comparison's summary table (made here by
    :func:`summary_table`); the chapter shows its figure above.
    """
    payload = cohort_view_payload(
        disorder, months=months, sizes=sizes, seeds=seeds, default=default, default_size=default_size
    )
    defaults = payload["defaults"]
    chosen = [defaults["a"]] if defaults["a"] == defaults["b"] else [defaults["a"], defaults["b"]]
    start = summary_table(
        summarize_cohorts(
            compare_strategies(
                disorder,
                chosen,
                n_patients=defaults["size"],
                months=defaults["months"],
                seed=defaults["seed"],
            )
        )
    )
    prefix = f"nmdc-{uuid.uuid4().hex[:12]}"
    count = len(payload["strategies"])
    grid = (
        f"{count} strategies, cohorts of {', '.join(map(str, payload['sizes']))} patients, seeds "
        f"{', '.join(map(str, payload['seeds']))} and follow-ups of {', '.join(map(str, payload['months']))} "
        "months"
    )
    call = _python_call(disorder, chosen, defaults["size"], defaults["months"], defaults["seed"])
    init = (
        "(function(){var s=document.currentScript;"
        f'var r=(s&&s.parentNode&&s.parentNode.id==="{prefix}")?s.parentNode:'
        f'document.getElementById("{prefix}");'
        "if(window.NMDCohort&&r){window.NMDCohort.init(r);}})();"
    )
    return (
        f'<div class="nmdc" id="{prefix}" lang="en" data-disorder="{html.escape(disorder)}">'
        f"<style>{static_asset('cohort.css')}</style>"
        '<div class="nmdc-title" role="heading" aria-level="3">Cohort simulator in your browser</div>'
        '<p class="nmdc-notice">These cohorts were <strong>simulated when this page was built</strong>, '
        f"on the same virtual patients under every strategy: {html.escape(grid)}. Choosing here looks the "
        "runs up and draws them at once; nothing is simulated in the browser. To run other sizes, seeds or "
        "follow-ups, open this chapter as a notebook with a live kernel (see the box above: "
        "<code>make lab</code> or the course's JupyterHub), where this place shows the live simulator, or "
        "call the function printed below the controls in any notebook. A teaching simulation calibrated to "
        "published trials; not for patient care.</p>"
        '<div class="nmdc-form" hidden></div>'
        '<p class="nmdc-status" role="status" aria-live="polite" aria-atomic="true">Showing the default '
        "comparison (the controls need JavaScript).</p>"
        f'<p class="nmdc-call">In Python: <code>{html.escape(call)}</code></p>'
        '<ul class="nmdc-descriptions"></ul>'
        '<div class="nmdc-caveats" hidden></div>'
        '<div class="nmdc-plots"></div>'
        '<div class="nmdc-legend"></div>'
        f'<div class="nmdc-table" role="region" aria-label="Summary table" tabindex="0">{start}</div>'
        f'<script type="application/json" class="nmdc-data">{_script_json(payload)}</script>'
        f"<script>{static_asset('cohort.js')}\n{init}</script>"
        "</div>"
    )


class CohortSimulatorTool:
    """One output, two views: the live ipywidgets simulator (a kernel) and the browser view (static book)."""

    def __init__(self, disorder: str, **options: Any) -> None:
        from nmd_immuno.widgets.cohort import cohort_simulator

        self.disorder = disorder
        self.options = options
        self.html = static_cohort_html(disorder, **options)
        self.widget = cohort_simulator(disorder)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle = dict(self.widget._repr_mimebundle_(include=include, exclude=exclude) or {})
        bundle["text/html"] = self.html
        return bundle


def cohort_simulator_tool(
    disorder: str,
    *,
    months: Sequence[int],
    sizes: Sequence[int] = SIZES,
    seeds: Sequence[int] = SEEDS,
    default: tuple[str, str] | None = None,
    default_size: int | None = None,
) -> CohortSimulatorTool:
    """What a chapter's simulator section shows: the live widget with a kernel, the browser view in a book."""
    return CohortSimulatorTool(
        disorder, months=months, sizes=sizes, seeds=seeds, default=default, default_size=default_size
    )
