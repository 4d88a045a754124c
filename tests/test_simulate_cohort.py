"""simulate_cohort / compare_strategies: shape, invariants (property checks), onset, seeds and bad input."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nmd_immuno.simulate import cohort as cohort_module
from nmd_immuno.simulate import (
    compare_strategies,
    comparison_caveats,
    list_strategies,
    simulate_cohort,
    summarize_cohorts,
)
from nmd_immuno.simulate.model import DAYS_PER_MONTH, effect_fraction, simulate_arrays
from nmd_immuno.simulate.params import load_simulation_params

MG = "myasthenia_gravis"
PARAMS = load_simulation_params(MG)
STRATEGIES = list(PARAMS.strategies)
COLUMNS = [
    "patient", "month", "strategy", "mg_adl", "change", "responder", "mse", "prednisone_mg",
    "cumulative_prednisone_mg", "early_worsening", "crisis", "relapse", "relapse_on_taper",
    "steroid_adverse_event", "azathioprine",
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
    ordered = frame.sort_values(["patient", "month"])
    # A steroid adverse event is cumulative (once had, always had) and needs prednisone taken before it.
    adverse = ordered.groupby("patient")["steroid_adverse_event"]
    assert (adverse.cummax() == ordered["steroid_adverse_event"]).all()
    assert not ordered[ordered.cumulative_prednisone_mg == 0].steroid_adverse_event.any()
    # A relapse on taper is a relapse, and happens only after a month on a tapered dose below the threshold.
    assert not (frame.relapse_on_taper & ~frame.relapse).any()
    previous_dose = ordered.groupby("patient")["prednisone_mg"].shift(1)
    relapsing = ordered.relapse_on_taper
    assert (previous_dose[relapsing] < PARAMS.taper_relapse.threshold_mg.value).all()
    if PARAMS.strategies[strategy].background == "trial_background":
        assert not frame[["relapse_on_taper", "steroid_adverse_event"]].any().any()


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


MG_SUMMARY_COLUMNS = [
    "label", "patients", "months", "mean baseline MG-ADL", "mean MG-ADL at month 6", "mean change",
    "responders at month 6", "minimal symptom expression (MG-ADL 0-1) at month 6", "any crisis",
    "early steroid worsening", "azathioprine used",
    "any relapse on taper", "relapses on taper per patient", "serious steroid adverse event (assumed rate)",
    "mean cumulative prednisone (g)",
]  # fmt: skip


def test_mg_summary_keeps_every_mechanism_and_says_none_is_switched_off():
    """MG models crises, prednisone and the azathioprine add-on: all its columns stay, and no caveat says
    otherwise."""
    cohorts = compare_strategies(MG, ["prednisone_high_start", "placebo"], n_patients=300, months=6, seed=8)
    summary = summarize_cohorts(cohorts)
    assert list(summary.columns) == MG_SUMMARY_COLUMNS
    frame = cohorts["prednisone_high_start"]
    assert summary.loc["prednisone_high_start", "early steroid worsening"] == pytest.approx(
        frame.groupby("patient").early_worsening.any().mean(), abs=1e-3
    )
    assert summary.loc["prednisone_high_start", "mean cumulative prednisone (g)"] > 0
    assert not any(
        text.startswith("Not modelled for this disorder")
        for text in comparison_caveats(MG, ["prednisone_high_start", "placebo"])
    )


def test_summary_keeps_a_column_if_any_cohort_models_it():
    cohorts = compare_strategies(MG, ["placebo"], n_patients=20, months=2, seed=1)
    cidp = compare_strategies("cidp", ["placebo"], n_patients=20, months=2, seed=1)
    assert "any crisis" not in summarize_cohorts(cidp).columns
    mixed = summarize_cohorts({"mg": cohorts["placebo"], "cidp": cidp["placebo"]})
    assert "any crisis" in mixed.columns


@pytest.mark.parametrize("cohorts", [{}, None, []])
def test_summary_refuses_nothing_to_summarise(cohorts):
    with pytest.raises(ValueError, match=r"^cohorts:"):
        summarize_cohorts(cohorts)


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


BAD_STRATEGY_LISTS = [
    ([], "non-empty list"),
    (None, "non-empty list"),
    (7, "non-empty list"),
    ("placebo", "not a single string"),
    (["placebo", "placebo"], "placebo listed more than once"),
    (["placebo", "nonsense"], "unknown value 'nonsense'"),
    (["placebo", None], "unknown value None"),
]


@pytest.mark.parametrize(("strategies", "fault"), BAD_STRATEGY_LISTS)
def test_compare_strategies_refuses_a_bad_list(strategies, fault):
    with pytest.raises(ValueError, match=r"^strategies:") as info:
        compare_strategies(MG, strategies, n_patients=10, months=2)
    assert fault in str(info.value)


@pytest.mark.parametrize(("strategies", "fault"), BAD_STRATEGY_LISTS)
def test_comparison_caveats_refuses_the_same_bad_lists(strategies, fault):
    with pytest.raises(ValueError, match=r"^strategies:") as info:
        comparison_caveats(MG, strategies)
    assert fault in str(info.value)
    assert "unknown value 'p'" not in str(info.value)


def test_a_tuple_of_strategies_is_accepted():
    assert list(compare_strategies(MG, ("placebo", "efgartigimod"), n_patients=5, months=1)) == [
        "placebo",
        "efgartigimod",
    ]
    assert comparison_caveats(MG, ("placebo",)) == comparison_caveats(MG, ["placebo"])


def test_numpy_integers_are_whole_numbers():
    frame = simulate_cohort(MG, "placebo", n_patients=np.int64(7), months=np.int32(2), seed=np.uint32(3))
    assert frame.patient.nunique() == 7 and frame.month.max() == 2


# ----------------------------------------------------------------------------------- steroid adverse events
def _per_patient(frame: pd.DataFrame, column: str) -> pd.Series:
    return frame.groupby("patient")[column].any()


def test_steroid_adverse_events_rise_with_steroid_exposure():
    """More prednisone, more adverse events: high start > low start > thymectomy (less prednisone needed)."""
    names = ["prednisone_high_start", "prednisone_alone", "thymectomy_plus_prednisone"]
    cohorts = compare_strategies(MG, names, n_patients=3000, months=36, seed=6)
    exposure = [cohorts[name].groupby("patient").cumulative_prednisone_mg.max().mean() for name in names]
    events = [_per_patient(cohorts[name], "steroid_adverse_event").mean() for name in names]
    assert exposure[0] > exposure[1] > exposure[2]
    assert events[0] > events[1] > events[2] > 0
    assert not compare_strategies(MG, ["efgartigimod"], n_patients=500, months=36)[
        "efgartigimod"
    ].steroid_adverse_event.any()


def test_for_one_patient_more_cumulative_prednisone_never_means_fewer_adverse_events():
    """Same seed, same patient: whoever has had an event on less prednisone has had it on more too."""
    cohorts = compare_strategies(
        MG, ["prednisone_high_start", "thymectomy_plus_prednisone"], n_patients=2000, months=24, seed=9
    )
    high, low = (cohorts[name] for name in ("prednisone_high_start", "thymectomy_plus_prednisone"))
    more = high.cumulative_prednisone_mg.to_numpy() >= low.cumulative_prednisone_mg.to_numpy()
    had_on_less = low.steroid_adverse_event.to_numpy() & more
    assert had_on_less.any()
    assert high.steroid_adverse_event.to_numpy()[had_on_less].all()


def test_adverse_event_risk_follows_the_cumulative_dose():
    """Risk of a first event by month t is 1 - exp(-hazard per gram x cumulative grams)."""
    frame = simulate_cohort(MG, "prednisone_alone", n_patients=20000, months=24, seed=12)
    final = frame[frame.month == 24]
    rate = PARAMS.steroid_adverse_events.hazard_per_gram.value
    expected = (1 - np.exp(-rate * final.cumulative_prednisone_mg / 1000.0)).mean()
    assert final.steroid_adverse_event.mean() == pytest.approx(expected, abs=4 * math.sqrt(0.25 / 20000))


def test_without_the_hazard_there_are_no_adverse_events_and_nothing_else_changes():
    events = PARAMS.steroid_adverse_events
    silent = PARAMS.model_copy(
        update={
            "steroid_adverse_events": events.model_copy(
                update={"hazard_per_gram": events.hazard_per_gram.model_copy(update={"value": 0.0})}
            )
        }
    )
    a = simulate_arrays(silent, "prednisone_alone", n_patients=500, months=24, seed=2)
    b = simulate_arrays(PARAMS, "prednisone_alone", n_patients=500, months=24, seed=2)
    assert not a.steroid_adverse_event.any() and b.steroid_adverse_event.any()
    assert np.array_equal(a.score, b.score)


# ----------------------------------------------------------------------------------- relapse on taper
def test_prednisone_alone_relapses_on_taper_and_thymectomy_relapses_less():
    cohorts = compare_strategies(
        MG, ["thymectomy_plus_prednisone", "prednisone_alone"], n_patients=3000, months=36, seed=4
    )
    counts = {name: frame.groupby("patient").relapse_on_taper.sum() for name, frame in cohorts.items()}
    assert counts["prednisone_alone"].mean() > 0.05
    assert counts["thymectomy_plus_prednisone"].mean() < 0.75 * counts["prednisone_alone"].mean()
    # Per month spent tapered below the threshold (thymectomy lets more patients get there).
    threshold = PARAMS.taper_relapse.threshold_mg.value
    rates = {}
    for name, frame in cohorts.items():
        ordered = frame.sort_values(["patient", "month"])
        previous = ordered.groupby("patient").prednisone_mg.shift(1)
        at_risk = (previous < threshold) & (ordered.month >= 13)
        rates[name] = ordered.relapse_on_taper[at_risk].mean()
    assert rates["thymectomy_plus_prednisone"] < 0.5 * rates["prednisone_alone"]


def test_a_relapse_on_taper_brings_prednisone_back_up():
    taper = PARAMS.taper_relapse
    never = PARAMS.model_copy(
        update={
            "taper_relapse": taper.model_copy(
                update={"hazard_per_month": taper.hazard_per_month.model_copy(update={"value": 0.0})}
            )
        }
    )
    without = simulate_arrays(never, "prednisone_alone", n_patients=2000, months=36, seed=3)
    with_relapse = simulate_arrays(PARAMS, "prednisone_alone", n_patients=2000, months=36, seed=3)
    assert not without.relapse_on_taper.any() and with_relapse.relapse_on_taper.any()
    assert (
        with_relapse.cumulative_prednisone_mg[:, -1].mean() > without.cumulative_prednisone_mg[:, -1].mean()
    )
    assert with_relapse.score[:, 1:].mean() > without.score[:, 1:].mean()


def test_summary_reports_relapses_and_adverse_events_from_the_cohort():
    cohorts = compare_strategies(MG, ["prednisone_alone", "placebo"], n_patients=400, months=24, seed=8)
    summary = summarize_cohorts(cohorts)
    frame = cohorts["prednisone_alone"]
    column = "serious steroid adverse event (assumed rate)"
    assert summary.loc["prednisone_alone", column] == pytest.approx(
        frame[frame.month == 24].steroid_adverse_event.mean(), abs=1e-3
    )
    assert summary.loc["prednisone_alone", "any relapse on taper"] == pytest.approx(
        _per_patient(frame, "relapse_on_taper").mean(), abs=1e-3
    )
    assert summary.loc["placebo", column] == 0 and summary.loc["placebo", "any relapse on taper"] == 0


def test_cumulative_prednisone_is_the_sum_of_daily_doses():
    frame = simulate_cohort(MG, "prednisone_alone", n_patients=50, months=6, seed=1)
    one = frame[frame.patient == 7].sort_values("month")
    expected = np.concatenate([[0.0], np.cumsum(one.prednisone_mg.to_numpy()[:-1] * DAYS_PER_MONTH)])
    assert np.allclose(one.cumulative_prednisone_mg.to_numpy(), expected)


# ----------------------------------------------------------------------------------- honest comparisons
def test_trial_setting_strategies_are_not_labelled_as_added_to_standard_care():
    for name, strategy in PARAMS.strategies.items():
        if strategy.background == "trial_background":
            assert "standard care" not in strategy.label.lower(), name
            assert "corticosteroids" not in {entry.therapy for entry in strategy.therapies}, name


def test_caveats_warn_when_backgrounds_differ_and_only_then():
    mixed = comparison_caveats(MG, ["eculizumab", "standard_of_care"])
    assert any(text.startswith("Different backgrounds") for text in mixed)
    for same in (["thymectomy_plus_prednisone", "prednisone_alone"], ["eculizumab", "placebo"]):
        assert not any(text.startswith("Different backgrounds") for text in comparison_caveats(MG, same))


def test_caveats_say_not_modelled_for_neutral_hazard_ratios_and_flag_assumptions():
    caveats = " ".join(comparison_caveats(MG, ["eculizumab", "placebo"]))
    assert "not modelled" in caveats and "eculizumab" in caveats
    assert "thymectomy" not in caveats  # its hazard ratio is from MGTX
    assert "assumption" not in caveats  # no prednisone simulated: no steroid assumptions involved
    steroid = " ".join(comparison_caveats(MG, ["thymectomy_plus_prednisone", "prednisone_alone"]))
    assert "teaching assumptions" in steroid and "per gram" in steroid
    assert "relapse size 3 MG-ADL points" in steroid


def test_caveats_give_the_relapse_size_on_the_disorder_s_own_score(monkeypatch):
    renamed = PARAMS.model_copy(update={"score": PARAMS.score.model_copy(update={"name": "QMG"})})
    monkeypatch.setattr(cohort_module, "_params", lambda disorder: renamed)
    steroid = " ".join(comparison_caveats(MG, ["thymectomy_plus_prednisone", "prednisone_alone"]))
    assert "QMG points" in steroid and "MG-ADL" not in steroid


def test_azathioprine_add_on_counts_among_a_strategy_s_therapies_once():
    """One rule for the model and the caveats: an add-on is a therapy, unless already listed."""
    for name, strategy in PARAMS.strategies.items():
        listed = [entry.therapy for entry in strategy.therapies]
        ids = strategy.therapy_ids
        assert ids[: len(listed)] == listed and len(set(ids)) == len(ids), name
        assert ("azathioprine" in ids) == (strategy.azathioprine_addon or "azathioprine" in listed), name
        assert strategy.adds_azathioprine == (strategy.azathioprine_addon and "azathioprine" not in listed)
    assert PARAMS.strategies["prednisone_alone"].therapy_ids == ["corticosteroids", "azathioprine"]
    # The model follows the same rule: azathioprine appears during follow-up only where it is added.
    added = simulate_cohort(MG, "prednisone_alone", n_patients=2000, months=36, seed=4)
    assert not added[added.month == 0].azathioprine.any() and added.azathioprine.any()
    never = simulate_cohort(MG, "prednisone_maintenance", n_patients=500, months=36, seed=4)
    assert not never.azathioprine.any()


def test_caveats_name_an_azathioprine_add_on_whose_crisis_effect_is_not_modelled():
    caveats = " ".join(comparison_caveats(MG, ["prednisone_alone"]))
    assert "not modelled for azathioprine" in caveats
