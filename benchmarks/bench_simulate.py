"""Benchmark: the vectorised cohort simulator against a naive per-patient Python loop of the same model.

Prints patient-months per second for 100,000 patients over 24 months (the target is under 2 seconds on the
course's 2-core machine), the naive loop's rate and the ratio. The naive loop is far too slow for 100,000
patients, so it runs on a smaller cohort and its rate is scaled to the full size (printed as such). Both
implement the same model, so their mean outcomes agree up to sampling noise; that is printed too, as a
check that the comparison is fair. Run: ``.venv/bin/python benchmarks/bench_simulate.py``.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import time

from nmd_immuno.simulate.cohort import arrays_to_frame
from nmd_immuno.simulate.model import DAYS_PER_MONTH, simulate_arrays
from nmd_immuno.simulate.params import SimulationParams, load_simulation_params

# Uses every part of the model: two therapies, steroid dosing, relapse on taper, adverse events, add-on.
STRATEGY = "thymectomy_plus_prednisone"


def _fraction(since: float, onset: float, peak: float) -> float:
    if since <= onset:
        return 0.0
    if peak <= onset:
        return 1.0
    return min(1.0, (since - onset) / (peak - onset))


def naive_cohort(
    params: SimulationParams, strategy_name: str, n_patients: int, months: int, seed: int
) -> list[list[int]]:
    """The same model written the obvious way: for each patient, for each month (returns the scores)."""
    rng = random.Random(seed)
    population, policy, score_spec = params.population, params.steroid_policy, params.score
    strategy = params.strategies[strategy_name]
    therapies = [(entry, params.therapy_for(entry)) for entry in strategy.therapies]
    start = params.steroid_starts[strategy.steroid_start] if strategy.steroid_start else None
    aza = params.therapies["azathioprine"]
    taper, events = params.taper_relapse, params.steroid_adverse_events
    sparing = set(taper.steroid_sparing_therapies) if taper else set()
    lo, hi = score_spec.minimum, score_spec.maximum
    results = []
    for _patient in range(n_patients):
        while True:
            latent = min(
                hi, max(lo, rng.gauss(population.baseline_score.value, population.baseline_score.spread))
            )
            observed = min(hi, max(lo, round(latent + rng.gauss(0, population.visit_noise_sd.value))))
            if observed >= population.minimum_baseline.value:
                break
        placebo = rng.gauss(population.placebo_effect.value, population.placebo_effect.spread)
        drawn = []
        for entry, therapy in therapies:
            responder = rng.random() < therapy.response_probability.value
            effect = max(0.0, rng.gauss(therapy.effect.value, therapy.effect.spread))
            loss = therapy.loss_of_response_per_month.value
            lost_at = (
                entry.start_month
                + math.ceil(therapy.onset_months.value)
                + (_geometric(rng, loss) if loss > 0 else math.inf)
            )
            drawn.append((entry, therapy, responder, effect, lost_at))
        aza_responder = rng.random() < aza.response_probability.value
        aza_effect = max(0.0, rng.gauss(aza.effect.value, aza.effect.spread))
        aza_start = math.inf
        dose = start.start_mg.value if start else 0.0
        worsens = start is not None and rng.random() < start.early_worsening_probability.value
        bump, cumulative, previous_above = 0.0, 0.0, observed > population.goal_score.value
        highest, flare, adverse_at = dose, 0.0, rng.expovariate(1.0)
        adverse = False
        scores = [observed]
        for t in range(1, months + 1):
            previous_dose = dose
            cumulative += dose * DAYS_PER_MONTH
            if events is not None and start is not None:
                adverse = adverse or events.hazard_per_gram.value * cumulative / 1000.0 > adverse_at
            improvement = placebo * min(1.0, t / population.placebo_peak_months.value)
            log_hr, spared = 0.0, 0.0
            for entry, therapy, responder, effect, lost_at in drawn:
                fraction = _fraction(
                    t - entry.start_month, therapy.onset_months.value, therapy.peak_months.value
                )
                if responder and t < lost_at:
                    improvement += effect * fraction
                    if entry.therapy in sparing:
                        spared = max(spared, fraction)
                log_hr += fraction * math.log(therapy.exacerbation_hazard_ratio.value)
            if aza_responder:
                aza_fraction = _fraction(t - aza_start, aza.onset_months.value, aza.peak_months.value)
                improvement += aza_effect * aza_fraction
                if "azathioprine" in sparing:
                    spared = max(spared, aza_fraction)
            if taper is not None and start is not None:
                relapse_hazard = taper.hazard_per_month.value * (1 - taper.sparing_protection.value * spared)
                at_risk = previous_dose < taper.threshold_mg.value and previous_dose < highest
                relapsed = at_risk and rng.random() < 1 - math.exp(-relapse_hazard)
                flare = 0.5 * flare + taper.points.value * relapsed
            hazard = population.exacerbation_hazard_per_month.value * math.exp(log_hr)
            event = rng.random() < 1 - math.exp(-hazard)
            bump = 0.0 if rng.random() < population.rescue_recovery_probability.value else 0.5 * bump
            bump += population.exacerbation_points.value * event
            level = latent - improvement + bump + flare + rng.gauss(0, population.visit_noise_sd.value)
            if worsens and t == 1:
                level += policy.early_worsening_points.value
            score = min(hi, max(lo, round(level)))
            above = score > population.goal_score.value
            if start is not None:
                if above:
                    dose = max(
                        dose, min(policy.ceiling_mg.value, dose + policy.escalation_mg_per_month.value)
                    )
                else:
                    dose = max(
                        min(dose, policy.floor_mg.value), dose * (1 - policy.taper_fraction_per_month.value)
                    )
                highest = max(highest, dose)
            if (
                strategy.azathioprine_addon
                and above
                and previous_above
                and math.isinf(aza_start)
                and t >= population.azathioprine_addon_earliest_month.value
                and rng.random() < population.azathioprine_addon_probability_per_month.value
            ):
                aza_start = float(t)
            previous_above = above
            scores.append(score)
        results.append(scores)
    return results


def _geometric(rng: random.Random, p: float) -> int:
    count = 1
    while rng.random() >= p:
        count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--naive-patients", type=int, default=2_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    params = load_simulation_params("myasthenia_gravis")
    patient_months = args.patients * args.months

    simulate_arrays(params, STRATEGY, n_patients=1000, months=args.months, seed=1)  # warm-up
    sim_times, total_times = [], []
    for repeat in range(args.repeats):
        start = time.perf_counter()
        arrays = simulate_arrays(params, STRATEGY, n_patients=args.patients, months=args.months, seed=repeat)
        middle = time.perf_counter()
        frame = arrays_to_frame(arrays, STRATEGY, params)
        end = time.perf_counter()
        sim_times.append(middle - start)
        total_times.append(end - start)
    best_sim, best_total = min(sim_times), min(total_times)
    vector_final = float(arrays.score[:, -1].mean())

    naive_pm = args.naive_patients * args.months
    start = time.perf_counter()
    naive = naive_cohort(params, STRATEGY, args.naive_patients, args.months, seed=0)
    naive_time = time.perf_counter() - start
    naive_rate = naive_pm / naive_time
    naive_final = statistics.fmean(scores[-1] for scores in naive)

    print(
        f"Strategy {STRATEGY!r}, {args.patients:,} patients x {args.months} months = "
        f"{patient_months:,} patient-months"
    )
    print(
        f"vectorised simulation       : {best_sim:.3f} s (best of {args.repeats}) = "
        f"{patient_months / best_sim:,.0f} patient-months/s"
    )
    print(
        f"  + building the DataFrame  : {best_total:.3f} s = "
        f"{patient_months / best_total:,.0f} patient-months/s "
        f"({len(frame):,} rows incl. month 0)"
    )
    print(
        f"naive per-patient loop      : {naive_time:.3f} s for {args.naive_patients:,} patients = "
        f"{naive_rate:,.0f} patient-months/s"
    )
    print(
        f"  scaled to {args.patients:,} patients (run on {args.naive_patients:,} and scaled linearly): "
        f"{patient_months / naive_rate:.1f} s"
    )
    print(
        f"speed-up (vectorised simulation vs naive loop): {patient_months / best_sim / naive_rate:,.0f}x; "
        f"including the DataFrame: {patient_months / best_total / naive_rate:,.0f}x"
    )
    print(
        f"target: {args.patients:,} x {args.months} in under 2 s -> "
        f"{'met' if best_total < 2.0 else 'NOT met'} ({best_total:.2f} s including the DataFrame)"
    )
    print(
        f"same model check: mean MG-ADL at month {args.months}: "
        f"vectorised {vector_final:.2f}, naive {naive_final:.2f}"
    )


if __name__ == "__main__":
    main()
