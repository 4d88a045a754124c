"""Every branch of the multifocal motor neuropathy (MMN) pathway, reached by a patient, with what it offers,
avoids and warns.

The cases describe patients the way the chapter does; each asserts the step the walk must reach and what a
reader should see there. ``test_every_branch_is_exercised`` makes sure the cases together walk every edge of
the pathway graph, so a new branch cannot be added without a test.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from nmd_immuno import PatientError, recommend
from nmd_immuno.content.bibliography import bibliography_keys
from nmd_immuno.engine import load_pathway, preset_patients

MMN = "mmn"
NOT_RECOMMENDED = {"corticosteroids", "plasma_exchange"}


def mmn(**changes: Any) -> dict[str, Any]:
    """A 45-year-old man with moderate MMN, untreated; keyword arguments change or add fields."""
    patient: dict[str, Any] = {"age": 45, "sex": "male", "severity": "moderate", "history": {}}
    patient.update(changes)
    return patient


@dataclass
class Case:
    patient: dict[str, Any]
    reaches: str
    offers: set[str] = field(default_factory=set)
    not_offered: set[str] = field(default_factory=set)
    avoid: set[str] = field(default_factory=set)
    warning: str | None = None  # a phrase one of the warnings must contain
    exactly: list[str] | None = None


CASES: dict[str, Case] = {
    "untreated_moderate": Case(
        mmn(), "ivig_induction", exactly=["ivig"], avoid=NOT_RECOMMENDED, warning="thrombosis"
    ),
    "untreated_severe": Case(mmn(severity="severe"), "ivig_induction", exactly=["ivig"]),
    "untreated_mild": Case(
        mmn(severity="mild"), "mild_untreated", exactly=["ivig", "observation"], warning="planned visits"
    ),
    "ivig_response": Case(
        mmn(history={"ivig": "response"}),
        "maintenance",
        offers={"ivig", "scig"},
        not_offered={"cyclophosphamide"},
        warning="long-term maintenance",
    ),
    "ivig_dependence_is_a_response": Case(
        mmn(history={"ivig": "relapse_on_taper"}),
        "maintenance",
        offers={"ivig", "scig"},
        warning="injection site",
    ),
    "scig_works_after_ivig": Case(
        mmn(history={"ivig": "response", "scig": "response"}), "maintenance", offers={"scig", "ivig"}
    ),
    "ivig_partial": Case(
        mmn(history={"ivig": "partial"}),
        "maintenance_insufficient",
        offers={"ivig", "cyclophosphamide"},
        not_offered={"rituximab", "corticosteroids"},
        warning="First optimise IVIG",
    ),
    "ivig_partial_cyclophosphamide_not_tolerated": Case(
        mmn(history={"ivig": "partial", "cyclophosphamide": "intolerant"}),
        "maintenance_insufficient",
        exactly=["ivig"],
        avoid={"cyclophosphamide"},
    ),
    "ivig_no_response": Case(
        mmn(history={"ivig": "no_response"}),
        "consider_cyclophosphamide",
        exactly=["cyclophosphamide"],
        warning="re-examine the diagnosis",
    ),
    "mild_ivig_no_response_reexamine_and_observe": Case(
        mmn(severity="mild", history={"ivig": "no_response"}),
        "mild_beyond_ivig",
        exactly=["observation"],
        not_offered={"cyclophosphamide"},
        warning="re-examine the diagnosis",
    ),
    "mild_ivig_not_tolerated": Case(
        mmn(severity="mild", history={"ivig": "intolerant"}),
        "mild_beyond_ivig",
        exactly=["observation", "scig"],
        avoid={"ivig"},
    ),
    "mild_ivig_partial_no_cyclophosphamide": Case(
        mmn(severity="mild", history={"ivig": "partial"}),
        "maintenance_insufficient",
        exactly=["ivig"],
        warning="First optimise IVIG",
    ),
    "ivig_not_tolerated_offers_scig": Case(
        mmn(history={"ivig": "intolerant"}),
        "consider_cyclophosphamide",
        offers={"cyclophosphamide", "scig"},
        not_offered={"ivig"},
        avoid={"ivig"},
        warning="haemorrhagic cystitis",
    ),
    "ivig_contraindicated_no_scig_by_default": Case(
        mmn(history={"ivig": "contraindicated"}),
        "consider_cyclophosphamide",
        exactly=["cyclophosphamide"],
        avoid={"ivig"},
    ),
    "everything_failed": Case(
        mmn(history={"ivig": "no_response", "cyclophosphamide": "no_response"}),
        "no_proven_option",
        exactly=["supportive_care"],
        not_offered={"rituximab", "eculizumab"},
    ),
    "anti_gm1_negative": Case(
        mmn(anti_gm1="negative"), "ivig_induction", offers={"ivig"}, warning="does not exclude MMN"
    ),
    "pregnant_after_ivig_failure": Case(
        mmn(sex="female", age=32, pregnant=True, history={"ivig": "no_response"}),
        "consider_cyclophosphamide",
        not_offered={"cyclophosphamide"},
        avoid={"cyclophosphamide"},
        warning="embryo-fetal",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_branch(name: str) -> None:
    case = CASES[name]
    rec = recommend(MMN, case.patient)
    path = [step.id for step in rec.path]
    assert case.reaches in path, f"{name}: path was {path}"
    if case.exactly is not None:
        assert rec.therapies == case.exactly, f"{name}: offered {rec.therapies}"
    assert case.offers <= set(rec.therapies), f"{name}: offered {rec.therapies}"
    assert not case.not_offered & set(rec.therapies), f"{name}: offered {rec.therapies}"
    assert case.avoid <= set(rec.avoid), f"{name}: avoid {rec.avoid}"
    if case.warning:
        assert any(case.warning.lower() in w.lower() for w in rec.warnings), (
            f"{name}: warnings {rec.warnings}"
        )


def test_every_branch_is_exercised() -> None:
    algorithm = load_pathway(MMN)
    node_ids = {n.id for n in algorithm.nodes}
    all_edges = {(n.id, target) for n in algorithm.nodes for target, _ in n.successors()}
    seen: set[tuple[str, str]] = set()
    for case in CASES.values():
        walked = [s.id for s in recommend(MMN, case.patient).path if s.id in node_ids]
        seen |= set(itertools.pairwise(walked))
    assert all_edges - seen == set(), "edges of the pathway that no test case walks"


def test_every_rule_fires_for_some_case() -> None:
    fired = {s.id for case in CASES.values() for s in recommend(MMN, case.patient).path if s.kind == "rule"}
    assert fired == {rule.id for rule in load_pathway(MMN).rules}


@pytest.mark.parametrize("name", sorted(CASES))
def test_steroids_and_plasma_exchange_are_never_offered(name: str) -> None:
    """The guideline's central 'do not' holds whatever the history, even after every other option failed."""
    rec = recommend(MMN, CASES[name].patient)
    assert not NOT_RECOMMENDED & set(rec.therapies)
    assert set(rec.avoid) >= NOT_RECOMMENDED


