"""plot_comparison and the cohort simulator widget (layout and wiring only; numbers come from the package)."""

from __future__ import annotations

import numpy as np
import pytest

from nmd_immuno.simulate import compare_strategies, plot_comparison
from nmd_immuno.simulate.plotting import trajectory_table
from nmd_immuno.widgets.cohort import DEFAULT_A, DEFAULT_B, cohort_simulator

PNG_MAGIC = b"\x89PNG"


def test_plot_has_a_trajectory_and_a_responder_panel_per_strategy():
    cohorts = compare_strategies("myasthenia_gravis", ["placebo", "efgartigimod"], n_patients=200, months=6)
    figure = plot_comparison(cohorts)
    left, right = figure.axes
    assert len(left.lines) == 2 and len(right.lines) == 2
    assert len(left.collections) == 2  # one interquartile band per strategy
    for name, line in zip(cohorts, left.lines, strict=True):
        assert np.allclose(line.get_ydata(), trajectory_table(cohorts[name])["mean"].to_numpy())
    for name, line in zip(cohorts, right.lines, strict=True):
        assert np.allclose(line.get_ydata(), 100 * trajectory_table(cohorts[name])["responders"].to_numpy())
    assert "MG-ADL" in left.get_title() and "2 or more" in right.get_title()


def test_plot_refuses_an_empty_comparison():
    with pytest.raises(ValueError, match=r"^cohorts:"):
        plot_comparison({})


def test_widget_shows_the_default_comparison_when_built():
    widget = cohort_simulator()
    assert (widget.strategy_a.value, widget.strategy_b.value) == (DEFAULT_A, DEFAULT_B)
    assert bytes(widget.image.value).startswith(PNG_MAGIC)
    assert DEFAULT_A in widget.table.value and DEFAULT_B in widget.table.value
    assert widget.message.value == ""


def test_widget_shows_the_package_message_for_bad_input_and_recovers():
    widget = cohort_simulator()
    before = bytes(widget.image.value)
    widget.n_patients.value = 0
    widget.run_button.click()
    assert "n_patients" in widget.message.value and "1 to 200000" in widget.message.value
    assert bytes(widget.image.value) == before
    widget.n_patients.value = 100
    widget.months.value = 6
    widget.strategy_b.value = "efgartigimod"
    widget.run_button.click()
    assert widget.message.value == ""
    assert "efgartigimod" in widget.table.value and bytes(widget.image.value) != before
