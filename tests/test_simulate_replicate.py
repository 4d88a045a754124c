"""replicate_trial: every listed MG trial runs; simulated beside published (trials.csv); calibration holds."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from test_trials import MG_TRIALS  # the trials issue 3 requires, listed once

from nmd_immuno.simulate import load_trials, replicable_trials, replicate_trial
from nmd_immuno.simulate.metrics import _average_ranks, worst_rank_difference
from nmd_immuno.simulate.model import CohortArrays
from nmd_immuno.simulate.params import load_simulation_params
from nmd_immuno.simulate.replicate import _effect

PARAMS = load_simulation_params("myasthenia_gravis")


@pytest.fixture(scope="module")
def results() -> dict[str, pd.DataFrame]:
    return {trial: replicate_trial(trial) for trial in replicable_trials()}


def test_every_listed_mg_trial_can_be_replicated():
    assert set(MG_TRIALS) <= set(replicable_trials())


@pytest.mark.parametrize("trial", MG_TRIALS)
def test_published_figures_come_from_trials_csv(results, trial):
    table = load_trials()
    result = results[trial]
    assert not result.empty
    for row in result.itertuples():
        source = table[(table.trial_id == trial) & (table.arm == row.arm) & (table.outcome == row.outcome)]
        assert len(source) == 1, (trial, row.arm, row.outcome)
        assert row.published == source.value.iloc[0]
        assert row.reference == source.reference.iloc[0] and row.status == source.status.iloc[0]
        assert math.isfinite(row.simulated)


@pytest.mark.parametrize("trial", MG_TRIALS)
def test_every_arm_of_the_trial_is_simulated(results, trial):
    arms = {arm.arm for arm in PARAMS.trials[trial].arms}
    result = results[trial]
    between_arm = result.effect_scale.eq("between_arm").all()
    expected = arms - {PARAMS.trials[trial].control_arm} if between_arm else arms
    assert set(result.arm) == expected
    assert (result.n_simulated == PARAMS.replication.n_per_arm).all()


@pytest.mark.parametrize("trial", MG_TRIALS)
def test_primary_outcome_has_the_published_direction_and_stays_within_tolerance(results, trial):
    result = results[trial]
    primary = result[result.primary & result.published_effect.notna()]
    assert not primary.empty
    for row in primary.itertuples():
        assert row.same_direction, (trial, row.arm, row.published_effect, row.simulated_effect)
        assert abs(row.simulated_effect - row.published_effect) <= row.tolerance, (trial, row.arm)
        assert row.within_tolerance


@pytest.mark.parametrize("trial", MG_TRIALS)
def test_every_compared_outcome_at_least_has_the_published_direction(results, trial):
    compared = results[trial][results[trial].published_effect.notna()]
    assert compared.same_direction.all()


def test_effects_are_computed_from_the_arm_values(results):
    mgtx = results["MGTX"]
    qmg = mgtx[mgtx.outcome.str.startswith("time-weighted average QMG")].set_index("arm")
    ratio = qmg.loc["thymectomy plus prednisone", "published"] / qmg.loc["prednisone alone", "published"]
    assert qmg.loc["thymectomy plus prednisone", "published_effect"] == pytest.approx(ratio, abs=1e-4)
    simulated = qmg.loc["thymectomy plus prednisone", "simulated"] / qmg.loc["prednisone alone", "simulated"]
    assert qmg.loc["thymectomy plus prednisone", "simulated_effect"] == pytest.approx(simulated, abs=1e-3)
    raise_ = results["RAISE"].set_index("arm")
    assert raise_.loc["zilucoplan", "published_effect"] == pytest.approx(-4.39 - -2.30)


@pytest.mark.parametrize("seed", [1, 2])
def test_primary_calibration_is_not_an_accident_of_seed_0(seed):
    for trial in ("CHAMPION-MG", "ADAPT", "RINOMAX"):
        result = replicate_trial(trial, seed=seed)
        primary = result[result.primary & result.published_effect.notna()]
        assert primary.within_tolerance.all() and primary.same_direction.all(), (trial, seed)


def test_seeds_reproduce_exactly_and_different_seeds_differ():
    first = replicate_trial("RAISE", seed=3)
    again = replicate_trial("RAISE", seed=3)
    other = replicate_trial("RAISE", seed=4)
    pd.testing.assert_frame_equal(first, again)
    assert not first.simulated.equals(other.simulated)


def test_a_trial_of_the_published_size_varies_more_than_the_large_default():
    """At 86 patients per arm the simulated effect scatters around the model's expectation."""
    effects = [
        replicate_trial("CHAMPION-MG", seed=seed, n_per_arm=86).simulated_effect.dropna().iloc[0]
        for seed in range(8)
    ]
    large = [replicate_trial("CHAMPION-MG", seed=seed).simulated_effect.dropna().iloc[0] for seed in range(3)]
    assert pd.Series(effects).std() > 2 * pd.Series(large).std()
    assert replicate_trial("CHAMPION-MG", n_per_arm=86).n_simulated.eq(86).all()


