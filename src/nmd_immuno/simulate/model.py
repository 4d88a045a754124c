"""The vectorised virtual-patient model: arrays of patients x months, one numpy operation per month.

How a virtual patient moves, month by month, on the disability score (MG-ADL for MG, 0-24, higher is worse):

* a latent baseline severity, and a noisy baseline visit; only patients whose *observed* baseline meets the
  inclusion threshold enter (so part of every placebo response is regression to the mean, as in trials);
* a placebo / natural-course improvement that reaches its full size by ``placebo_peak_months``;
* each therapy: a patient responds with ``response_probability``; a responder improves by ``effect`` points
  (between-patient SD), with no effect up to ``onset_months`` after the start and the full effect from
  ``peak_months`` (linear in between); a responder may lose the response (relapse) at a monthly hazard;
* exacerbations needing hospital (crisis or impending crisis) occur at a monthly hazard, lowered by
  therapies by their hazard ratio; each adds points that rescue treatment (IVIG / plasma exchange) removes
  in the next month with ``rescue_recovery_probability``, otherwise half of it persists;
* prednisone: a start dose (high starts carry the risk of early, steroid-induced worsening at month 1),
  escalated while above the treatment goal and tapered while at goal; its cumulative dose is recorded;
* relapse on taper: a patient tapered below a threshold dose relapses at a monthly hazard, lowered once a
  steroid-sparing therapy (thymectomy, azathioprine...) they respond to has taken effect; a relapse raises
  the score, which makes the dose policy escalate prednisone again;
* serious steroid adverse events: a monthly hazard proportional to the grams of prednisone taken, so the
  risk of a first event grows with the cumulative dose (recorded as "has had one by this month");
* strategies with an azathioprine add-on start it in patients still above goal after a first period.

The month loop is a Python loop over at most 120 months; every operation in it acts on all patients at
once. Random numbers come from separate streams per component (baseline, noise, each therapy...), keyed by
the seed, so two strategies run with the same seed treat the *same* virtual patients (common random
numbers): their difference is the therapies', not chance's, and a therapy changes nothing before its onset.

The simulator is calibrated to published figures (see ``data/simulation/*.yaml``) and so can only echo them:
it illustrates what those numbers mean for a cohort over time; it does not predict anything new.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass

import numpy as np

from nmd_immuno.simulate.params import (
    Population,
    ScoreSpec,
    SimulationParams,
    SteroidPolicy,
    SteroidStart,
    TherapyParams,
)

DAYS_PER_MONTH = 30.4375
_MAX_BASELINE_BATCHES = 60


class SimulationInputError(ValueError):
    """Bad input to the simulator; the message names the field, the value and what is allowed."""


@dataclass(frozen=True)
class CohortArrays:
    """Result of one run: arrays shaped (patients, months + 1); column 0 is the baseline visit."""

    score: np.ndarray
    prednisone_mg: np.ndarray
    cumulative_prednisone_mg: np.ndarray
    early_worsening: np.ndarray
    crisis: np.ndarray
    relapse: np.ndarray
    relapse_on_taper: np.ndarray
    steroid_adverse_event: np.ndarray
    azathioprine: np.ndarray

    @property
    def n_patients(self) -> int:
        return int(self.score.shape[0])

    @property
    def months(self) -> int:
        return int(self.score.shape[1] - 1)


def rng_for(seed: int, stream: str) -> np.random.Generator:
    """An independent random stream per model component, stable across strategies (common random numbers)."""
    return np.random.default_rng([seed, zlib.crc32(stream.encode("utf-8"))])


def effect_fraction(months_since_start: np.ndarray | float, onset: float, peak: float) -> np.ndarray:
    """Fraction of a therapy's full effect: 0 up to the onset delay, 1 from the peak, linear in between."""
    tau = np.asarray(months_since_start, dtype=float)
    if peak > onset:
        return np.clip((tau - onset) / (peak - onset), 0.0, 1.0)
    return (tau > onset).astype(float)


