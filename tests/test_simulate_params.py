"""data/simulation/myasthenia_gravis.yaml: content; malformed copies refused naming file, key, fault."""

from __future__ import annotations

import copy
import shutil

import pytest
import yaml
from pydantic import BaseModel, ValidationError

from nmd_immuno.content.bibliography import bibliography_keys
from nmd_immuno.content.therapies import THERAPY_IDS
from nmd_immuno.errors import DataError
from nmd_immuno.paths import data_dir
from nmd_immuno.simulate import params as params_module
from nmd_immuno.simulate import trials as trials_module
from nmd_immuno.simulate.params import Param, _walk_citations, load_simulation_params

REQUIRED_STRATEGIES = (
    "placebo",
    "standard_of_care",
    "prednisone_alone",
    "thymectomy_plus_prednisone",
    "efgartigimod",
    "eculizumab",
    "ravulizumab",
    "zilucoplan",
    "rozanolixizumab",
    "nipocalimab",
    "rituximab_new_onset",
)
FILE = "data/simulation/myasthenia_gravis.yaml"


@pytest.fixture(scope="module")
def params():
    return load_simulation_params("myasthenia_gravis")


def test_required_strategies_exist_and_use_known_therapies(params):
    for name in REQUIRED_STRATEGIES:
        assert name in params.strategies, name
    for strategy in params.strategies.values():
        assert {entry.therapy for entry in strategy.therapies} <= THERAPY_IDS


def test_every_parameter_is_cited_and_says_what_it_was_calibrated_to(params):
    cited = list(_walk_citations(params, ""))
    assert len(cited) > 80
    keys = bibliography_keys()
    for location, refs in cited:
        assert refs and set(refs) <= keys, location

    found = list(_params_of(params))
    assert len(found) > 80
    for path, param in found:
        assert len(param.calibrated_to) > 5, path