def test_trial_id_is_matched_without_regard_to_case():
    assert replicate_trial("mgtx").trial_id.eq("MGTX").all()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"trial_id": "PROMISE"}, "trial_id"),
        ({"trial_id": "PATH"}, "trial_id"),  # in trials.csv, no simulation mapping
        ({"trial_id": 7}, "trial_id"),
        ({"seed": -2}, "seed"),
        ({"seed": 1.5}, "seed"),
        ({"n_per_arm": 1}, "n_per_arm"),
        ({"n_per_arm": 10**7}, "n_per_arm"),
        ({"n_per_arm": 20.0}, "n_per_arm"),
        ({"n_per_arm": True}, "n_per_arm"),
    ],
)
def test_bad_input_raises_value_error_naming_the_field(kwargs, field):
    arguments = {"trial_id": "RAISE", **kwargs}
    trial = arguments.pop("trial_id")
    with pytest.raises(ValueError, match=rf"^{field}:") as info:
        replicate_trial(trial, **arguments)
    given = kwargs[field]
    assert repr(given) in str(info.value) or str(given) in str(info.value)


def test_numpy_integers_are_accepted_like_ints():
    """The same whole-number rule as simulate_cohort: a numpy integer from a computation is fine."""
    table = replicate_trial("RAISE", seed=np.int64(1), n_per_arm=np.int64(30))
    assert table.attrs["seed"] == 1 and set(table.n_simulated) == {30}


# ----------------------------------------------------------------------------------- worst-rank statistic
def _arm(changes: list[int], crises: list[bool] | None = None) -> CohortArrays:
    n = len(changes)
    score = np.stack([np.full(n, 10), 10 + np.asarray(changes)], axis=1).astype(np.int8)
    crisis = np.zeros((n, 2), dtype=bool)
    if crises:
        crisis[:, 1] = crises
    zeros = np.zeros((n, 2))
    flags = np.zeros((n, 2), dtype=bool)
    return CohortArrays(
        score=score,
        prednisone_mg=zeros,
        cumulative_prednisone_mg=zeros,
        early_worsening=flags,
        crisis=crisis,
        relapse=flags,
        relapse_on_taper=flags,
        steroid_adverse_event=flags,
        azathioprine=flags,
    )


def test_average_ranks_match_pandas_with_ties():
    values = np.array([3.0, -1.0, 3.0, 7.0, -1.0, -1.0, 0.0])
    assert np.allclose(_average_ranks(values), pd.Series(values).rank(method="average").to_numpy())


def test_worst_rank_difference_spans_minus_to_plus_half_the_trial():
    better, worse, same = _arm([-5] * 40), _arm([0] * 40), _arm([-5] * 40)
    assert worst_rank_difference(better, worse, at_month=1, trial_size=125) == pytest.approx(-62.5)
    assert worst_rank_difference(worse, better, at_month=1, trial_size=125) == pytest.approx(62.5)
    assert worst_rank_difference(better, same, at_month=1, trial_size=125) == pytest.approx(0.0)


def test_a_crisis_takes_the_worst_rank_whatever_the_score():
    rescued = _arm([-8] * 10, crises=[True] * 10)
    unrescued = _arm([2] * 10)
    assert worst_rank_difference(rescued, unrescued, at_month=1, trial_size=100) == pytest.approx(50.0)


def test_a_ratio_against_a_zero_control_is_undefined_not_a_disagreement():
    # NaN would report "outside tolerance, opposite direction" for a comparison that cannot be made.
    assert _effect(0.5, 0.0, "ratio") is None
    assert _effect(0.5, 0.25, "ratio") == pytest.approx(2.0)
    assert _effect(0.5, 0.0, "difference") == pytest.approx(0.5)