def _sample_baseline(
    rng: np.random.Generator, population: Population, score: ScoreSpec, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Latent severity and observed baseline score of n patients meeting the inclusion threshold."""
    mean, sd = population.baseline_score.value, population.baseline_score.spread
    noise_sd = population.visit_noise_sd.value
    minimum = population.minimum_baseline.value
    latent_parts: list[np.ndarray] = []
    observed_parts: list[np.ndarray] = []
    have = 0
    for _ in range(_MAX_BASELINE_BATCHES):
        size = max(2 * (n - have), 1024)
        latent = np.clip(rng.normal(mean, sd, size), score.minimum, score.maximum)
        observed = np.clip(np.rint(latent + rng.normal(0.0, noise_sd, size)), score.minimum, score.maximum)
        keep = observed >= minimum
        latent_parts.append(latent[keep])
        observed_parts.append(observed[keep])
        have += int(keep.sum())
        if have >= n:
            return np.concatenate(latent_parts)[:n], np.concatenate(observed_parts)[:n]
    raise SimulationInputError(
        f"population.minimum_baseline: {minimum} is too high for a baseline score of mean {mean} "
        f"(SD {sd}): too few virtual patients qualify"
    )


def _mirror_population(population: Population, score: ScoreSpec) -> Population:
    """The population on the mirrored (severity) scale: v -> minimum + maximum - v for the score levels."""
    total = score.minimum + score.maximum
    update = {
        name: getattr(population, name).model_copy(update={"value": total - getattr(population, name).value})
        for name in ("baseline_score", "minimum_baseline", "goal_score")
    }
    return population.model_copy(update=update)


@dataclass(frozen=True)
class _TherapyDraws:
    responder: np.ndarray
    effect: np.ndarray
    months_to_loss: np.ndarray


def _draw_therapy(seed: int, therapy_id: str, params: TherapyParams, n: int) -> _TherapyDraws:
    rng = rng_for(seed, f"therapy:{therapy_id}")
    responder = rng.random(n) < params.response_probability.value
    effect = np.maximum(rng.normal(params.effect.value, params.effect.spread, n), 0.0)
    loss = params.loss_of_response_per_month.value
    months_to_loss = rng.geometric(loss, n).astype(float) if loss > 0 else np.full(n, np.inf)
    return _TherapyDraws(responder, effect, months_to_loss)


def simulate_arrays(
    params: SimulationParams,
    strategy_name: str,
    *,
    n_patients: int,
    months: int,
    seed: int,
    population: Population | None = None,
    steroid_policy: SteroidPolicy | None = None,
    steroid_start: str | None = None,
) -> CohortArrays:
    """Run one cohort under one strategy; inputs are assumed valid (see ``simulate_cohort`` for checks)."""
    population = population or params.population
    policy = steroid_policy or params.steroid_policy
    score_spec = params.score
    # The model works on a severity scale that falls with improvement; a score that rises with improvement
    # (MRC sum score) is mirrored in on entry and back on return.
    mirrored = score_spec.direction == "higher_is_better"
    if mirrored:
        population = _mirror_population(population, score_spec)
    strategy = params.strategies[strategy_name]
    n, horizon = n_patients, months
    months_axis = np.arange(horizon + 1, dtype=float)

    latent, observed = _sample_baseline(rng_for(seed, "baseline"), population, score_spec, n)
    # Internally month-major (months + 1, patients): each month's update reads and writes contiguous memory.
    noise = rng_for(seed, "noise").normal(0.0, population.visit_noise_sd.value, (horizon + 1, n))
    placebo = rng_for(seed, "placebo").normal(
        population.placebo_effect.value, population.placebo_effect.spread, n
    )
    placebo_peak = population.placebo_peak_months.value
    placebo_curve = (
        np.minimum(months_axis / placebo_peak, 1.0) if placebo_peak > 0 else (months_axis > 0) * 1.0
    )

    # Therapies with a fixed start month: their whole effect matrix is computed at once, from the first month
    # with any effect (rows before a therapy's onset are left untouched).
    scheduled_effect = np.zeros((horizon + 1, n))
    log_hazard_ratio = np.zeros(horizon + 1)  # the same for every patient: it depends on time since start
    relapse = np.zeros((horizon + 1, n), dtype=bool)
    steroid_start_month: int | None = None
    taper = params.taper_relapse
    sparing = set(taper.steroid_sparing_therapies) if taper is not None else set()
    # Per patient and month: effect fraction reached by a steroid-sparing therapy the patient responds to.
    sparing_fraction = np.zeros((horizon + 1, n)) if sparing else None
    for entry in strategy.therapies:
        therapy = params.therapy_for(entry)
        draws = _draw_therapy(seed, entry.therapy, therapy, n)
        onset, peak = therapy.onset_months.value, therapy.peak_months.value
        fraction = effect_fraction(months_axis - entry.start_month, onset, peak)
        loss_month = entry.start_month + math.ceil(onset) + draws.months_to_loss
        lost = np.isfinite(loss_month) & draws.responder & (loss_month <= horizon)
        relapse[loss_month[lost].astype(np.intp), np.flatnonzero(lost)] = True
        log_hazard_ratio += fraction * math.log(therapy.exacerbation_hazard_ratio.value)
        if entry.therapy == "corticosteroids":
            steroid_start_month = entry.start_month
        first = int(np.argmax(fraction > 0)) if fraction.any() else horizon + 1
        if first > horizon or not draws.responder.any():
            continue
        rows = months_axis[first:, None]
        active = rows < loss_month[None, :]
        gain = np.where(draws.responder, draws.effect, 0.0)
        contribution = np.multiply.outer(fraction[first:], gain)
        contribution *= active
        scheduled_effect[first:] += contribution
        if sparing_fraction is not None and entry.therapy in sparing:
            active &= draws.responder[None, :]
            np.multiply(fraction[first:, None], active, out=contribution)
            np.maximum(sparing_fraction[first:], contribution, out=sparing_fraction[first:])
        del contribution, active

    # Azathioprine added during follow-up (start month decided month by month).
    addon = strategy.adds_azathioprine
    azathioprine = np.zeros((horizon + 1, n), dtype=bool)
    if addon:
        aza = params.therapies["azathioprine"]
        aza_draws = _draw_therapy(seed, "azathioprine", aza, n)
        aza_gain = np.where(aza_draws.responder, aza_draws.effect, 0.0)
        aza_onset, aza_peak = aza.onset_months.value, aza.peak_months.value
        aza_log_hr = math.log(aza.exacerbation_hazard_ratio.value)
        aza_start = np.full(n, np.inf)
        # Month from which the response is lost (inf until started); kept up to date as patients start.
        aza_loss = np.full(n, np.inf)
        aza_delay = math.ceil(aza_onset) + aza_draws.months_to_loss
        addon_u = rng_for(seed, "azathioprine_addon").random((horizon + 1, n))
        addon_p = population.azathioprine_addon_probability_per_month.value
        addon_earliest = population.azathioprine_addon_earliest_month.value
        fraction = np.zeros(n)
        aza_effect = np.zeros(n)
        not_started = np.ones(n, dtype=bool)
    elif any(e.therapy == "azathioprine" for e in strategy.therapies):
        start = next(e.start_month for e in strategy.therapies if e.therapy == "azathioprine")
        azathioprine[start:, :] = True

    # Prednisone dosing and early worsening.
    dose = np.zeros((horizon + 1, n))
    early_worsening = np.zeros((horizon + 1, n), dtype=bool)
    early_points = np.zeros(n)
    if steroid_start_month is not None:
        start_params: SteroidStart = params.steroid_starts[steroid_start or strategy.steroid_start or ""]
        rng = rng_for(seed, "steroid_start")
        first_dose = np.clip(
            rng.normal(start_params.start_mg.value, start_params.start_mg.spread, n),
            0.0,
            max(policy.ceiling_mg.value, start_params.start_mg.value),
        )
        worsens = rng.random(n) < start_params.early_worsening_probability.value
        if steroid_start_month < horizon:
            early_worsening[steroid_start_month + 1] = worsens
        early_points = np.where(worsens, policy.early_worsening_points.value, 0.0)
        if steroid_start_month <= horizon:
            dose[steroid_start_month] = first_dose
    ceiling, floor = policy.ceiling_mg.value, policy.floor_mg.value
    escalation, taper_step = policy.escalation_mg_per_month.value, policy.taper_fraction_per_month.value

    relapse_on_taper = np.zeros((horizon + 1, n), dtype=bool)
    taper_active = taper is not None and steroid_start_month is not None
    if taper_active:
        assert taper is not None and steroid_start_month is not None
        taper_u = rng_for(seed, "taper_relapse").random((horizon + 1, n))
        taper_threshold, taper_hazard = taper.threshold_mg.value, taper.hazard_per_month.value
        taper_points, protection = taper.points.value, taper.sparing_protection.value
        aza_spares = addon and "azathioprine" in sparing
        highest_dose = dose[min(steroid_start_month, horizon)].copy()
        spared = np.zeros(n)
    flare = np.zeros(n)

    score = np.empty((horizon + 1, n), dtype=np.int8)
    score[0] = observed
    crisis = np.zeros((horizon + 1, n), dtype=bool)
    goal = population.goal_score.value
    base_hazard = population.exacerbation_hazard_per_month.value
    surge = population.exacerbation_points.value
    recovery = population.rescue_recovery_probability.value
    lowest, highest = score_spec.minimum, score_spec.maximum
    # Crises occur only with a hazard above 0 and add points only with a size above 0; a stream that cannot
    # matter is not drawn (each component has its own stream, so the others are unchanged).
    crises_on = base_hazard > 0
    bump_on = crises_on and surge > 0
    if crises_on:
        exacerbation_u = rng_for(seed, "exacerbation").random((horizon + 1, n))
    if bump_on:
        rescue_u = rng_for(seed, "rescue").random((horizon + 1, n))
        bump = np.zeros(n)
    placebo_on = bool(placebo.any())
    steroids_on = steroid_start_month is not None
    early_on = steroids_on and bool(early_points.any())
    level = np.empty(n)
    work = np.empty(n)
    work_b = np.empty(n)
    cumulative = np.zeros((horizon + 1, n))

    for t in range(1, horizon + 1):
        log_hr = log_hazard_ratio[t]
        if addon:
            # fraction of azathioprine's effect: 0 before its onset (and for patients not started: inf start)
            np.subtract(t, aza_start, out=work)
            if aza_peak > aza_onset:
                work -= aza_onset
                work /= aza_peak - aza_onset
                np.clip(work, 0.0, 1.0, out=fraction)
            else:
                np.greater(work, aza_onset, out=fraction, casting="unsafe")
            aza_active = t < aza_loss
            np.multiply(aza_gain, fraction, out=aza_effect)
            aza_effect *= aza_active
            relapse[t] |= aza_draws.responder & (aza_loss == t)
            if aza_log_hr != 0.0:
                log_hr = log_hr + fraction * aza_log_hr
        if taper_active and t > steroid_start_month:
            # Relapse on taper during the month just ended: on a dose below the threshold that is lower than
            # the patient's highest dose so far (tapered, not a low start being escalated).
            assert sparing_fraction is not None or not sparing
            if aza_spares:
                np.multiply(fraction, aza_draws.responder & aza_active, out=spared)
                if sparing_fraction is not None:
                    np.maximum(sparing_fraction[t], spared, out=spared)
            elif sparing_fraction is not None:
                spared = sparing_fraction[t]
            previous = dose[t - 1]
            at_risk = (previous < taper_threshold) & (previous < highest_dose)
            if protection != 0.0:
                hazard_t = taper_hazard * (1.0 - protection * spared)
                relapsed = at_risk & (taper_u[t] < -np.expm1(-hazard_t))
            else:
                relapsed = at_risk & (taper_u[t] < -math.expm1(-taper_hazard))
            relapse_on_taper[t] = relapsed
            flare *= 0.5
            flare += taper_points * relapsed
        # level = latent - placebo - scheduled - azathioprine + bump + flare + noise, in that order (the order
        # of the additions fixes the rounding, so a term that is all zeros is skipped, never reordered)
        if placebo_on:
            np.multiply(placebo, placebo_curve[t], out=level)
            np.subtract(latent, level, out=level)
        else:
            level[:] = latent
        level -= scheduled_effect[t]
        if addon:
            level -= aza_effect
        if crises_on:
            if isinstance(log_hr, np.ndarray):
                event = exacerbation_u[t] < -np.expm1(-(base_hazard * np.exp(log_hr)))
            else:
                event = exacerbation_u[t] < -math.expm1(-(base_hazard * math.exp(log_hr)))
            crisis[t] = event
            if bump_on:
                bump *= 0.5
                bump[rescue_u[t] < recovery] = 0.0
                bump += surge * event
                level += bump
        if taper_active:
            level += flare
        level += noise[t]
        if early_on and t == steroid_start_month + 1:
            level += early_points
        current = score[t]
        np.rint(level, out=level)
        np.clip(level, lowest, highest, out=level)
        current[:] = level
        above_goal = current > goal
        if steroids_on and t > steroid_start_month:
            previous = dose[t - 1]
            row = dose[t]
            # at goal: taper (never below the floor unless already below it)
            np.multiply(previous, 1.0 - taper_step, out=row)
            np.minimum(previous, floor, out=work_b)
            np.maximum(work_b, row, out=row)
            # above goal: escalate towards the ceiling (never lower than now)
            np.add(previous, escalation, out=work_b)
            np.minimum(ceiling, work_b, out=work_b)
            np.maximum(previous, work_b, out=work_b)
            np.copyto(row, work_b, where=above_goal)
            if taper_active:
                np.maximum(highest_dose, row, out=highest_dose)
        if steroids_on:
            np.multiply(dose[t - 1], DAYS_PER_MONTH, out=work_b)
            np.add(cumulative[t - 1], work_b, out=cumulative[t])
        if addon:
            # A steroid-sparing agent is added when prednisone fails to bring the patient to goal: above goal
            # at two visits in a row (a single bad visit is not a failure of treatment).
            if t >= addon_earliest:
                starts = above_goal & (score[t - 1] > goal) & not_started & (addon_u[t] < addon_p)
                if starts.any():
                    aza_start[starts] = float(t)
                    aza_loss[starts] = t + aza_delay[starts]
                    not_started &= ~starts
            np.logical_not(not_started, out=azathioprine[t])

    relapse |= relapse_on_taper
    adverse = np.zeros((horizon + 1, n), dtype=bool)
    events = params.steroid_adverse_events
    if events is not None and steroid_start_month is not None:
        # Monthly hazard = rate x grams that month, so the cumulative hazard is rate x cumulative grams; one
        # exponential draw per patient is the cumulative hazard at which their first event occurs. Same
        # patient, more prednisone (another strategy, same seed): the event comes no later.
        threshold = rng_for(seed, "steroid_adverse_event").exponential(1.0, n)
        adverse = events.hazard_per_gram.value * (cumulative / 1000.0) > threshold[None, :]
    if mirrored:
        np.subtract(score_spec.minimum + score_spec.maximum, score, out=score)
    # Returned patient-major (patients, months + 1) as transposed views: no copy until a DataFrame is built.
    return CohortArrays(
        score=score.T,
        prednisone_mg=dose.T,
        cumulative_prednisone_mg=cumulative.T,
        early_worsening=early_worsening.T,
        crisis=crisis.T,
        relapse=relapse.T,
        relapse_on_taper=relapse_on_taper.T,
        steroid_adverse_event=adverse.T,
        azathioprine=azathioprine.T,
    )
