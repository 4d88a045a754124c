"""simulate_cohort / compare_strategies: shape, invariants (property checks), onset, seeds and bad input."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nmd_immuno.simulate import (
    compare_strategies,
    list_strategies,
    simulate_cohort,
    summarize_cohorts,
)
from nmd_immuno.simulate.model import effect_fraction
from nmd_immuno.simulate.params import load_simulation_params

MG = "myasthenia_gravis"
PARAMS = load_simulation_params(MG)
STRATEGIES = list(PARAMS.strategies)
COLUMNS = [
    "patient", "month", "strategy", "mg_adl", "change", "responder", "mse", "prednisone_mg",
    "cumulative_prednisone_mg", "early_worsening", "crisis", "relapse", "azathioprine",
]  # fmt: skip


def test_one_row_per_patient_and_month_with_the_documented_columns():
    frame = simulate_cohort(MG, "efgartigimod", n_patients=50, months=6, seed=1)
    assert list(frame.columns) == COLUMNS
    assert len(frame) == 50 * 7
    assert not frame.duplicated(["patient", "month"]).any()
    assert sorted(frame.month.unique()) == list(range(7))
    assert set(frame.strategy) == {"efgartigimod"}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    strategy=st.sampled_from(STRATEGIES),
    n=st.integers(min_value=1, max_value=60),
    months=st.integers(min_value=1, max_value=40),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
)
def test_invariants_hold_for_any_strategy_size_and_seed(strategy, n, months, seed):
    frame = simulate_cohort(MG, strategy, n_patients=n, months=months, seed=seed)
    assert not frame.isna().any().any()
    assert frame.mg_adl.between(0, 24).all()
    assert (frame.prednisone_mg >= 0).all()
    steps = (
        frame.sort_values(["patient", "month"]).groupby("patient")["cumulative_prednisone_mg"].diff().dropna()
    )
    assert (steps >= 0).all()
    baseline = frame[frame.month == 0].set_index("patient").mg_adl
    change = frame.mg_adl.astype(int) - frame.patient.map(baseline).astype(int)
    assert (frame.change == change).all()
    assert (frame.responder == (frame.change <= -2)).all()
    assert (frame.mse == (frame.mg_adl <= 1)).all()
    assert not frame[frame.month == 0][["crisis", "relapse", "early_worsening"]].any().any()


def test_baseline_meets_the_inclusion_threshold():
    frame = simulate_cohort(MG, "placebo", n_patients=500, months=1, seed=2)
    assert frame[frame.month == 0].mg_adl.min() >= PARAMS.population.minimum_baseline.value


@settings(max_examples=40, deadline=None)
@given(
    onset=st.floats(min_value=0, max_value=24),
    extra=st.floats(min_value=0, max_value=24),
    tau=st.floats(min_value=-10, max_value=60),
)
def test_effect_fraction_is_zero_until_onset_and_full_from_peak(onset, extra, tau):
    peak = onset + extra
    fraction = float(effect_fraction(tau, onset, peak))
    assert 0.0 <= fraction <= 1.0
    if tau <= onset:
        assert fraction == 0.0
    if tau >= peak and tau > onset:
        assert fraction == 1.0
    assert float(effect_fraction(tau + 1, onset, peak)) >= fraction


@pytest.mark.parametrize(
    ("with_therapy", "without", "therapy"),
    [
        ("thymectomy_plus_prednisone", "prednisone_alone", "thymectomy"),
        ("rituximab_established", "prednisone_maintenance", "rituximab"),
        ("efgartigimod", "placebo", "efgartigimod"),
    ],
)
def test_a_therapy_changes_nothing_before_its_onset_delay(with_therapy, without, therapy):
    """Same seed, same virtual patients: the cohorts agree up to the onset month and differ after the peak."""
    onset = PARAMS.therapies[therapy].onset_months.value
    peak = PARAMS.therapies[therapy].peak_months.value
    months = math.ceil(peak) + 2
    cohorts = compare_strategies(MG, [with_therapy, without], n_patients=400, months=months, seed=5)
    a, b = (cohorts[name].drop(columns="strategy") for name in (with_therapy, without))
    before = a.month <= onset
    pd.testing.assert_frame_equal(a[before].reset_index(drop=True), b[before].reset_index(drop=True))
    after = a.month >= peak
    assert (a[after].mg_adl.to_numpy() != b[after].mg_adl.to_numpy()).any()
    assert a[a.month == months].mg_adl.mean() < b[b.month == months].mg_adl.mean()


def test_same_seed_reproduces_exactly_and_another_seed_differs():
    first = simulate_cohort(MG, "thymectomy_plus_prednisone", n_patients=200, months=12, seed=11)
    again = simulate_cohort(MG, "thymectomy_plus_prednisone", n_patients=200, months=12, seed=11)
    other = simulate_cohort(MG, "thymectomy_plus_prednisone", n_patients=200, months=12, seed=12)
    pd.testing.assert_frame_equal(first, again)
    assert not first.mg_adl.equals(other.mg_adl)


def test_strategies_compared_on_the_same_virtual_patients():
    cohorts = compare_strategies(MG, ["placebo", "ravulizumab", "standard_of_care"], n_patients=300, months=3)
    assert list(cohorts) == ["placebo", "ravulizumab", "standard_of_care"]
    baselines = [frame[frame.month == 0].mg_adl.to_numpy() for frame in cohorts.values()]
    assert all(np.array_equal(baselines[0], other) for other in baselines[1:])


def test_high_dose_start_gives_early_worsening_at_the_published_rate():
    expected = PARAMS.steroid_starts["high"].early_worsening_probability.value
    n = 4000
    high = simulate_cohort(MG, "prednisone_high_start", n_patients=n, months=3, seed=3)
    low = simulate_cohort(MG, "prednisone_alone", n_patients=n, months=3, seed=3)
    rate = high.groupby("patient").early_worsening.any().mean()
    assert abs(rate - expected) < 4 * math.sqrt(expected * (1 - expected) / n)
    assert high[high.early_worsening].month.eq(1).all()
    assert not low.early_worsening.any()
    assert high[high.month == 1].mg_adl.mean() > low[low.month == 1].mg_adl.mean()


def test_prednisone_is_recorded_only_where_the_strategy_gives_it():
    assert simulate_cohort(MG, "efgartigimod", n_patients=50, months=6).prednisone_mg.eq(0).all()
    treated = simulate_cohort(MG, "prednisone_alone", n_patients=50, months=6)
    start = PARAMS.steroid_starts["low_escalating"].start_mg.value
    assert treated[treated.month == 0].prednisone_mg.eq(start).all()
    assert treated.prednisone_mg.max() <= PARAMS.steroid_policy.ceiling_mg.value
    assert treated[treated.month == 6].cumulative_prednisone_mg.min() > 0


def test_thymectomy_lowers_crises_and_azathioprine_use_over_three_years():
    cohorts = compare_strategies(
        MG, ["thymectomy_plus_prednisone", "prednisone_alone"], n_patients=3000, months=36, seed=4
    )
    per_patient = {
        name: frame.groupby("patient")[["crisis", "azathioprine"]].any() for name, frame in cohorts.items()
    }
    thymectomy, prednisone = per_patient["thymectomy_plus_prednisone"], per_patient["prednisone_alone"]
    assert thymectomy.crisis.mean() < prednisone.crisis.mean()
    assert thymectomy.azathioprine.mean() < prednisone.azathioprine.mean()


def test_summary_matches_the_cohort_it_summarises():
    cohorts = compare_strategies(MG, ["placebo", "efgartigimod"], n_patients=300, months=6, seed=8)
    summary = summarize_cohorts(cohorts)
    assert list(summary.index) == ["placebo", "efgartigimod"]
    for name, frame in cohorts.items():
        final = frame[frame.month == 6]
        assert summary.loc[name, "responders at month 6"] == pytest.approx(final.responder.mean(), abs=1e-3)
        assert summary.loc[name, "mean MG-ADL at month 6"] == pytest.approx(final.mg_adl.mean(), abs=0.01)
        assert summary.loc[name, "patients"] == 300


def test_list_strategies_gives_labels_for_every_strategy():
    labels = list_strategies(MG)
    assert list(labels) == STRATEGIES and all(labels.values())


# ----------------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"strategy": "homeopathy"}, "strategy"),
        ({"strategy": None}, "strategy"),
        ({"n_patients": 0}, "n_patients"),
        ({"n_patients": -5}, "n_patients"),
        ({"n_patients": 2.5}, "n_patients"),
        ({"n_patients": True}, "n_patients"),
        ({"n_patients": "100"}, "n_patients"),
        ({"n_patients": 10**9}, "n_patients"),
        ({"months": 0}, "months"),
        ({"months": 121}, "months"),
        ({"months": float("nan")}, "months"),
        ({"seed": -1}, "seed"),
        ({"disorder": "flu"}, "disorder"),
        ({"disorder": "cidp"}, "disorder"),
    ],
)
def test_bad_input_raises_value_error_naming_the_field(kwargs, field):
    arguments = {"disorder": MG, "strategy": "placebo", "n_patients": 10, "months": 3, "seed": 0, **kwargs}
    disorder = arguments.pop("disorder")
    strategy = arguments.pop("strategy")
    with pytest.raises(ValueError) as info:
        simulate_cohort(disorder, strategy, **arguments)
    assert str(info.value).startswith(f"{field}:")
    given_value = kwargs[next(iter(kwargs))]
    if isinstance(given_value, str | int) and not isinstance(given_value, bool):
        assert str(given_value) in str(info.value)


@pytest.mark.parametrize("strategies", [[], "placebo", ["placebo", "placebo"], ["placebo", "nonsense"]])
def test_compare_strategies_refuses_a_bad_list(strategies):
    with pytest.raises(ValueError, match=r"^strateg"):
        compare_strategies(MG, strategies, n_patients=10, months=2)
