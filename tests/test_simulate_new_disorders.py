"""The MMN, anti-MAG and dermatomyositis cohort simulators: cited parameters, trials echoed within tolerance,
strategies the pathways offer, and the two generic features they brought (score direction, crossover design).

Why these checks: the three files reuse the schema and the engine of the MG and CIDP simulators with no
disorder-specific code, so what can go wrong is in the data (a number without a source, a strategy the pathway
does not offer, a calibration that drifted) and in the generic features (a higher-is-better score read the
wrong way round, a crossover run on different patients).
"""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from nmd_immuno.content.algorithms import load_algorithm
from nmd_immuno.simulate import (
    compare_strategies,
    comparison_caveats,
    list_strategies,
    plot_comparison,
    replicable_trials,
    replicate_trial,
    simulate_cohort,
    summarize_cohorts,
)
from nmd_immuno.simulate import replicate as replicate_module
from nmd_immuno.simulate.mechanisms import MECHANISMS, mechanisms_not_modelled
from nmd_immuno.simulate.params import (
    Param,
    ScoreSpec,
    TrialMapping,
    available_disorders,
    load_simulation_params,
)
from nmd_immuno.simulate.trials import trial_rows

# disorder -> (trial, primary outcome, score column, therapy strategy)
NEW = {
    "mmn": ("Cochrane-MMN-2005", "strength improved", "mrc_sum", "ivig"),
    "paraproteinemic": (
        "Dalakas-2009",
        "improvement of at least 1 INCAT leg point",
        "incat_leg",
        "rituximab",
    ),
    "myositis": (
        "ProDERM",
        "Total Improvement Score at least 20 at week 16 without confirmed deterioration",
        "activity",
        "ivig",
    ),
}


