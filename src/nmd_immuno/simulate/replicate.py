"""Re-run a published trial with virtual patients and set the simulated figures beside the published ones.

The published figures are read from ``data/trials.csv`` (never typed twice); how each arm maps to a
strategy, which population and background treatment the trial had, and how each outcome is computed are in
``data/simulation/<disorder>.yaml`` under ``trials:``. Because the drug parameters were calibrated to these
very trials, agreement is expected: it shows the calibration holds, not that the model is right. The
teaching use is the difference between a figure and what it means for a cohort, and what changes when a
trial is run at its real, small size (``n_per_arm``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nmd_immuno.simulate.cohort import MAX_PATIENTS, MAX_SEED, SimulationInputError
from nmd_immuno.simulate.metrics import arm_metric, worst_rank_difference
from nmd_immuno.simulate.model import CohortArrays, simulate_arrays
from nmd_immuno.simulate.params import SimulationParams, available_disorders, load_simulation_params
from nmd_immuno.simulate.trials import TrialRow, trial_rows
from nmd_immuno.simulate.validate import whole_number

RESULT_COLUMNS = (
    "trial_id",
    "arm",
    "strategy",
    "outcome",
    "outcome_type",
    "timepoint",
    "primary",
    "published",
    "simulated",
    "published_effect",
    "simulated_effect",
    "effect_scale",
    "tolerance",
    "within_tolerance",
    "same_direction",
    "n_simulated",
    "reference",
    "status",
    "note",
)


def _all_mappings() -> dict[str, tuple[str, SimulationParams]]:
    mappings: dict[str, tuple[str, SimulationParams]] = {}
    for disorder in available_disorders():
        params = load_simulation_params(disorder)
        for trial_id in params.trials:
            mappings[trial_id] = (disorder, params)
    return mappings


def replicable_trials() -> list[str]:
    """Trial ids of ``data/trials.csv`` that ``replicate_trial`` can run."""
    return list(_all_mappings())


def _resolve_trial(trial_id: object) -> tuple[str, SimulationParams]:
    mappings = _all_mappings()
    if isinstance(trial_id, str):
        for known in mappings:
            if known.lower() == trial_id.strip().lower():
                return known, mappings[known][1]
    raise SimulationInputError(f"trial_id: unknown value {trial_id!r}; allowed: {', '.join(mappings)}")


def _effect(value: float, control: float, scale: str) -> float | None:
    """Arm versus control on the outcome's scale; ``None`` when a ratio is undefined (control of 0).

    Why not NaN: a NaN effect would be reported as "not within tolerance, not the same direction", a
    disagreement that never happened; ``None`` leaves both verdicts empty and the note says why.
    """
    if scale == "ratio":
        return value / control if control else None
    return value - control


def replicate_trial(trial_id: str, seed: int = 0, *, n_per_arm: int | None = None) -> pd.DataFrame:
    """Simulate every arm of a trial and return, per arm and outcome, the published and simulated figures.

    Columns: ``published`` (from trials.csv) beside ``simulated``; ``published_effect`` and
    ``simulated_effect`` (arm minus control, arm / control for a ratio, or the between-arm statistic itself),
    the ``tolerance`` stated in the parameter file, ``within_tolerance`` and ``same_direction``. Arms are
    simulated with independent random streams (different patients, as in a parallel-group trial), each of
    ``n_per_arm`` patients (default: the large size in the parameter file, so the simulated figure is the
    model's expectation; give the published arm size to see a trial's chance variation). A trial mapped as
    ``design: crossover`` runs every arm on the same virtual patients, as a crossover trial does.
    """
    resolved, params = _resolve_trial(trial_id)
    chosen_seed = whole_number("seed", seed, 0, MAX_SEED)
    if n_per_arm is None:
        size = params.replication.n_per_arm
    else:
        size = whole_number("n_per_arm", n_per_arm, 2, MAX_PATIENTS)
    return replicate_with(params, resolved, seed=chosen_seed, n_per_arm=size)


def replicate_with(params: SimulationParams, trial_id: str, *, seed: int, n_per_arm: int) -> pd.DataFrame:
    """The work of :func:`replicate_trial` for an already loaded (or modified) parameter set."""
    resolved, size = trial_id, n_per_arm
    mapping = params.trials[resolved]
    population = params.population_for(resolved)
    policy = params.steroid_policy_for(resolved)
    rows: list[TrialRow] = [row for row in trial_rows() if row.trial_id == resolved]

    simulated: dict[str, CohortArrays] = {}
    for index, arm in enumerate(mapping.arms):
        simulated[arm.arm] = simulate_arrays(
            params,
            arm.strategy,
            n_patients=size,
            months=mapping.months,
            seed=seed * 1009 + (0 if mapping.design == "crossover" else index),
            population=population,
            steroid_policy=policy,
            steroid_start=arm.steroid_start,
        )
    strategy_of = {arm.arm: arm.strategy for arm in mapping.arms}

    records = []
    for spec in mapping.outcomes:
        published = {row.arm: row for row in rows if row.outcome == spec.outcome and row.value is not None}
        if spec.effect == "between_arm":
            trial_size = _trial_size(rows)
            for arm in mapping.arms:
                if arm.arm == mapping.control_arm or arm.arm not in published:
                    continue
                row = published[arm.arm]
                value = worst_rank_difference(
                    simulated[arm.arm], simulated[mapping.control_arm], spec.at_month, trial_size
                )
                records.append(
                    _record(
                        resolved,
                        arm.arm,
                        strategy_of[arm.arm],
                        row,
                        spec,
                        row.value,
                        value,
                        row.value,
                        value,
                        size,
                        extra=f"rank difference scaled to the trial's {trial_size} patients",
                    )
                )
            continue
        control_sim = arm_metric(simulated[mapping.control_arm], spec, params.score)
        control_pub = published[mapping.control_arm].value
        for arm in mapping.arms:
            row = published[arm.arm]
            value = arm_metric(simulated[arm.arm], spec, params.score)
            if arm.arm == mapping.control_arm:
                pub_effect = sim_effect = None
            else:
                pub_effect = _effect(row.value, control_pub, spec.effect)
                sim_effect = _effect(value, control_sim, spec.effect)
            undefined = arm.arm != mapping.control_arm and (pub_effect is None or sim_effect is None)
            records.append(
                _record(
                    resolved,
                    arm.arm,
                    strategy_of[arm.arm],
                    row,
                    spec,
                    row.value,
                    value,
                    pub_effect,
                    sim_effect,
                    size,
                    extra="ratio undefined: a control value is 0" if undefined else None,
                )
            )
    frame = pd.DataFrame.from_records(records, columns=list(RESULT_COLUMNS))
    frame.attrs.update(trial_id=resolved, seed=seed, n_per_arm=size, control_arm=mapping.control_arm)
    return frame


def _trial_size(rows: list[TrialRow]) -> int:
    """Patients in the published trial: the sum of the arm sizes if known, else the number randomised."""
    sizes: dict[str, int] = {}
    for row in rows:
        if row.arm_n:
            sizes.setdefault(row.arm, row.arm_n)
    if len(sizes) >= 2:
        return sum(sizes.values())
    if rows and rows[0].n_randomised:
        return rows[0].n_randomised
    raise SimulationInputError(
        f"trial_id: {rows[0].trial_id if rows else '?'} has no trial size in trials.csv"
    )


def _record(
    trial_id, arm, strategy, row, spec, published, simulated, pub_effect, sim_effect, size, extra=None
):
    scale = "between_arm" if spec.effect == "between_arm" else spec.effect
    if pub_effect is None or sim_effect is None:
        within = same = None
    else:
        within = bool(abs(sim_effect - pub_effect) <= spec.tolerance)
        reference_point = 1.0 if scale == "ratio" else 0.0
        same = bool(np.sign(sim_effect - reference_point) == np.sign(pub_effect - reference_point))
    notes = [text for text in (spec.note, extra) if text]
    return {
        "trial_id": trial_id,
        "arm": arm,
        "strategy": strategy,
        "outcome": spec.outcome,
        "outcome_type": row.outcome_type,
        "timepoint": row.timepoint,
        "primary": row.primary,
        "published": published,
        "simulated": round(float(simulated), 4),
        "published_effect": None if pub_effect is None else round(float(pub_effect), 4),
        "simulated_effect": None if sim_effect is None else round(float(sim_effect), 4),
        "effect_scale": scale,
        "tolerance": spec.tolerance,
        "within_tolerance": within,
        "same_direction": same,
        "n_simulated": size,
        "reference": row.reference,
        "status": row.status,
        "note": "; ".join(notes) if notes else None,
    }
