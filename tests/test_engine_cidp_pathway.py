"""Every branch of the CIDP and autoimmune nodopathy pathway, reached by a patient, with what it offers,
avoids and warns.

The cases describe patients the way the chapter does; each asserts the node the walk must reach and what a
reader should see there. ``test_pathways_common.py`` makes sure the cases together walk every edge of
the pathway graph, so a new branch cannot be added without a test.
"""

from __future__ import annotations

from typing import Any

import pytest
from pathway_helpers import Case, check_case, last_node, path_ids, refusal

from nmd_immuno import PatientError, recommend

CIDP = "cidp"


def cidp(**changes: Any) -> dict[str, Any]:
    """A 55-year-old woman with typical CIDP of moderate severity, nodal antibodies negative, untreated."""
    patient: dict[str, Any] = {
        "age": 55,
        "sex": "female",
        "variant": "typical",
        "nodal_antibody": "none",
        "severity": "moderate",
        "history": {},
    }
    patient.update(changes)
    return patient


FAILED_ALL = {"ivig": "no_response", "corticosteroids": "no_response", "plasma_exchange": "no_response"}
FIRST_LINE_FAILED = {"ivig": "no_response", "corticosteroids": "no_response"}


CASES: dict[str, Case] = {
    "untreated_typical": Case(cidp(), "induction", exactly={"ivig", "corticosteroids"}, warning="INCAT"),
    "untreated_severe_gets_plex_bridge": Case(
        cidp(severity="severe"),
        "induction",
        offers={"ivig", "corticosteroids", "plasma_exchange"},
        warning="Severe",
    ),
    "motor_ivig_first": Case(
        cidp(variant="motor"), "induction", exactly={"ivig"}, warning="corticosteroids may worsen"
    ),
    "motor_after_ivig_failed": Case(
        cidp(variant="motor", history={"ivig": "no_response"}),
        "switch_first_line",
        offers={"corticosteroids", "plasma_exchange"},
        not_offered={"ivig"},
        warning="watch closely",
    ),
    "ivig_failed_try_steroids": Case(
        cidp(history={"ivig": "no_response"}), "switch_first_line", exactly={"corticosteroids"}
    ),
    "steroids_intolerant_try_ivig": Case(
        cidp(history={"corticosteroids": "intolerant"}),
        "switch_first_line",
        exactly={"ivig"},
        avoid={"corticosteroids"},
    ),
    "untested_antibodies_after_failure": Case(
        cidp(nodal_antibody="unknown", history={"ivig": "no_response"}),
        "switch_first_line",
        warning="paranodal antibodies",
    ),
    "both_first_line_failed": Case(
        cidp(history=FIRST_LINE_FAILED),
        "plasma_exchange_step",
        exactly={"plasma_exchange"},
        warning="POEMS",
    ),
    "both_first_line_not_tolerated_scig_offered": Case(
        cidp(history={"ivig": "intolerant", "corticosteroids": "intolerant"}),
        "plasma_exchange_step",
        exactly={"plasma_exchange", "scig"},
        avoid={"ivig", "corticosteroids"},
        warning="could not be used",
    ),
    "efgartigimod_partial_after_first_line_failed": Case(
        cidp(history={**FIRST_LINE_FAILED, "efgartigimod": "partial"}),
        "plasma_exchange_step",
        exactly={"plasma_exchange", "efgartigimod"},
    ),
    "scig_works_after_ivig_intolerance_and_steroid_failure": Case(
        cidp(history={"ivig": "intolerant", "corticosteroids": "no_response", "scig": "response"}),
        "maintenance",
        exactly={"scig"},
        avoid={"ivig"},
    ),
    "efgartigimod_works_after_first_line_failed": Case(
        cidp(history={**FIRST_LINE_FAILED, "efgartigimod": "response"}),
        "maintenance",
        exactly={"efgartigimod"},
    ),
    "efgartigimod_works_after_everything_failed": Case(
        cidp(history={**FAILED_ALL, "efgartigimod": "response"}),
        "maintenance",
        exactly={"efgartigimod"},
    ),
    "efgartigimod_dependent_after_everything_failed": Case(
        cidp(history={**FAILED_ALL, "efgartigimod": "relapse_on_taper"}),
        "maintenance_dependent",
        offers={"efgartigimod"},
        not_offered={"rituximab", "plasma_exchange"},
    ),
    "plasma_exchange_dependent_and_efgartigimod_works": Case(
        cidp(
            history={**FIRST_LINE_FAILED, "plasma_exchange": "relapse_on_taper", "efgartigimod": "response"}
        ),
        "maintenance",
        exactly={"plasma_exchange", "efgartigimod"},
    ),
    "refractory_efgartigimod_partial": Case(
        cidp(history={**FAILED_ALL, "efgartigimod": "partial"}),
        "refractory",
        offers={"efgartigimod", "rituximab"},
    ),
    "refractory": Case(
        cidp(history=FAILED_ALL),
        "refractory",
        offers={"rituximab", "cyclophosphamide"},
        not_offered={"ivig", "corticosteroids", "plasma_exchange", "methotrexate"},
        warning="re-check the diagnosis",
    ),
    "refractory_rituximab_works": Case(
        cidp(history={**FAILED_ALL, "rituximab": "response"}), "refractory", offers={"rituximab"}
    ),
    "ivig_responder": Case(
        cidp(history={"ivig": "response"}),
        "maintenance",
        exactly={"ivig", "scig"},
        warning="did not deteriorate",
    ),
    "steroid_responder_remission_note": Case(
        cidp(history={"corticosteroids": "response"}),
        "maintenance",
        exactly={"corticosteroids"},
        warning="38.1%",
    ),
    "partial_ivig_add_steroids": Case(
        cidp(history={"ivig": "partial"}),
        "maintenance",
        offers={"ivig", "corticosteroids", "scig"},
        warning="Partial response",
    ),
    "efgartigimod_works": Case(
        cidp(history={"efgartigimod": "response"}), "maintenance", offers={"efgartigimod"}
    ),
    "ivig_dependent": Case(
        cidp(history={"ivig": "relapse_on_taper"}),
        "maintenance_dependent",
        exactly={"ivig", "scig", "efgartigimod"},
        warning="48%",
    ),
    "steroid_dependent": Case(
        cidp(history={"corticosteroids": "relapse_on_taper"}),
        "maintenance_dependent",
        offers={"corticosteroids", "efgartigimod"},
        not_offered={"scig"},
        warning="RMC",
    ),
    "nf155": Case(
        cidp(nodal_antibody="nf155", history={"ivig": "no_response"}),
        "nodopathy",
        exactly={"rituximab"},
        warning="neurofilament",
    ),
    "cntn1": Case(cidp(nodal_antibody="cntn1"), "nodopathy", exactly={"rituximab"}),
    "nf186_emergency": Case(
        cidp(nodal_antibody="nf186", severity="severe"),
        "nodopathy",
        exactly={"rituximab", "plasma_exchange", "ivig"},
        warning="emergency",
    ),
    "nf155_severe_bridge_after_ivig_failed": Case(
        cidp(nodal_antibody="nf155", severity="severe", history={"ivig": "no_response"}),
        "nodopathy",
        exactly={"rituximab", "plasma_exchange"},
        warning="bridge",
    ),
    "child_ivig_dependent_no_efgartigimod": Case(
        cidp(age=8, history={"ivig": "relapse_on_taper"}),
        "maintenance_dependent",
        exactly={"ivig", "scig"},
        avoid={"efgartigimod"},
        warning="Under 18",
    ),
    "distal_paraprotein": Case(cidp(variant="distal"), "induction", warning="anti-MAG"),
    "pregnant_refractory": Case(
        cidp(pregnant=True, history=FAILED_ALL),
        "refractory",
        offers={"rituximab", "azathioprine"},
        not_offered={"mycophenolate", "cyclophosphamide"},
        avoid={"mycophenolate", "cyclophosphamide", "methotrexate"},
        warning="teratogenic",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_branch(name: str) -> None:
    check_case(CIDP, name, CASES[name])


def test_history_moves_the_pathway_forward() -> None:
    """Untreated -> one first-line treatment failed -> both failed -> plasma exchange failed: each moves."""
    histories = [
        {},
        {"ivig": "no_response"},
        {"ivig": "no_response", "corticosteroids": "no_response"},
        FAILED_ALL,
    ]
    ends = [last_node(recommend(CIDP, cidp(history=h))) for h in histories]
    assert ends == ["induction", "switch_first_line", "plasma_exchange_step", "refractory"]
    assert len(set(ends)) == len(ends)


@pytest.mark.parametrize(
    "background",
    [
        FIRST_LINE_FAILED,
        FAILED_ALL,
        {"ivig": "intolerant", "corticosteroids": "no_response"},
        {"ivig": "no_response", "corticosteroids": "intolerant", "plasma_exchange": "intolerant"},
    ],
)
@pytest.mark.parametrize("outcome", ["response", "partial", "relapse_on_taper"])
@pytest.mark.parametrize("therapy", ["scig", "efgartigimod", "rituximab"])
def test_a_treatment_that_works_is_never_dropped(
    background: dict[str, str], outcome: str, therapy: str
) -> None:
    """Whatever failed before, a treatment recorded as working (fully, partly, or needed because the patient
    worsens when it is reduced) stays on offer."""
    rec = recommend(CIDP, cidp(history={**background, therapy: outcome}))
    assert therapy in rec.therapies, path_ids(rec)


def test_intolerance_is_not_reported_as_a_failed_response() -> None:
    intolerant = recommend(CIDP, cidp(history={"ivig": "intolerant", "corticosteroids": "intolerant"}))
    failed = recommend(CIDP, cidp(history=FIRST_LINE_FAILED))
    assert not any("No response to IVIG" in w for w in intolerant.warnings)
    assert any("No response to IVIG" in w for w in failed.warnings)
    assert not any("could not be used" in w for w in failed.warnings)
    assert "scig" in intolerant.therapies and "scig" not in failed.therapies


def test_efgartigimod_is_offered_to_adults_only() -> None:
    for age, offered in ((8, False), (17, False), (18, True), (70, True)):
        rec = recommend(CIDP, cidp(age=age, history={"ivig": "relapse_on_taper"}))
        assert ("efgartigimod" in rec.therapies) is offered, age
        assert ("efgartigimod" in rec.avoid) is not offered, age


def test_nodopathy_bridge_only_when_severe() -> None:
    for severity, bridged in (("mild", False), ("moderate", False), ("severe", True)):
        rec = recommend(CIDP, cidp(nodal_antibody="cntn1", severity=severity))
        assert "rituximab" in rec.therapies
        assert ({"plasma_exchange", "ivig"} <= set(rec.therapies)) is bridged, severity


def test_dependence_differs_from_a_response() -> None:
    """Worsening on dose reduction opens the alternatives (SCIG, efgartigimod); a stable response invites a
    withdrawal attempt instead."""
    dependent = recommend(CIDP, cidp(history={"ivig": "relapse_on_taper"}))
    stable = recommend(CIDP, cidp(history={"ivig": "response"}))
    assert "efgartigimod" in dependent.therapies and "efgartigimod" not in stable.therapies
    assert any("ongoing need" in w for w in stable.warnings)
    assert not any("ongoing need" in w for w in dependent.warnings)


def test_nodopathy_takes_precedence_over_the_cidp_sequence() -> None:
    for antibody in ("nf155", "cntn1", "caspr1", "nf186"):
        rec = recommend(CIDP, cidp(nodal_antibody=antibody))
        path = path_ids(rec)
        assert "nodopathy" in path and "induction" not in path, antibody
        assert "rituximab" in rec.therapies and "ivig" not in rec.therapies, antibody
    for antibody in ("none", "unknown"):
        assert "induction" in path_ids(recommend(CIDP, cidp(nodal_antibody=antibody)))


def test_motor_cidp_never_starts_with_corticosteroids() -> None:
    for severity in ("mild", "moderate", "severe"):
        rec = recommend(CIDP, cidp(variant="motor", severity=severity))
        assert "corticosteroids" not in rec.therapies and "ivig" in rec.therapies
    for variant in ("typical", "distal", "multifocal", "focal", "sensory"):
        assert "corticosteroids" in recommend(CIDP, cidp(variant=variant)).therapies, variant


def test_nodal_antibody_defaults_to_not_tested() -> None:
    patient = cidp(history={"ivig": "no_response", "corticosteroids": "no_response"})
    del patient["nodal_antibody"]
    rec = recommend(CIDP, patient)
    assert any("have not been tested" in w for w in rec.warnings)


def test_trial_evidence_is_cited_where_it_is_used() -> None:
    steps = {s.id: s for s in recommend(CIDP, cidp(history={"ivig": "relapse_on_taper"})).path}
    assert {"vanschaik2018path", "allen2024adhere"} <= set(steps["maintenance_dependent"].references)
    steps = {s.id: s for s in recommend(CIDP, cidp(history=FAILED_ALL)).path}
    assert {"rmc2009methotrexate", "hughes2018forcidp"} <= set(steps["refractory"].references)
    steps = {s.id: s for s in recommend(CIDP, cidp(nodal_antibody="nf155")).path}
    assert "martinaguilar2022nf155" in steps["nodopathy"].references


@pytest.mark.parametrize(
    ("change", "field_name", "value"),
    [
        ({"variant": "atypical"}, "variant", "atypical"),
        ({"nodal_antibody": "mag"}, "nodal_antibody", "mag"),
        ({"severity": "extreme"}, "severity", "extreme"),
        ({"history": {"ivig": "worked"}}, "ivig", "worked"),
        ({"antibody": "achr"}, "antibody", "nodal_antibody"),  # unknown field: named, with the allowed ones
    ],
)
def test_bad_input_names_the_field_and_the_value(change: dict[str, Any], field_name: str, value: str) -> None:
    message = refusal(CIDP, cidp(**change))
    assert field_name in message and value in message


def test_missing_required_field_is_named() -> None:
    patient = cidp()
    del patient["variant"]
    with pytest.raises(PatientError, match="variant"):
        recommend(CIDP, patient)