def test_history_moves_the_pathway() -> None:
    """The same patient, one outcome of IVIG changed at a time, ends at a different step."""
    ends = {
        outcome: [s.id for s in recommend(MMN, mmn(history={"ivig": outcome})).path if s.kind != "rule"][-1]
        for outcome in ("response", "relapse_on_taper", "partial", "no_response", "intolerant")
    }
    assert ends["response"] == ends["relapse_on_taper"] == "maintenance"
    assert ends["partial"] == "maintenance_insufficient"
    assert ends["no_response"] == ends["intolerant"] == "consider_cyclophosphamide"
    untreated = [s.id for s in recommend(MMN, mmn()).path if s.kind != "rule"][-1]
    assert untreated == "ivig_induction"
    assert len({untreated, *ends.values()}) == 4


def test_severity_matters_only_before_treatment() -> None:
    mild = recommend(MMN, mmn(severity="mild"))
    assert "observation" in mild.therapies
    treated = recommend(MMN, mmn(severity="mild", history={"ivig": "response"}))
    assert "observation" not in treated.therapies and "ivig" in treated.therapies


def test_cyclophosphamide_comes_only_after_ivig() -> None:
    for severity in ("mild", "moderate", "severe"):
        assert "cyclophosphamide" not in recommend(MMN, mmn(severity=severity)).therapies


@pytest.mark.parametrize("outcome", ["partial", "no_response", "intolerant", "contraindicated"])
def test_cyclophosphamide_is_never_offered_for_mild_weakness(outcome: str) -> None:
    """Its toxicity is weighed against disabling weakness only; for moderate disease it stays an option."""
    assert "cyclophosphamide" not in recommend(MMN, mmn(severity="mild", history={"ivig": outcome})).therapies
    assert "cyclophosphamide" in recommend(MMN, mmn(severity="moderate", history={"ivig": outcome})).therapies


