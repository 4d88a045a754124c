"""Public entry points for cohorts: run one strategy, compare several, summarise the result.

Input is checked here, once, so that a notebook or widget gets a ``ValueError`` naming the field, the value
given and what is allowed, never a numpy error from deep inside the model. The DataFrame is built once, at
the end, from the arrays of the vectorised model (one row per patient and month, month 0 = baseline).
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from nmd_immuno.simulate.model import CohortArrays, SimulationInputError, simulate_arrays
from nmd_immuno.simulate.params import SimulationParams, available_disorders, load_simulation_params

MAX_PATIENTS = 200_000
MAX_MONTHS = 120

DISORDERS_ALL = ("cidp", "mmn", "paraproteinemic", "myasthenia_gravis", "myositis")


def _params(disorder: object) -> SimulationParams:
    if not isinstance(disorder, str) or disorder not in DISORDERS_ALL:
        raise SimulationInputError(
            f"disorder: unknown value {disorder!r}; allowed: {', '.join(DISORDERS_ALL)}"
        )
    available = available_disorders()
    if disorder not in available:
        raise SimulationInputError(
            f"disorder: no simulation parameters for {disorder!r} yet; "
            f"available: {', '.join(available) or 'none'}"
        )
    return load_simulation_params(disorder)


def _whole_number(field: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise SimulationInputError(f"{field}: must be a whole number from {low} to {high} (given: {value!r})")
    if not low <= int(value) <= high:
        raise SimulationInputError(f"{field}: {value} is out of range; allowed: {low} to {high}")
    return int(value)


def _strategy(params: SimulationParams, strategy: object) -> str:
    if not isinstance(strategy, str) or strategy not in params.strategies:
        raise SimulationInputError(
            f"strategy: unknown value {strategy!r}; allowed: {', '.join(params.strategies)}"
        )
    return strategy


def validate_inputs(
    disorder: object, strategy: object, n_patients: object, months: object, seed: object
) -> tuple[SimulationParams, str, int, int, int]:
    """Check every argument of a cohort run; raise a ValueError naming the first bad field."""
    params = _params(disorder)
    name = _strategy(params, strategy)
    n = _whole_number("n_patients", n_patients, 1, MAX_PATIENTS)
    horizon = _whole_number("months", months, 1, MAX_MONTHS)
    chosen_seed = _whole_number("seed", seed, 0, 2**32 - 1)
    return params, name, n, horizon, chosen_seed


def arrays_to_frame(arrays: CohortArrays, strategy: str, params: SimulationParams) -> pd.DataFrame:
    """One row per patient and month, built in one go from the (patients x months) arrays."""
    n, width = arrays.score.shape
    score = arrays.score
    change = score.astype(np.int16) - score[:, :1].astype(np.int16)
    frame = pd.DataFrame(
        {
            "patient": np.repeat(np.arange(n, dtype=np.int32), width),
            "month": np.tile(np.arange(width, dtype=np.int16), n),
            "strategy": pd.Categorical.from_codes(np.zeros(n * width, dtype=np.int8), categories=[strategy]),
            params.score.column: score.ravel(),
            "change": change.ravel(),
            "responder": (change <= -params.score.responder_improvement).ravel(),
            "mse": (score <= params.score.mse_maximum).ravel(),
            "prednisone_mg": arrays.prednisone_mg.ravel(),
            "cumulative_prednisone_mg": arrays.cumulative_prednisone_mg.ravel(),
            "early_worsening": arrays.early_worsening.ravel(),
            "crisis": arrays.crisis.ravel(),
            "relapse": arrays.relapse.ravel(),
            "azathioprine": arrays.azathioprine.ravel(),
        }
    )
    frame.attrs.update(
        disorder=params.disorder,
        strategy=strategy,
        strategy_label=params.strategies[strategy].label,
        score_column=params.score.column,
        score_name=params.score.name,
        score_max=params.score.maximum,
        responder_improvement=params.score.responder_improvement,
    )
    return frame


def simulate_cohort(
    disorder: str, strategy: str, *, n_patients: int = 1000, months: int = 24, seed: int = 0
) -> pd.DataFrame:
    """Simulate ``n_patients`` virtual patients under ``strategy`` for ``months`` months.

    Returns one row per patient and month (month 0 = baseline) with the disability score (``mg_adl`` for
    MG), its change from baseline, ``responder`` (improved by at least the meaningful change, 2 MG-ADL
    points), ``mse`` (minimal symptom expression), the daily and cumulative prednisone dose, and the events
    of that month: ``early_worsening`` (steroid-induced), ``crisis`` (exacerbation needing hospital and
    rescue), ``relapse`` (a response lost), ``azathioprine`` (on it). The same seed gives the same patients
    under every strategy. The model is calibrated to published trial figures and so can only echo them.
    """
    params, name, n, horizon, chosen_seed = validate_inputs(disorder, strategy, n_patients, months, seed)
    arrays = simulate_arrays(params, name, n_patients=n, months=horizon, seed=chosen_seed)
    return arrays_to_frame(arrays, name, params)


def compare_strategies(
    disorder: str, strategies: list[str], *, n_patients: int = 1000, months: int = 24, seed: int = 0
) -> dict[str, pd.DataFrame]:
    """The same virtual patients (same seed) under each strategy: a counterfactual comparison.

    Real trials compare different patients; here each patient is seen under every strategy, so differences
    between the cohorts come from the therapies' parameters alone.
    """
    if isinstance(strategies, str) or not isinstance(strategies, list | tuple) or not strategies:
        raise SimulationInputError(
            f"strategies: give a non-empty list of strategy names (given: {strategies!r})"
        )
    if len(set(strategies)) != len(strategies):
        raise SimulationInputError(f"strategies: a strategy is listed twice (given: {list(strategies)})")
    params = _params(disorder)
    for strategy in strategies:
        _strategy(params, strategy)
    return {
        strategy: simulate_cohort(disorder, strategy, n_patients=n_patients, months=months, seed=seed)
        for strategy in strategies
    }


def list_strategies(disorder: str = "myasthenia_gravis") -> dict[str, str]:
    """Strategy name -> human-readable label, in file order (for dropdowns and documentation)."""
    return {name: strategy.label for name, strategy in _params(disorder).strategies.items()}


def describe_strategy(disorder: str, strategy: str) -> str:
    """One sentence on what a strategy does and the sources behind it."""
    params = _params(disorder)
    spec = params.strategies[_strategy(params, strategy)]
    return f"{spec.label}: {spec.description}"


def summarize_cohorts(cohorts: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per strategy: baseline and final score, responder and MSE fractions, crises, prednisone."""
    if not cohorts:
        raise SimulationInputError("cohorts: nothing to summarise (empty)")
    rows = []
    for name, frame in cohorts.items():
        column = frame.attrs.get("score_column", "mg_adl")
        score_name = frame.attrs.get("score_name", "MG-ADL")
        last = int(frame["month"].max())
        final = frame[frame["month"] == last]
        baseline = frame[frame["month"] == 0]
        per_patient = frame.groupby("patient", sort=False)
        rows.append(
            {
                "strategy": name,
                "label": frame.attrs.get("strategy_label", name),
                "patients": len(baseline),
                "months": last,
                f"mean baseline {score_name}": round(float(baseline[column].mean()), 2),
                f"mean {score_name} at month {last}": round(float(final[column].mean()), 2),
                "mean change": round(float(final["change"].mean()), 2),
                f"responders at month {last}": round(float(final["responder"].mean()), 3),
                f"MSE at month {last}": round(float(final["mse"].mean()), 3),
                "any crisis": round(float(per_patient["crisis"].any().mean()), 3),
                "early steroid worsening": round(float(per_patient["early_worsening"].any().mean()), 3),
                "azathioprine used": round(float(per_patient["azathioprine"].any().mean()), 3),
                "mean cumulative prednisone (g)": round(
                    float(final["cumulative_prednisone_mg"].mean()) / 1000.0, 2
                ),
            }
        )
    return pd.DataFrame(rows).set_index("strategy")
