"""Public entry points for cohorts: run one strategy, compare several, summarise the result.

Input is checked here, once, so that a notebook or widget gets a ``ValueError`` naming the field, the value
given and what is allowed, never a numpy error from deep inside the model. The DataFrame is built once, at
the end, from the arrays of the vectorised model (one row per patient and month, month 0 = baseline).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nmd_immuno.content.vocabulary import DISORDERS
from nmd_immuno.simulate.mechanisms import mechanisms_not_modelled
from nmd_immuno.simulate.model import CohortArrays, SimulationInputError, simulate_arrays
from nmd_immuno.simulate.params import (
    BACKGROUND_LABELS,
    SimulationParams,
    available_disorders,
    load_simulation_params,
)
from nmd_immuno.simulate.validate import whole_number

MAX_PATIENTS = 200_000
MAX_MONTHS = 120
MAX_SEED = 2**32 - 1


def _params(disorder: object) -> SimulationParams:
    if not isinstance(disorder, str) or disorder not in DISORDERS:
        raise SimulationInputError(f"disorder: unknown value {disorder!r}; allowed: {', '.join(DISORDERS)}")
    available = available_disorders()
    if disorder not in available:
        raise SimulationInputError(
            f"disorder: no simulation parameters for {disorder!r} yet; "
            f"available: {', '.join(available) or 'none'}"
        )
    return load_simulation_params(disorder)


def _strategy(params: SimulationParams, strategy: object, field: str = "strategy") -> str:
    if not isinstance(strategy, str) or strategy not in params.strategies:
        raise SimulationInputError(
            f"{field}: unknown value {strategy!r}; allowed: {', '.join(params.strategies)}"
        )
    return strategy


def _strategy_list(params: SimulationParams, strategies: object) -> list[str]:
    """A non-empty list (or tuple) of known strategy names, each once.

    Why a check of its own: a single name passed as a string would otherwise be iterated letter by letter
    ("unknown value 'p'"), and a name listed twice would compare a cohort with itself.
    """
    if isinstance(strategies, str):
        raise SimulationInputError(
            f"strategies: give a list of strategy names, not a single string (given: {strategies!r}); "
            f"for example [{strategies!r}]"
        )
    if not isinstance(strategies, list | tuple) or not strategies:
        raise SimulationInputError(
            f"strategies: give a non-empty list of strategy names (given: {strategies!r}); "
            f"allowed names: {', '.join(params.strategies)}"
        )
    names = [_strategy(params, name, "strategies") for name in strategies]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise SimulationInputError(
            f"strategies: {', '.join(repeated)} listed more than once (given: {names}); "
            "list each strategy once"
        )
    return names


def validate_inputs(
    disorder: object, strategy: object, n_patients: object, months: object, seed: object
) -> tuple[SimulationParams, str, int, int, int]:
    """Check every argument of a cohort run; raise a ValueError naming the first bad field."""
    params = _params(disorder)
    name = _strategy(params, strategy)
    n = whole_number("n_patients", n_patients, 1, MAX_PATIENTS)
    horizon = whole_number("months", months, 1, MAX_MONTHS)
    chosen_seed = whole_number("seed", seed, 0, MAX_SEED)
    return params, name, n, horizon, chosen_seed


def arrays_to_frame(arrays: CohortArrays, strategy: str, params: SimulationParams) -> pd.DataFrame:
    """One row per patient and month, built in one go from the (patients x months) arrays."""
    n, width = arrays.score.shape
    score = arrays.score
    change = score.astype(np.int16) - score[:, :1].astype(np.int16)
    improvement = -params.score.improvement_sign * change  # positive when better, either way the scale runs
    frame = pd.DataFrame(
        {
            "patient": np.repeat(np.arange(n, dtype=np.int32), width),
            "month": np.tile(np.arange(width, dtype=np.int16), n),
            "strategy": pd.Categorical.from_codes(np.zeros(n * width, dtype=np.int8), categories=[strategy]),
            params.score.column: score.ravel(),
            "change": change.ravel(),
            "responder": (improvement >= params.score.responder_improvement).ravel(),
            "mse": (
                (score <= params.score.mse_maximum)
                if params.score.direction == "lower_is_better"
                else np.zeros(score.shape, dtype=bool)
            ).ravel(),
            "prednisone_mg": arrays.prednisone_mg.ravel(),
            "cumulative_prednisone_mg": arrays.cumulative_prednisone_mg.ravel(),
            "early_worsening": arrays.early_worsening.ravel(),
            "crisis": arrays.crisis.ravel(),
            "relapse": arrays.relapse.ravel(),
            "relapse_on_taper": arrays.relapse_on_taper.ravel(),
            "steroid_adverse_event": arrays.steroid_adverse_event.ravel(),
            "azathioprine": arrays.azathioprine.ravel(),
        }
    )
    frame.attrs.update(
        disorder=params.disorder,
        strategy=strategy,
        strategy_label=params.strategies[strategy].label,
        background=params.strategies[strategy].background,
        score_column=params.score.column,
        score_name=params.score.name,
        score_max=params.score.maximum,
        responder_improvement=params.score.responder_improvement,
        score_direction=params.score.direction,
        mse_name=params.score.mse_name(),
        not_modelled=tuple(mechanism.key for mechanism in mechanisms_not_modelled(params)),
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
    rescue), ``relapse`` (a response lost, including a relapse on taper), ``relapse_on_taper`` (prednisone
    tapered below the threshold before a steroid-sparing effect was established), ``azathioprine`` (on it);
    and ``steroid_adverse_event``, which is cumulative: True from the month of a patient's first serious
    glucocorticoid adverse event onwards (its hazard is a teaching assumption, see
    :func:`comparison_caveats`). The same seed gives the same patients under every strategy. The model is
    calibrated to published trial figures and so can only echo them.
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
    names = _strategy_list(_params(disorder), strategies)
    return {
        strategy: simulate_cohort(disorder, strategy, n_patients=n_patients, months=months, seed=seed)
        for strategy in names
    }


def list_strategies(disorder: str = "myasthenia_gravis") -> dict[str, str]:
    """Strategy name -> human-readable label, in file order (for dropdowns and documentation)."""
    return {name: strategy.label for name, strategy in _params(disorder).strategies.items()}


def describe_strategy(disorder: str, strategy: str) -> str:
    """One sentence on what a strategy does and the sources behind it."""
    params = _params(disorder)
    spec = params.strategies[_strategy(params, strategy)]
    return f"{spec.label}: {spec.description}"


# Summary columns showing a switchable mechanism (see nmd_immuno.simulate.mechanisms); the others always show.
_MECHANISM_OF_COLUMN = {
    "any crisis": "crises",
    "early steroid worsening": "prednisone",
    "azathioprine used": "azathioprine",
    "any relapse on taper": "prednisone",
    "relapses on taper per patient": "prednisone",
    "serious steroid adverse event (assumed rate)": "prednisone",
    "mean cumulative prednisone (g)": "prednisone",
}


#: Summary columns that are shares of patients (0-1); the first two end in "at month N".
_PROPORTION_PREFIXES = ("responders at month", "minimal symptom expression")
_PROPORTIONS = {
    "any crisis",
    "early steroid worsening",
    "azathioprine used",
    "any relapse on taper",
    "serious steroid adverse event (assumed rate)",
}


def summarize_cohorts(cohorts: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per strategy: baseline and final score, responders and minimal symptom expression (where the
    disorder's score spec names it: MG, not CIDP), crises, relapses, prednisone. ``attrs["proportions"]``
    lists the columns that are shares of patients (0-1), for
    :func:`~nmd_immuno.simulate.tables.summary_table`.

    The steroid adverse-event column is labelled "(assumed rate)" because its hazard is an illustrative
    teaching value, not a trial result; :func:`comparison_caveats` says which numbers are assumptions.
    Columns of a mechanism the disorder's parameters mark as not modelled (crises and prednisone for CIDP)
    are left out: their zeros would read as "none occurred" when nothing was simulated. A column is kept if
    any of the cohorts models its mechanism.
    """
    if not isinstance(cohorts, dict) or not cohorts:
        raise SimulationInputError("cohorts: give a non-empty dict of strategy name -> cohort DataFrame")
    hidden = set.intersection(*(set(frame.attrs.get("not_modelled", ())) for frame in cohorts.values()))
    rows = []
    proportions: set[str] = set()
    for name, frame in cohorts.items():
        column = frame.attrs.get("score_column", "mg_adl")
        score_name = frame.attrs.get("score_name", "MG-ADL")
        last = int(frame["month"].max())
        final = frame[frame["month"] == last]
        baseline = frame[frame["month"] == 0]
        per_patient = frame.groupby("patient", sort=False)
        mse_name = frame.attrs.get("mse_name")
        row = {
            "strategy": name,
            "label": frame.attrs.get("strategy_label", name),
            "patients": len(baseline),
            "months": last,
            f"mean baseline {score_name}": round(float(baseline[column].mean()), 2),
            f"mean {score_name} at month {last}": round(float(final[column].mean()), 2),
            "mean change": round(float(final["change"].mean()), 2),
            f"responders at month {last}": round(float(final["responder"].mean()), 3),
            f"{mse_name} at month {last}": round(float(final["mse"].mean()), 3),
            "any crisis": round(float(per_patient["crisis"].any().mean()), 3),
            "early steroid worsening": round(float(per_patient["early_worsening"].any().mean()), 3),
            "azathioprine used": round(float(per_patient["azathioprine"].any().mean()), 3),
            "any relapse on taper": round(float(per_patient["relapse_on_taper"].any().mean()), 3),
            "relapses on taper per patient": round(float(per_patient["relapse_on_taper"].sum().mean()), 3),
            "serious steroid adverse event (assumed rate)": round(
                float(final["steroid_adverse_event"].mean()), 3
            ),
            "mean cumulative prednisone (g)": round(
                float(final["cumulative_prednisone_mg"].mean()) / 1000.0, 2
            ),
        }
        if mse_name is None:  # the disorder has no such concept (CIDP): no column rather than a foreign term
            del row[f"{mse_name} at month {last}"]
        row = {key: value for key, value in row.items() if _MECHANISM_OF_COLUMN.get(key) not in hidden}
        rows.append(row)
        proportions.update(key for key in row if key.startswith(_PROPORTION_PREFIXES) or key in _PROPORTIONS)
    summary = pd.DataFrame(rows).set_index("strategy")
    # Which columns are shares of patients (0-1), so a display can show them as % like the plots do.
    summary.attrs["proportions"] = [column for column in summary.columns if column in proportions]
    return summary