def _params_of(node, path=""):
    """Every Param of a parameter tree, with its key path."""
    if isinstance(node, Param):
        yield path, node
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from _params_of(getattr(node, name), f"{path}.{name}")
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _params_of(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _params_of(value, f"{path}[{index}]")


def test_bae_early_worsening_and_mgtx_hazard_are_the_published_figures(params):
    """The two parameters taken straight from a paper carry its number (42%; 37% over 3 years)."""
    assert params.steroid_starts["high"].early_worsening_probability.value == pytest.approx(0.42)
    hazard = params.population.exacerbation_hazard_per_month.value
    assert 1 - (1 - hazard) ** 36 == pytest.approx(0.37, abs=0.01)


def test_every_mapped_trial_arm_and_outcome_is_in_trials_csv(params):
    table = trials_module.load_trials()
    for trial_id, mapping in params.trials.items():
        rows = table[table.trial_id == trial_id]
        assert {arm.arm for arm in mapping.arms} <= set(rows.arm), trial_id
        assert {outcome.outcome for outcome in mapping.outcomes} <= set(rows.outcome), trial_id


# ----------------------------------------------------------------------------------- malformed copies
@pytest.fixture
def scratch(tmp_path, monkeypatch):
    """A copy of data/ (bibliography, therapies, trials) selected through NMD_IMMUNO_DATA."""
    target = tmp_path / "data"
    (target / "simulation").mkdir(parents=True)
    for name in ("references.bib", "therapies.yaml", "trials.csv"):
        shutil.copy(data_dir() / name, target / name)
    raw = yaml.safe_load((data_dir() / "simulation" / "myasthenia_gravis.yaml").read_text(encoding="utf-8"))
    monkeypatch.setenv("NMD_IMMUNO_DATA", str(target))
    params_module.clear_cache()
    trials_module.clear_cache()
    yield target, raw
    params_module.clear_cache()
    trials_module.clear_cache()


def _load_broken(scratch, mutate):
    target, raw = scratch
    broken = copy.deepcopy(raw)
    mutate(broken)
    (target / "simulation" / "myasthenia_gravis.yaml").write_text(yaml.safe_dump(broken), encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_simulation_params("myasthenia_gravis")
    return str(info.value)


def test_an_unchanged_copy_loads(scratch):
    target, raw = scratch
    (target / "simulation" / "myasthenia_gravis.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    assert load_simulation_params("myasthenia_gravis").disorder == "myasthenia_gravis"


def _set(path: str, value):
    def mutate(raw):
        node = raw
        keys = path.split(".")
        for key in keys[:-1]:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if value is KeyError:
            del node[keys[-1]]
        else:
            node[keys[-1]] = value

    return mutate


@pytest.mark.parametrize(
    ("path", "value", "key", "fault"),
    [
        (
            "therapies.efgartigimod.response_probability.value",
            1.5,
            "therapies.efgartigimod.response_probability",
            "probability must be between 0 and 1",
        ),
        ("therapies.thymectomy.onset_months.value", -1, "therapies.thymectomy.onset_months", "0 or more"),
        ("therapies.thymectomy.peak_months.value", 1, "therapies.thymectomy", "before onset_months"),
        (
            "therapies.eculizumab.effect.references",
            ["nosuchkey2099"],
            "therapies.eculizumab.effect",
            "not in data/references.bib",
        ),
        (
            "therapies.eculizumab.effect.references",
            [],
            "therapies.eculizumab.effect.references",
            "at least 1",
        ),
        (
            "therapies.eculizumab.effect.calibrated_to",
            KeyError,
            "therapies.eculizumab.effect.calibrated_to",
            "Field required",
        ),
        (
            "population.exacerbation_hazard_per_month.value",
            2,
            "population.exacerbation_hazard_per_month",
            "probability",
        ),
        ("population.baseline_score.sd", -1, "population.baseline_score.sd", "greater than or equal to 0"),
        ("therapies.aspirin", None, "therapies", "not a therapy id"),
        (
            "strategies.placebo.therapies",
            [{"therapy": "cyclophosphamide"}],
            "strategies.placebo",
            "has no parameters",
        ),
        ("strategies.prednisone_alone.steroid_start", None, "strategies.prednisone_alone", "steroid_start"),
        ("strategies.placebo.colour", "red", "strategies.placebo.colour", "Extra inputs"),
        ("trials.MGTX.arms.0.arm", "thymectomy alone", "trials.MGTX.arms", "not in data/trials.csv"),
        (
            "trials.MGTX.outcomes.0.outcome",
            "mortality",
            "trials.MGTX.outcomes[0]",
            "no figure in data/trials.csv",
        ),
        ("trials.RAISE.population.weather", None, "trials.RAISE.population", "unknown parameter"),
        ("trials.RAISE.outcomes.0.at_month", 9, "trials.RAISE", "after months"),
        (
            "strategies.placebo.background",
            "prednisone_started",
            "strategies.placebo",
            "needs corticosteroids",
        ),
        (
            "strategies.prednisone_alone.background",
            "trial_background",
            "strategies.prednisone_alone",
            "prednisone is not simulated",
        ),
        (
            "strategies.efgartigimod.background",
            KeyError,
            "strategies.efgartigimod.background",
            "Field required",
        ),
        (
            "taper_relapse.steroid_sparing_therapies",
            ["corticosteroids"],
            "taper_relapse.steroid_sparing_therapies",
            "not a steroid-sparing therapy",
        ),
        ("taper_relapse.hazard_per_month.value", 1.5, "taper_relapse.hazard_per_month", "probability"),
        (
            "steroid_adverse_events.hazard_per_gram.status",
            "guess",
            "steroid_adverse_events.hazard_per_gram.status",
            "calibrated",
        ),
        (
            "therapies.thymectomy.effect.status",
            KeyError,
            "therapies.thymectomy.effect.status",
            "Field required",
        ),
        (
            "taper_relapse.points.status",
            "calibrated",
            "taper_relapse.points",
            "contradicts calibrated_to",
        ),
    ],
)
def test_malformed_parameter_files_are_refused(scratch, path, value, key, fault):
    if path == "therapies.aspirin":
        raw_mutate = _set(path, scratch[1]["therapies"]["efgartigimod"])
    elif path == "trials.RAISE.population.weather":
        raw_mutate = _set(path, scratch[1]["population"]["goal_score"])
    else:
        raw_mutate = _set(path, value)
    message = _load_broken(scratch, raw_mutate)
    assert message.startswith(FILE), message
    assert key in message and fault in message, message


def test_a_file_for_the_wrong_disorder_is_refused(scratch):
    message = _load_broken(scratch, _set("disorder", "cidp"))
    assert "key disorder" in message and "'cidp'" in message


def _param(**fields):
    return Param.model_validate({"value": 1, "references": ["wolfe2016mgtx"], **fields})


def test_status_is_required_and_is_the_only_source_of_the_answer():
    """The status is declared, never inferred: the wording of calibrated_to does not change it."""
    with pytest.raises(ValidationError, match="status"):
        _param(calibrated_to="9% vs 37% (MGTX)")
    with pytest.raises(ValidationError, match="status"):
        _param(calibrated_to="9% vs 37% (MGTX)", status="guess")
    declared = _param(calibrated_to="tuned to MGTX", status="assumption")
    assert declared.status == "assumption"
    free_text = _param(
        calibrated_to="effect within 1 week; full effect by month 1 is an assumption", status="calibrated"
    )
    assert free_text.status == "calibrated"
    assert not hasattr(Param, "provenance")


@pytest.mark.parametrize(
    ("text", "status", "expected"),
    [
        ("assumption (a guess)", "calibrated", "assumption"),
        ("Not modelled (no figure)", "assumption", "not_modelled"),
        ("not modelled", "calibrated", "not_modelled"),
    ],
)
def test_a_status_contradicting_calibrated_to_is_refused(text, status, expected):
    with pytest.raises(ValidationError) as info:
        _param(calibrated_to=text, status=status)
    message = str(info.value)
    assert f"status {status!r} contradicts calibrated_to" in message and f"set status: {expected}" in message


def test_every_parameter_of_both_files_declares_its_status():
    """Loading refuses a missing status; both files also use all three (none is labelled wholesale)."""
    for disorder in ("myasthenia_gravis", "cidp"):
        statuses = [param.status for _path, param in _params_of(load_simulation_params(disorder))]
        assert set(statuses) <= {"calibrated", "assumption", "not_modelled"}
        assert {"calibrated", "assumption", "not_modelled"} <= set(statuses), disorder


def test_steroid_risk_numbers_are_flagged_as_teaching_assumptions(params):
    """No source gives these rates: the file must say so, so the widget can say so."""
    assert params.steroid_adverse_events.hazard_per_gram.status == "assumption"
    taper = params.taper_relapse
    for field in ("threshold_mg", "hazard_per_month", "points", "sparing_protection"):
        assert getattr(taper, field).status == "assumption", field
    assert set(params.steroid_adverse_events.hazard_per_gram.references) >= {
        "huscher2009gcdose",
        "curtis2006gcadverse",
    }


def test_neutral_exacerbation_hazard_ratios_are_marked_not_modelled(params):
    """A hazard ratio of exactly 1.0 is by construction (prednisone, the reference) or for lack of data."""
    for name, therapy in params.therapies.items():
        ratio = therapy.exacerbation_hazard_ratio
        if ratio.value == 1.0 and name != "corticosteroids":
            assert ratio.status == "not_modelled", name
        if ratio.value != 1.0:
            assert ratio.status != "not_modelled", name