def _params_of(node, path=""):
    """Every Param in the tree with its dotted path."""
    if isinstance(node, Param):
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _params_of(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _params_of(value, f"{path}[{index}]")
    elif hasattr(type(node), "model_fields"):
        for name in type(node).model_fields:
            yield from _params_of(getattr(node, name), f"{path}.{name}" if path else name)


@pytest.mark.parametrize("disorder", NEW)
def test_parameters_load_and_every_number_is_cited_with_a_status(disorder: str) -> None:
    assert disorder in available_disorders()
    params = load_simulation_params(disorder)  # the loader resolves every key against references.bib
    found = list(_params_of(params))
    assert len(found) > 20
    for path, param in found:
        assert param.references, path
        assert param.status in {"calibrated", "assumption", "not_modelled"}, path
        if param.status == "calibrated":
            assert not param.calibrated_to.lower().startswith("assumption"), path
    # The response probability of the therapy is calibrated to the trial; its size is not in the sources.
    therapy = params.therapies[next(iter(params.therapies))]
    assert therapy.response_probability.status == "calibrated"
    assert therapy.effect.status == "assumption"


@pytest.mark.parametrize("disorder", NEW)
def test_primary_trial_is_echoed_within_tolerance_for_two_seeds(disorder: str) -> None:
    trial, outcome, _, therapy = NEW[disorder]
    assert trial in replicable_trials()
    published = {
        row.arm: row.value for row in trial_rows() if row.trial_id == trial and row.outcome == outcome
    }
    assert len(published) == 2
    for seed in (0, 1):
        table = replicate_trial(trial, seed=seed)
        experimental = table.loc[table.strategy == therapy].iloc[0]
        assert bool(experimental.within_tolerance), table
        assert bool(experimental.same_direction), table
        for arm, simulated in zip(table.arm, table.simulated, strict=True):
            assert abs(simulated - published[arm]) <= 0.06, (disorder, arm, simulated, published[arm])


@pytest.mark.parametrize("disorder", NEW)
def test_a_trial_sized_rerun_varies_by_chance(disorder: str) -> None:
    trial, _, _, _ = NEW[disorder]
    small = [float(replicate_trial(trial, seed=s, n_per_arm=20).simulated_effect.iloc[0]) for s in range(6)]
    assert np.std(small) > 0.02
    assert np.mean(small) > 0.1


@pytest.mark.parametrize("disorder", NEW)
def test_strategies_use_only_therapies_the_pathway_offers(disorder: str) -> None:
    algorithm = load_algorithm(disorder)
    offered = set()
    for node in algorithm.nodes:
        for item in node.offer:
            offered.update([item] if isinstance(item, str) else item.therapies)
    params = load_simulation_params(disorder)
    assert "placebo" in params.strategies  # the trial control
    used = {entry.therapy for strategy in params.strategies.values() for entry in strategy.therapies}
    assert used, disorder
    assert used <= offered, (disorder, sorted(used - offered))
    assert set(params.therapies) <= offered


@pytest.mark.parametrize("disorder", NEW)
def test_uniform_api_for_the_static_cohort_view(disorder: str) -> None:
    _, _, column, therapy = NEW[disorder]
    strategies = list_strategies(disorder)
    assert therapy in strategies and "placebo" in strategies
    cohorts = compare_strategies(disorder, [therapy, "placebo"], n_patients=400, months=6, seed=0)
    params = load_simulation_params(disorder)
    for frame in cohorts.values():
        assert frame.attrs["score_column"] == column
        values = frame[column].to_numpy()
        assert values.min() >= params.score.minimum and values.max() <= params.score.maximum
    baselines = [frame.loc[frame.month == 0, column].to_numpy() for frame in cohorts.values()]
    assert np.array_equal(*baselines)  # same seed, same virtual patients
    treated, control = (cohorts[name].loc[cohorts[name].month == 6, "responder"].mean() for name in cohorts)
    assert treated > control
    summary = summarize_cohorts(cohorts)
    assert not any("crisis" in column or "prednisone" in column for column in summary.columns)
    caveats = comparison_caveats(disorder, [therapy, "placebo"])
    assert any(text.startswith("Not modelled for this disorder") for text in caveats)
    assert [m.key for m in mechanisms_not_modelled(params)] == [m.key for m in MECHANISMS]


# ------------------------------------------------------------------ generic feature: a higher-is-better score
def test_mmn_score_rises_with_improvement_and_responders_follow_the_direction() -> None:
    cohorts = compare_strategies("mmn", ["ivig", "placebo"], n_patients=600, months=3, seed=2)
    ivig, placebo = cohorts["ivig"], cohorts["placebo"]
    final = {name: frame.loc[frame.month == 3, "mrc_sum"].mean() for name, frame in cohorts.items()}
    assert final["ivig"] > final["placebo"] + 2
    assert (ivig.responder == (ivig.change >= 2)).all()
    assert ivig.loc[ivig.month == 3, "change"].mean() > 2
    assert not ivig.mse.any()  # minimal symptom expression is not defined for this score
    assert ivig.attrs["score_direction"] == "higher_is_better"
    baseline = placebo.loc[placebo.month == 0, "mrc_sum"]
    assert baseline.max() <= load_simulation_params("mmn").population.minimum_baseline.value
    figure = plot_comparison(cohorts)
    assert "lower is worse" in figure.axes[0].get_ylabel()


def test_a_lower_is_better_score_is_unchanged_by_the_direction_feature() -> None:
    frame = simulate_cohort("paraproteinemic", "rituximab", n_patients=300, months=8, seed=1)
    assert (frame.responder == (frame.change <= -1)).all()
    assert frame.attrs["score_direction"] == "lower_is_better"


# --------------------------------------------------------------------- generic feature: a crossover design
def _seeds_used(monkeypatch, trial: str) -> list[int]:
    seeds: list[int] = []
    original = replicate_module.simulate_arrays

    def recording(*args, **kwargs):
        seeds.append(kwargs["seed"])
        return original(*args, **kwargs)

    monkeypatch.setattr(replicate_module, "simulate_arrays", recording)
    replicate_trial(trial, seed=3, n_per_arm=50)
    return seeds


def test_a_crossover_trial_runs_every_arm_on_the_same_patients(monkeypatch) -> None:
    assert load_simulation_params("mmn").trials["Cochrane-MMN-2005"].design == "crossover"
    crossover = _seeds_used(monkeypatch, "Cochrane-MMN-2005")
    assert len(crossover) == 2 and len(set(crossover)) == 1
    parallel = _seeds_used(monkeypatch, "Dalakas-2009")
    assert len(set(parallel[-2:])) == 2


# -------------------------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("disorder", NEW)
def test_unknown_strategy_is_named_with_the_allowed_ones(disorder: str) -> None:
    with pytest.raises(
        ValueError, match=r"^strategy: unknown value 'prednisone_alone'; allowed: \w+, placebo$"
    ):
        simulate_cohort(disorder, "prednisone_alone", n_patients=10, months=3, seed=0)


def test_a_disorder_without_a_parameter_file_is_named(monkeypatch) -> None:
    from nmd_immuno.simulate import cohort

    monkeypatch.setattr(cohort, "available_disorders", lambda: ["cidp", "myasthenia_gravis"])
    with pytest.raises(ValueError, match=r"^disorder: no simulation parameters for 'mmn' yet"):
        simulate_cohort("mmn", "ivig", n_patients=10, months=3, seed=0)


def _score(**changes) -> dict:
    base = {
        "name": "MRC sum score",
        "column": "mrc_sum",
        "minimum": 0,
        "maximum": 60,
        "direction": "higher_is_better",
        "responder_improvement": 2,
        "mse_maximum": 0,
        "references": ["efns2010mmn"],
    }
    return {**base, **changes}


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"direction": "upwards"}, "direction"),
        ({"mse_label": "minimal symptom expression"}, "mse_label"),
        ({"maximum": 200}, "small integers"),
    ],
)
def test_bad_score_specs_are_refused_with_the_field_named(changes: dict, words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        ScoreSpec.model_validate(_score(**changes))


def test_an_unknown_trial_design_is_refused() -> None:
    mapping = load_simulation_params("mmn").trials["Cochrane-MMN-2005"].model_dump()
    with pytest.raises(ValidationError, match="design"):
        TrialMapping.model_validate({**mapping, "design": "cluster"})
