"""Every branch of the multifocal motor neuropathy (MMN) pathway, reached by a patient, with what it offers,
avoids and warns.

The cases describe patients the way the chapter does; each asserts the step the walk must reach and what a
reader should see there. ``test_pathways_common.py`` makes sure the cases together walk every edge of
the pathway graph, so a new branch cannot be added without a test.
"""

from __future__ import annotations

from typing import Any

import pytest
from pathway_helpers import Case, check_case, last_node, refusal

from nmd_immuno import recommend
from nmd_immuno.engine import load_pathway, preset_patients

MMN = "mmn"
NOT_RECOMMENDED = {"corticosteroids", "plasma_exchange"}


def mmn(**changes: Any) -> dict[str, Any]:
    """A 45-year-old man with moderate MMN, untreated; keyword arguments change or add fields."""
    patient: dict[str, Any] = {"age": 45, "sex": "male", "severity": "moderate", "history": {}}
    patient.update(changes)
    return patient


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
    check_case(MMN, name, CASES[name])


@pytest.mark.parametrize("name", sorted(CASES))
def test_steroids_and_plasma_exchange_are_never_offered(name: str) -> None:
    """The guideline's central 'do not' holds whatever the history, even after every other option failed."""
    rec = recommend(MMN, CASES[name].patient)
    assert not NOT_RECOMMENDED & set(rec.therapies)
    assert set(rec.avoid) >= NOT_RECOMMENDED


def test_history_moves_the_pathway() -> None:
    """The same patient, one outcome of IVIG changed at a time, ends at a different step."""
    ends = {
        outcome: last_node(recommend(MMN, mmn(history={"ivig": outcome})))
        for outcome in ("response", "relapse_on_taper", "partial", "no_response", "intolerant")
    }
    assert ends["response"] == ends["relapse_on_taper"] == "maintenance"
    assert ends["partial"] == "maintenance_insufficient"
    assert ends["no_response"] == ends["intolerant"] == "consider_cyclophosphamide"
    untreated = last_node(recommend(MMN, mmn()))
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
    message = refusal(MMN, patient)
    assert field in message
    if given is not None:
        assert given in message
