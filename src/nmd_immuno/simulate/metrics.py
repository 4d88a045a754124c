"""Trial outcomes computed from simulated arms, so that a simulated figure can sit beside a published one.

Each metric reads the arrays of one arm (patients x months) and returns one number in the published
outcome's own terms (a mean change, a proportion, a dose). The worst-rank analysis of REGAIN compares two
arms and is computed from both.
"""

from __future__ import annotations

import numpy as np

from nmd_immuno.simulate.model import CohortArrays
from nmd_immuno.simulate.params import ScoreSpec, TrialOutcome


def _window(spec: TrialOutcome) -> slice:
    start = spec.from_month if spec.from_month is not None else spec.at_month
    return slice(start, spec.at_month + 1)


def _change(arm: CohortArrays) -> np.ndarray:
    score = arm.score.astype(np.int16)
    return score - score[:, :1]


def _improvement(arm: CohortArrays, score: ScoreSpec) -> np.ndarray:
    """Improvement from baseline in points, positive when better, whichever way the scale runs."""
    return -score.improvement_sign * _change(arm)


def arm_metric(arm: CohortArrays, spec: TrialOutcome, score: ScoreSpec) -> float:
    """The value of one outcome in one simulated arm."""
    t = spec.at_month
    metric = spec.metric
    if metric == "mean_change":
        return float(_change(arm)[:, _window(spec)].mean())
    if metric == "responder_fraction":
        return float((_improvement(arm, score)[:, t] >= score.responder_improvement).mean())
    if metric == "sustained_responder_fraction":
        responder = _improvement(arm, score)[:, _window(spec)] >= score.responder_improvement
        return float(responder.all(axis=1).mean())
    if metric == "mse_fraction":
        return float((arm.score[:, t] <= score.mse_maximum).mean())
    if metric == "time_weighted_mean_score":
        values = arm.score[:, : t + 1].astype(float)
        # Trapezoid rule over the monthly visits, divided by the follow-up time: a time-weighted average.
        area = (values[:, 1:] + values[:, :-1]).sum(axis=1) / 2.0
        return float((area / t).mean())
    if metric == "mean_alternate_day_prednisone_mg":
        return float(2.0 * arm.prednisone_mg[:, :t].mean())
    if metric == "ever_azathioprine":
        return float(arm.azathioprine[:, : t + 1].any(axis=1).mean())
    if metric == "ever_crisis":
        return float(arm.crisis[:, 1 : t + 1].any(axis=1).mean())
    if metric == "steroid_sparing_response":
        start = arm.prednisone_mg[:, 0]
        reduced = arm.prednisone_mg[:, t] <= 0.25 * start
        stable = arm.score[:, t] <= arm.score[:, 0]
        return float((reduced & stable & (start > 0)).mean())
    if metric == "minimal_manifestations_low_steroid":
        assert spec.score_max is not None and spec.prednisone_max_mg is not None
        ok = (arm.score[:, t] <= spec.score_max) & (arm.prednisone_mg[:, t] <= spec.prednisone_max_mg)
        no_rescue = ~arm.crisis[:, 1 : t + 1].any(axis=1)
        return float((ok & no_rescue).mean())
    raise ValueError(f"metric: {metric!r} is a between-arm statistic or unknown")


def _average_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 1..N with ties given their average rank (as in a Wilcoxon / worst-rank analysis)."""
    order = np.argsort(values, kind="mergesort")
    sorted_values = values[order]
    _, first, counts = np.unique(sorted_values, return_index=True, return_counts=True)
    average = first + (counts + 1) / 2.0
    ranks = np.empty(len(values))
    ranks[order] = np.repeat(average, counts)
    return ranks


def worst_rank_difference(
    experimental: CohortArrays, control: CohortArrays, at_month: int, trial_size: int
) -> float:
    """Difference in mean ranks of score change (experimental minus control), scaled to the trial's size.

    Patients with a crisis (rescue treatment) by ``at_month`` get the worst ranks, as in REGAIN's worst-rank
    analysis. The expected difference in mean ranks between two arms of a trial with N patients is
    N x (P(experimental ranks above control) - 1/2), so the probability is estimated on the large simulated
    arms and rescaled to the published trial's N; negative values favour the experimental arm.
    """
    worst = np.float64(1e6)
    values = []
    for arm in (experimental, control):
        change = _change(arm)[:, at_month].astype(float)
        rescued = arm.crisis[:, 1 : at_month + 1].any(axis=1)
        values.append(np.where(rescued, worst, change))
    pooled = np.concatenate(values)
    ranks = _average_ranks(pooled)
    n_exp, n_ctl = len(values[0]), len(values[1])
    rank_sum = ranks[:n_exp].sum()
    prob_above = (rank_sum - n_exp * (n_exp + 1) / 2.0) / (n_exp * n_ctl)
    return float(trial_size * (prob_above - 0.5))