def test_partial_response_asks_for_ivig_optimisation_before_cyclophosphamide() -> None:
    rec = recommend(MMN, mmn(history={"ivig": "partial"}))
    step = next(s for s in rec.path if s.id == "maintenance_insufficient")
    assert "optimise" in step.title.lower()
    assert any("optimise ivig" in w.lower() and "cyclophosphamide" in w.lower() for w in rec.warnings)


def test_the_ivig_no_response_preset_matches_the_quiz_question_it_names() -> None:
    """The preset is the quiz's non-responder before upper motor neuron signs appear (its first question): the
    pathway must ask to re-examine the diagnosis there, and tie cyclophosphamide to a confirmed diagnosis."""
    from nmd_immuno.quiz.loader import load_quiz

    preset = load_pathway(MMN).presets["ivig_no_response"]
    assert "first question" in preset.description
    first = load_quiz(MMN).item("mmn-nonresponder-next")
    right = next(o.text for o in first.options if o.correct)
    assert "diagnosis" in right
    rec = recommend(MMN, preset_patients(MMN)["ivig_no_response"])
    assert any("re-examine the diagnosis" in w for w in rec.warnings)
    node = load_pathway(MMN).node("consider_cyclophosphamide")
    labels = [
        item.label
        for item in node.offer
        if not isinstance(item, str) and "cyclophosphamide" in item.therapies
    ]
    assert "after the diagnosis is confirmed" in labels


def test_recommendation_references_cover_every_step_and_resolve() -> None:
    known = bibliography_keys()
    for case in CASES.values():
        rec = recommend(MMN, case.patient)
        assert rec.references and set(rec.references) <= known
        for step in rec.path:
            assert step.references, step.id
            assert set(step.references) <= set(rec.references)


def test_presets_meet_their_stated_expectations() -> None:
    algorithm = load_pathway(MMN)
    presets = preset_patients(MMN)
    assert set(presets) == set(algorithm.presets) and 3 <= len(presets) <= 6
    for preset_id, preset in algorithm.presets.items():
        rec = recommend(MMN, presets[preset_id])
        expect = preset.expect
        assert expect is not None, f"preset {preset_id} states no expectation"
        assert set(expect.offers_include) <= set(rec.therapies), preset_id
        assert not set(expect.offers_exclude) & set(rec.therapies), preset_id
        assert set(expect.avoid_include) <= set(rec.avoid), preset_id
        assert set(expect.path_includes) <= {s.id for s in rec.path}, preset_id


def test_presets_are_the_chapter_and_quiz_patients() -> None:
    """Presets labelled as the chapter's or the quiz's case describe a patient of that age and sex there."""
    from nmd_immuno.quiz.loader import load_quiz

    chapter = (Path(__file__).resolve().parents[1] / "book" / "mmn.md").read_text("utf-8")
    vignettes = [case.vignette for case in load_quiz(MMN).cases]
    sources = {"Chapter example": [chapter], "Quiz": vignettes}
    checked = set()
    for preset_id, preset in load_pathway(MMN).presets.items():
        kind = preset.label.split(":", 1)[0]
        if kind not in sources:
            continue
        patient = preset.patient
        person = {"female": "woman", "male": "man"}[patient["sex"]]
        phrase = f"{patient['age']}-year-old {person}"
        assert any(phrase in text for text in sources[kind]), f"{preset_id}: no {kind} case of a {phrase}"
        checked.add(kind)
    assert checked == set(sources)


@pytest.mark.parametrize(
    ("patient", "field", "given"),
    [
        ({"age": 45, "severity": "extreme"}, "severity", "extreme"),
        ({"age": 45, "severity": "mild", "anti_gm1": "high"}, "anti_gm1", "high"),
        # An unknown field: the message lists the allowed fields.
        ({"age": 45, "severity": "mild", "antibody": "achr"}, "antibody", "anti_gm1"),
        ({"age": 45}, "severity", None),
        ({"age": 45, "severity": "mild", "history": {"ivig": "great"}}, "history", "great"),
        ({"age": 45, "severity": "mild", "history": {"steroids": "response"}}, "history", "steroids"),
    ],
)
def test_bad_input_names_the_field_and_value(patient: dict[str, Any], field: str, given: str | None) -> None:
    with pytest.raises(PatientError) as info:
        recommend(MMN, patient)
    message = str(info.value)
    assert field in message
    if given is not None:
        assert given in message