_TAPER_WORDS = {
    "threshold_mg": ("relapse threshold", "mg/day"),
    "hazard_per_month": ("relapse hazard", "per month"),
    "points": ("relapse size", "{score} points"),
    "sparing_protection": ("share of that hazard removed by a steroid-sparing effect", ""),
}


def comparison_caveats(disorder: str, strategies: list[str]) -> list[str]:
    """Plain-language warnings a reader needs before comparing these strategies' cohorts.

    Why: a simulated difference looks like evidence. It is not when (1) the strategies run on different
    backgrounds (a biologic in its trial setting, without simulated prednisone, against a prednisone
    strategy), (2) a therapy's effect on exacerbations is left at a neutral hazard ratio of 1.0 for lack of
    data (not evidence of no effect), or (3) the outcome rests on an illustrative assumption (the steroid
    adverse-event and relapse-on-taper hazards). Each warning names the strategies or parameters concerned.
    Mechanisms the disorder does not model at all (crises and prednisone for CIDP) are named once, first:
    the summary leaves them out, and the cohort data hold zeros for them.
    """
    params = _params(disorder)
    names = _strategy_list(params, strategies)
    specs = {name: params.strategies[name] for name in names}
    caveats: list[str] = []
    switched_off = mechanisms_not_modelled(params)
    if switched_off:
        caveats.append(
            "Not modelled for this disorder: "
            + "; ".join(mechanism.label for mechanism in switched_off)
            + ". Their parameters are neutral values marked not modelled, so the summary leaves them out; "
            "the zeros in the cohort data mean 'not simulated', not 'none occurred'."
        )
    backgrounds = {spec.background for spec in specs.values()}
    if len(backgrounds) > 1:
        parts = "; ".join(f"{spec.label}: {BACKGROUND_LABELS[spec.background]}" for spec in specs.values())
        caveats.append(
            "Different backgrounds: the difference between these cohorts mixes the therapies with their "
            f"backgrounds, so it is not the effect of either therapy ({parts}). Compare a trial-setting "
            "strategy with the placebo strategy, and a prednisone strategy with prednisone alone."
        )
    no_crisis_effect = sorted(
        {
            therapy
            for spec in specs.values()
            for therapy in spec.therapy_ids
            if params.therapies[therapy].exacerbation_hazard_ratio.status == "not_modelled"
        }
    )
    if no_crisis_effect and all(mechanism.key != "crises" for mechanism in switched_off):
        caveats.append(
            "Effect on exacerbations (crises) not modelled for "
            + ", ".join(no_crisis_effect)
            + ": a hazard ratio of 1.0 is used for lack of data in the course's sources, which is not "
            "evidence of no effect."
        )
    if any(spec.background != "trial_background" for spec in specs.values()):
        assumed = []
        events = params.steroid_adverse_events
        if events is not None and events.hazard_per_gram.status != "calibrated":
            assumed.append(f"{events.label}: hazard {events.hazard_per_gram.value:g} per gram of prednisone")
        taper = params.taper_relapse
        if taper is not None:
            for field, (words, unit) in _TAPER_WORDS.items():
                param = getattr(taper, field)
                if param.status != "calibrated":
                    unit_text = unit.format(score=params.score.name)
                    assumed.append(f"{words} {param.value:g} {unit_text}".rstrip())
        if assumed:
            caveats.append(
                "Steroid adverse events and relapse on taper rest on illustrative teaching assumptions, "
                "not trial results: " + "; ".join(assumed) + "."
            )
    return caveats
