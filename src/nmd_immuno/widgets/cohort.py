"""Cohort simulator widget: two strategies side by side, trajectories and responders, with a summary table.

Layout and wiring only: the cohorts, the figure, the table and the warnings (different backgrounds, effects
not modelled, teaching assumptions) come from :mod:`nmd_immuno.simulate`, which is also what keeps the table
disorder-neutral: rows for mechanisms a disorder does not model (crises and prednisone for CIDP) are left
out by ``summarize_cohorts`` and named once in the warnings. The widget runs one comparison when it is
built, so a static page (no kernel) still shows the default comparison (for MG, thymectomy plus prednisone
against prednisone alone) as an embedded image and table.
"""

from __future__ import annotations

import io

import ipywidgets as widgets

from nmd_immuno.simulate import (
    compare_strategies,
    comparison_caveats,
    describe_strategy,
    list_strategies,
    plot_comparison,
    summarize_cohorts,
    summary_table,
)

DEFAULT_A = "thymectomy_plus_prednisone"
DEFAULT_B = "prednisone_alone"


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90)
    return buffer.getvalue()


class CohortSimulator(widgets.VBox):
    """Two strategy dropdowns, cohort size, months, seed and a Run button above the figure and the table."""

    def __init__(self, disorder: str = "myasthenia_gravis") -> None:
        self.disorder = disorder
        options = [(label, name) for name, label in list_strategies(disorder).items()]
        names = [name for _, name in options]
        style = {"description_width": "initial"}
        self.strategy_a = widgets.Dropdown(
            options=options,
            value=DEFAULT_A if DEFAULT_A in names else names[0],
            description="Strategy A:",
            style=style,
        )
        self.strategy_b = widgets.Dropdown(
            options=options,
            value=DEFAULT_B if DEFAULT_B in names else names[-1],
            description="Strategy B:",
            style=style,
        )
        # Plain IntText (not bounded): out-of-range values reach the package, whose message names the limits.
        self.n_patients = widgets.IntText(
            value=1000, description="patients:", style=style, layout=widgets.Layout(width="160px")
        )
        self.months = widgets.IntText(
            value=24, description="months:", style=style, layout=widgets.Layout(width="140px")
        )
        self.seed = widgets.IntText(
            value=0, description="seed:", style=style, layout=widgets.Layout(width="130px")
        )
        self.run_button = widgets.Button(description="Run", button_style="primary", icon="play")
        self.message = widgets.HTML()
        self.descriptions = widgets.HTML()
        self.caveats = widgets.HTML()
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        self.table = widgets.HTML()
        self.run_button.on_click(lambda _button: self.run())
        super().__init__(
            [
                widgets.HTML(
                    "<b>Virtual cohort simulator</b>: the same virtual patients under two strategies "
                    "(teaching simulation calibrated to published trials; not for patient care)."
                ),
                widgets.HBox([self.strategy_a, self.strategy_b]),
                widgets.HBox([self.n_patients, self.months, self.seed, self.run_button]),
                self.message,
                self.descriptions,
                self.caveats,
                self.image,
                self.table,
            ]
        )
        self.run()

    def run(self) -> None:
        """Simulate both cohorts and refresh the figure and table; bad input shows the package's message."""
        strategies = [self.strategy_a.value, self.strategy_b.value]
        if strategies[0] == strategies[1]:
            strategies = strategies[:1]
        try:
            cohorts = compare_strategies(
                self.disorder,
                strategies,
                n_patients=self.n_patients.value,
                months=self.months.value,
                seed=self.seed.value,
            )
        except ValueError as error:
            self.message.value = f"<span style='color:#b00020'>Not run: {_escape(str(error))}</span>"
            return
        self.message.value = ""
        self.descriptions.value = (
            "<ul>"
            + "".join(f"<li>{_escape(describe_strategy(self.disorder, name))}</li>" for name in strategies)
            + "</ul>"
        )
        caveats = comparison_caveats(self.disorder, strategies)
        self.caveats.value = (
            "<div class='nmd-cohort-caveats' style='border-left:4px solid #e6a700;padding-left:8px'>"
            "<b>Read with care:</b><ul>"
            + "".join(f"<li>{_escape(text)}</li>" for text in caveats)
            + "</ul></div>"
            if caveats
            else ""
        )
        self.image.value = _png(plot_comparison(cohorts))
        self.table.value = str(summary_table(summarize_cohorts(cohorts)))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cohort_simulator(disorder: str = "myasthenia_gravis") -> CohortSimulator:
    """The cohort simulator widget, already showing the default comparison."""
    return CohortSimulator(disorder)
