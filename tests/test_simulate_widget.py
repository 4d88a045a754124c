"""plot_comparison and the cohort simulator widget (layout and wiring only; numbers come from the package)."""

from __future__ import annotations

import numpy as np
import pytest

from nmd_immuno.simulate import compare_strategies, plot_comparison
from nmd_immuno.simulate.plotting import SAMPLE_PATIENTS, sample_trajectories, trajectory_table
from nmd_immuno.widgets.cohort import DEFAULT_A, DEFAULT_B, cohort_simulator

PNG_MAGIC = b"\x89PNG"


def test_plot_has_a_trajectory_and_a_responder_panel_per_strategy():
    cohorts = compare_strategies("myasthenia_gravis", ["placebo", "efgartigimod"], n_patients=200, months=6)
    figure = plot_comparison(cohorts)
    left, right = figure.axes
    means = [line for line in left.lines if line.get_gid() == "mean"]
    assert len(means) == 2 and len(right.lines) == 2
    assert len(left.collections) == 2  # one interquartile band per strategy
    for name, line in zip(cohorts, means, strict=True):
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


def test_plot_overlays_faint_individual_patients_taken_from_the_cohort():
    cohorts = compare_strategies("myasthenia_gravis", ["prednisone_alone"], n_patients=200, months=12)
    left = plot_comparison(cohorts).axes[0]
    patients = [line for line in left.lines if line.get_gid() == "patient"]
    assert len(patients) == SAMPLE_PATIENTS
    assert all(line.get_alpha() < 0.5 for line in patients)
    table = sample_trajectories(cohorts["prednisone_alone"])
    for line, (_patient, row) in zip(patients, table.iterrows(), strict=True):
        assert np.array_equal(line.get_ydata(), row.to_numpy())
    none = plot_comparison(cohorts, sample=0).axes[0]
    assert not [line for line in none.lines if line.get_gid() == "patient"]
    with pytest.raises(ValueError, match=r"^sample:"):
        plot_comparison(cohorts, sample=-1)


def test_widget_warns_when_the_strategies_have_different_backgrounds():
    widget = cohort_simulator()
    assert "Different backgrounds" not in widget.caveats.value
    assert "teaching assumptions" in widget.caveats.value
    widget.strategy_a.value = "eculizumab"
    widget.strategy_b.value = "standard_of_care"
    widget.n_patients.value = 100
    widget.months.value = 6
    widget.run_button.click()
    assert "Different backgrounds" in widget.caveats.value
    assert "not modelled" in widget.caveats.value
    assert "serious steroid adverse event" in widget.table.value


def test_plot_title_counts_the_patients_actually_drawn():
    small = compare_strategies("myasthenia_gravis", ["placebo"], n_patients=10, months=3)
    left = plot_comparison(small).axes[0]
    assert len([line for line in left.lines if line.get_gid() == "patient"]) == 10
    assert "faint: 10 patients" in left.get_title()
    assert f"faint: {SAMPLE_PATIENTS}" not in left.get_title()
    large = compare_strategies("myasthenia_gravis", ["placebo"], n_patients=50, months=3)
    assert "faint: 7 patients" in plot_comparison(large, sample=np.int64(7)).axes[0].get_title()
    mixed = plot_comparison({"small": small["placebo"], "large": large["placebo"]}).axes[0]
    assert f"faint: 10-{SAMPLE_PATIENTS} patients" in mixed.get_title()


def test_cidp_widget_leaves_out_what_cidp_does_not_model_and_says_so():
    widget = cohort_simulator("cidp")
    assert widget.message.value == ""
    table = widget.table.value
    assert "adjusted INCAT" in table
    for absent in ("crisis", "prednisone", "steroid", "azathioprine"):
        assert absent not in table, absent
    assert "Not modelled for this disorder" in widget.caveats.value
    mg = cohort_simulator()
    assert "any crisis" in mg.table.value and "Not modelled for this disorder" not in mg.caveats.value
