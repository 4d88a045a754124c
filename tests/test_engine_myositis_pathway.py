"""Every branch of the inflammatory myopathies pathway, reached by a patient: what it offers, avoids, warns.

The cases describe patients the way the chapter (book/inflammatory-myopathies.md) and the quiz do; each
asserts the node the walk must reach and what a reader should see there. ``test_pathways_common.py``
checks that the cases together walk every edge of the graph, so a new branch cannot be added without a case.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from pathway_helpers import Case, check_case, last_node, path_ids, refusal

from nmd_immuno import PatientError, recommend

MYO = "myositis"
IMMUNOTHERAPIES = {
    "corticosteroids",
    "methotrexate",
    "azathioprine",
    "mycophenolate",
    "tacrolimus",
    "cyclosporine",
    "cyclophosphamide",
    "ivig",
    "rituximab",
    "jak_inhibitor",
}


def pt(subtype: str = "pm", **changes: Any) -> dict[str, Any]:
    """A 52-year-old woman with moderate myositis of ``subtype``; keyword arguments change or add fields."""
    patient: dict[str, Any] = {"age": 52, "sex": "female", "subtype": subtype, "severity": "moderate"}
    patient.update(changes)
    return patient


CASES: dict[str, Case] = {
    "ibm_severe_still_no_immunotherapy": Case(
        pt("ibm", severity="severe", ild="chronic", antibody="other", statin_exposure=True),
        "ibm_supportive",
        exactly={"exercise_rehabilitation", "supportive_care"},
        avoid={"ivig", "corticosteroids"},
        warning="swallowing",
    ),
    "ici_moderate": Case(
        pt("ici"),
        "ici_initial",
        exactly={"stop_checkpoint_inhibitor", "corticosteroids"},
        warning="troponin",
    ),
    # ASCO grade 1: continue the inhibitor with monitoring; no hold, no corticosteroids.
    "ici_mild_is_monitored": Case(
        pt("ici", severity="mild"),
        "ici_mild",
        exactly={"observation"},
        not_offered={"stop_checkpoint_inhibitor", "corticosteroids", "ivig"},
        warning="continued with monitoring",
    ),
    # Controlled on corticosteroids: taper them, the inhibitor stays on hold, no IVIG or plasma exchange.
    "ici_controlled_tapers": Case(
        pt("ici", severity="severe", history={"corticosteroids": "response"}),
        "ici_taper",
        exactly={"stop_checkpoint_inhibitor", "corticosteroids"},
        warning="never after myocardial involvement",
    ),
    "ici_severe": Case(
        pt("ici", severity="severe"),
        "ici_initial",
        exactly={"stop_checkpoint_inhibitor", "corticosteroids", "ivig", "plasma_exchange"},
        warning="permanently",
    ),
    "ici_steroids_not_enough": Case(
        pt("ici", history={"corticosteroids": "partial"}),
        "ici_escalate",
        offers={"ivig", "plasma_exchange", "stop_checkpoint_inhibitor", "corticosteroids"},
        warning="myocarditis",
    ),
    "ici_keeps_its_path_with_rapidly_progressive_ild": Case(
        pt("ici", ild="rapidly_progressive"),
        "ici_initial",
        not_offered={"tacrolimus", "cyclophosphamide"},
        warning="pneumonitis",
    ),
    # Rapidly progressive ILD without anti-MDA5: urgent combination (ACR/CHEST menu), not standard induction.
    "rp_ild_antisynthetase": Case(
        pt("asys", antibody="pl7", ild="rapidly_progressive"),
        "rp_ild",
        offers={"corticosteroids", "tacrolimus", "mycophenolate", "cyclophosphamide"},
        not_offered={"methotrexate", "jak_inhibitor"},
        avoid={"methotrexate"},
        warning="IV methylprednisolone pulses",
    ),
    "rp_ild_seronegative_asks_for_mda5": Case(
        pt("pm", ild="rapidly_progressive"), "rp_ild", offers={"corticosteroids"}, warning="anti-MDA5"
    ),
    # IBM: the no-immunotherapy rule yields to the lung emergency, with a warning to recheck the diagnosis.
    "rp_ild_in_ibm_is_treated_for_the_lung": Case(
        pt("ibm", ild="rapidly_progressive"),
        "rp_ild",
        offers={"corticosteroids", "cyclophosphamide"},
        warning="treat the lung, not the muscle",
    ),
    "mda5_rp_ild": Case(
        pt("dm", antibody="mda5", ild="rapidly_progressive"),
        "mda5_rp_ild",
        exactly={"corticosteroids", "tacrolimus", "cyclophosphamide"},
        warning="Cytomegalovirus",
    ),
    "mda5_worsening_adds_plasma_exchange": Case(
        pt("dm", antibody="mda5", ild="rapidly_progressive", history={"cyclophosphamide": "no_response"}),
        "mda5_rp_ild",
        offers={"plasma_exchange", "tacrolimus"},
        not_offered={"cyclophosphamide"},
    ),
    "mda5_chronic_ild_general_dm": Case(
        pt("dm", antibody="mda5", ild="chronic"),
        "dm_induction",
        offers={"corticosteroids", "mycophenolate", "tacrolimus"},
        not_offered={"methotrexate", "cyclophosphamide", "ivig"},
        avoid={"methotrexate"},
    ),
    # IVIG at induction only when severe or steroids are not possible; otherwise at the refractory step.
    "dm_untreated": Case(
        pt("dm", antibody="mi2"),
        "dm_induction",
        offers={"corticosteroids", "methotrexate", "hydroxychloroquine", "exercise_rehabilitation"},
        not_offered={"rituximab", "jak_inhibitor", "ivig"},
        warning="6 weeks",
    ),
    "dm_steroids_contraindicated_adds_ivig": Case(
        pt("dm", history={"corticosteroids": "contraindicated"}),
        "dm_induction",
        offers={"ivig", "methotrexate"},
        not_offered={"corticosteroids"},
    ),
    "dm_tif1g_severe": Case(
        pt("dm", antibody="tif1g", severity="severe", age=58),
        "dm_induction",
        offers={"corticosteroids", "ivig"},
        warning="PET-CT",
    ),
    "asys_with_ild": Case(
        pt("asys", antibody="jo1", ild="chronic"),
        "general_induction",
        offers={"corticosteroids", "mycophenolate", "azathioprine", "tacrolimus"},
        not_offered={"methotrexate", "ivig"},
        avoid={"methotrexate"},
        warning="first-line",
    ),
    "pm_no_ild": Case(
        pt("pm"),
        "general_induction",
        offers={"corticosteroids", "methotrexate", "exercise_rehabilitation"},
        not_offered={"ivig", "rituximab"},
    ),
    "pm_severe_adds_ivig": Case(
        pt("pm", severity="severe"),
        "general_induction",
        offers={"ivig", "corticosteroids"},
        warning="methylprednisolone",
    ),
    "steroids_contraindicated_adds_ivig": Case(
        pt("asys", antibody="pl7", history={"corticosteroids": "contraindicated"}),
        "general_induction",
        offers={"ivig", "methotrexate"},
        not_offered={"corticosteroids"},
        avoid={"corticosteroids"},
    ),
    "relapse_on_taper_gets_sparing_agent": Case(
        pt("pm", history={"corticosteroids": "relapse_on_taper"}),
        "general_induction",
        offers={"methotrexate", "azathioprine", "corticosteroids"},
    ),
    "hmgcr_statin_naive": Case(
        pt("imnm", antibody="hmgcr", age=30),
        "imnm_hmgcr",
        offers={"ivig", "corticosteroids"},
        not_offered={"statin_withdrawal"},
    ),
    "srp": Case(
        pt("imnm", antibody="srp", age=39),
        "imnm_srp",
        offers={"rituximab", "corticosteroids", "methotrexate"},
        not_offered={"ivig"},
        warning="hepatitis B",
    ),
    "srp_severe": Case(
        pt("imnm", antibody="srp", severity="severe"), "imnm_srp", offers={"rituximab", "ivig"}
    ),
    "seronegative_imnm_general": Case(
        pt("imnm", antibody="none", statin_exposure=True),
        "general_induction",
        not_offered={"statin_withdrawal", "rituximab"},
    ),
    "at_goal_continues": Case(
        pt("dm", history={"corticosteroids": "response", "methotrexate": "response"}),
        "maintenance",
        exactly={"corticosteroids", "methotrexate", "exercise_rehabilitation"},
    ),
    "ivig_response_after_refractory_continues": Case(
        pt("dm", history={"corticosteroids": "partial", "methotrexate": "partial", "ivig": "response"}),
        "maintenance",
        offers={"ivig", "methotrexate", "corticosteroids"},
        not_offered={"rituximab", "jak_inhibitor"},
    ),
    "refractory_dm": Case(
        pt("dm", history={"corticosteroids": "partial", "methotrexate": "no_response"}),
        "refractory_dm",
        offers={"ivig", "rituximab", "jak_inhibitor", "corticosteroids"},
        not_offered={"methotrexate", "cyclophosphamide"},
        warning="off label",
    ),
    "refractory_dm_after_ivig_failed": Case(
        pt("dm", history={"corticosteroids": "partial", "azathioprine": "intolerant", "ivig": "no_response"}),
        "refractory_dm",
        offers={"rituximab", "jak_inhibitor"},
        not_offered={"ivig", "azathioprine"},
        avoid={"azathioprine"},
    ),
    "refractory_asys_ild": Case(
        pt(
            "asys",
            antibody="jo1",
            ild="chronic",
            history={"corticosteroids": "partial", "mycophenolate": "partial"},
        ),
        "refractory_other",
        offers={"rituximab", "ivig", "cyclophosphamide", "mycophenolate"},
        not_offered={"jak_inhibitor"},
        warning="pulmonologist",
    ),
    "refractory_imnm": Case(
        pt(
            "imnm",
            antibody="hmgcr",
            history={"corticosteroids": "relapse_on_taper", "methotrexate": "partial"},
        ),
        "refractory_other",
        offers={"ivig", "rituximab"},
        not_offered={"cyclophosphamide"},
    ),
    "pregnant": Case(
        pt("dm", pregnant=True, age=30, severity="severe"),
        "dm_induction",
        offers={"corticosteroids", "azathioprine", "ivig"},
        not_offered={"methotrexate", "mycophenolate"},
        avoid={"methotrexate", "mycophenolate", "cyclophosphamide", "jak_inhibitor"},
        warning="teratogenic",
    ),
    # Refractory DM in pregnancy: no JAK inhibitor; rituximab stays, with its pregnancy warning.
    "pregnant_refractory_dm": Case(
        pt(
            "dm",
            pregnant=True,
            age=30,
            history={"corticosteroids": "partial", "azathioprine": "no_response"},
        ),
        "refractory_dm",
        offers={"ivig", "rituximab"},
        not_offered={"jak_inhibitor"},
        avoid={"jak_inhibitor"},
        warning="B-cell lymphocytopenia",
    ),
    "juvenile": Case(
        pt("dm", age=12, antibody="nxp2"),
        "dm_induction",
        warning="does not recommend routine cancer screening",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_branch(name: str) -> None:
    check_case(MYO, name, CASES[name])


def test_no_immunotherapy_is_ever_offered_in_ibm() -> None:
    """Whatever else is recorded (severity, chronic ILD, antibody, treatment): no immunotherapy in IBM."""
    for severity, ild, antibody in itertools.product(
        ("mild", "moderate", "severe"), ("none", "chronic"), ("none", "other")
    ):
        for history in ({}, {"corticosteroids": "partial", "methotrexate": "partial"}, {"ivig": "response"}):
            rec = recommend(MYO, pt("ibm", severity=severity, ild=ild, antibody=antibody, history=history))
            assert not IMMUNOTHERAPIES & set(rec.therapies), (severity, ild, history, rec.therapies)
            assert set(rec.avoid) >= IMMUNOTHERAPIES, (severity, ild, history, rec.avoid)


def test_rapidly_progressive_ild_is_never_left_without_treatment() -> None:
    """An emergency: outside checkpoint-inhibitor myositis, every subtype is offered corticosteroids and a
    combination partner, and nothing it needs is on the avoid list (the IBM rule yields)."""
    antibodies = {"dm": "none", "asys": "jo1", "imnm": "hmgcr", "pm": "none", "ibm": "none"}
    for subtype, antibody in antibodies.items():
        rec = recommend(MYO, pt(subtype, antibody=antibody, ild="rapidly_progressive", severity="severe"))
        path = path_ids(rec)
        assert "rp_ild" in path and "ibm_no_immunotherapy" not in path, (subtype, path)
        assert "corticosteroids" in rec.therapies, subtype
        assert {"tacrolimus", "cyclophosphamide", "mycophenolate"} & set(rec.therapies), subtype
        assert not {"corticosteroids", "tacrolimus", "cyclophosphamide"} & set(rec.avoid), subtype


def test_ivig_at_dm_induction_follows_severity_and_steroids() -> None:
    """ProDERM tested IVIG in active disease: at induction, offered when severe or steroids are impossible."""

    def ivig_offered(**changes: Any) -> bool:
        return "ivig" in recommend(MYO, pt("dm", **changes)).therapies

    assert not ivig_offered() and not ivig_offered(severity="mild")
    assert ivig_offered(severity="severe")
    assert ivig_offered(history={"corticosteroids": "intolerant"})
    dm = recommend(MYO, pt("dm", severity="severe"))
    step = next(s for s in dm.path if s.id == "dm_induction")
    assert {"dalakas1993ivigdm", "aggarwal2022proderm"} <= set(step.references)
    assert "still being checked" not in step.rationale


def test_checkpoint_inhibitor_stop_follows_asco_grades() -> None:
    """Hold from grade 2; grade 3-4: consider a permanent stop; permanent stop with myocardial involvement."""
    moderate = " ".join(recommend(MYO, pt("ici")).warnings)
    severe = " ".join(recommend(MYO, pt("ici", severity="severe")).warnings)
    for text in (moderate, severe):
        assert "Hold the checkpoint inhibitor from grade 2" in text
        assert "consider stopping it permanently" in text
        assert "stop it permanently with any myocardial involvement" in text
        assert "permanently with myocarditis or severe" not in text
    mild = recommend(MYO, pt("ici", severity="mild"))
    assert "stop_checkpoint_inhibitor" not in mild.therapies and "corticosteroids" not in mild.therapies
    assert any("myocarditis" in w for w in mild.warnings)


def test_ici_history_moves_the_pathway() -> None:
    def end(severity: str, history: dict[str, str]) -> str:
        return last_node(recommend(MYO, pt("ici", severity=severity, history=history)))

    assert end("mild", {}) == "ici_mild"
    assert end("moderate", {}) == end("severe", {}) == "ici_initial"
    assert end("severe", {"corticosteroids": "partial"}) == "ici_escalate"
    assert end("severe", {"corticosteroids": "partial", "ivig": "response"}) == "ici_taper"
    assert end("moderate", {"corticosteroids": "response"}) == "ici_taper"


# Combinations the course's classification rules out (data/patient_fields.yaml, constraints).
MSA = ("jo1", "pl7", "pl12", "mda5", "tif1g", "nxp2", "mi2", "sae", "hmgcr", "srp")
REFUSED = [
    *[("ibm", antibody) for antibody in MSA],
    *[("ici", antibody) for antibody in MSA],
    *[("asys", antibody) for antibody in ("none", "mda5", "tif1g", "nxp2", "mi2", "sae", "hmgcr", "srp")],
    *[("imnm", antibody) for antibody in ("jo1", "pl7", "pl12", "mda5", "tif1g", "nxp2", "mi2", "sae")],
    *[("dm", antibody) for antibody in ("jo1", "pl7", "pl12", "hmgcr", "srp")],
]


@pytest.mark.parametrize(("subtype", "antibody"), REFUSED)
def test_subtype_and_antibody_that_contradict_each_other_are_refused(subtype: str, antibody: str) -> None:
    message = refusal(MYO, pt(subtype, antibody=antibody))
    assert message.startswith("subtype/antibody: invalid combination")
    assert f"subtype={subtype!r}" in message and f"antibody={antibody!r}" in message
    assert "choose antibody" in message  # says what is allowed


def test_every_subtype_antibody_pair_not_refused_is_accepted() -> None:
    """The constraints refuse exactly the listed pairs: polymyositis and 'other' stay open."""
    subtypes = ("dm", "asys", "imnm", "pm", "ibm", "ici")
    antibodies = ("none", "other", *MSA)
    for subtype, antibody in itertools.product(subtypes, antibodies):
        if (subtype, antibody) in REFUSED:
            continue
        assert recommend(MYO, pt(subtype, antibody=antibody)).path, (subtype, antibody)


def test_history_moves_the_pathway() -> None:
    """Untreated -> induction; steroids and one agent not enough -> refractory; success -> maintenance."""

    def end(history: dict[str, str]) -> str:
        return last_node(recommend(MYO, pt("dm", history=history)))

    assert end({}) == "dm_induction"
    assert end({"corticosteroids": "partial"}) == "dm_induction"
    assert end({"corticosteroids": "partial", "mycophenolate": "no_response"}) == "refractory_dm"
    assert (
        end({"corticosteroids": "partial", "mycophenolate": "no_response", "rituximab": "response"})
        == "maintenance"
    )


def test_ild_changes_the_steroid_sparing_choice() -> None:
    without = recommend(MYO, pt("asys", antibody="jo1"))
    with_ild = recommend(MYO, pt("asys", antibody="jo1", ild="chronic"))
    assert "methotrexate" in without.therapies and "methotrexate" not in with_ild.therapies
    assert "mycophenolate" in with_ild.therapies
    assert "johnson2024acrchest_ild" in with_ild.references


def test_statin_withdrawal_only_for_anti_hmgcr_on_a_statin() -> None:
    offered = {
        (antibody, statin): "statin_withdrawal"
        in recommend(MYO, pt("imnm", antibody=antibody, statin_exposure=statin)).therapies
        for antibody in ("hmgcr", "srp", "none")
        for statin in (True, False)
    }
    assert offered == {key: key == ("hmgcr", True) for key in offered}


def test_cancer_warning_depends_on_antibody() -> None:
    def high_risk_warned(antibody: str) -> bool:
        rec = recommend(MYO, pt("dm", antibody=antibody))
        return any("high cancer risk" in w for w in rec.warnings)

    assert high_risk_warned("tif1g") and high_risk_warned("nxp2")
    assert not high_risk_warned("mi2") and not high_risk_warned("mda5")


def test_corticosteroid_dose_note_fits_age_and_subtype() -> None:
    """The BSR doses are for idiopathic myositis (adults or children), not checkpoint-inhibitor myositis."""

    def notes(patient: dict[str, Any]) -> list[str]:
        return [w for w in recommend(MYO, patient).warnings if w.startswith("Corticosteroids (BSR")]

    assert any("adults" in w and "0.5-1 mg/kg" in w for w in notes(pt("pm")))
    assert any("children" in w and "30 mg/kg" in w for w in notes(pt("dm", age=9)))
    assert notes(pt("ici", severity="severe")) == []


def test_trial_references_appear_where_the_trials_are_used() -> None:
    dm = recommend(MYO, pt("dm"))
    assert "aggarwal2022proderm" in dm.references
    refractory = recommend(MYO, pt("pm", history={"corticosteroids": "partial", "methotrexate": "partial"}))
    assert "oddis2013rim" in refractory.references
    ibm = recommend(MYO, pt("ibm"))
    assert {"machado2023arimoclomol", "hanna2019resilient"} <= set(ibm.references)
    ici = recommend(MYO, pt("ici"))
    assert "schneider2021asco" in ici.references


@pytest.mark.parametrize(
    ("patient", "field", "value"),
    [
        ({"age": 50, "subtype": "polymyalgia", "severity": "mild"}, "subtype", "polymyalgia"),
        (
            {"age": 50, "subtype": "dm", "severity": "mild", "antibody": "anti-tif1g"},
            "antibody",
            "anti-tif1g",
        ),
        ({"age": 50, "subtype": "dm", "severity": "mild", "ild": "fibrosis"}, "ild", "fibrosis"),
        ({"age": 50, "subtype": "dm", "severity": "critical"}, "severity", "critical"),
        (
            {"age": 50, "subtype": "dm", "severity": "mild", "statin_exposure": "yes"},
            "statin_exposure",
            "yes",
        ),
        ({"age": 50, "subtype": "dm", "severity": "mild", "history": {"ivig": "great"}}, "ivig", "great"),
    ],
)
def test_bad_input_names_the_field_and_value(patient: dict[str, Any], field: str, value: str) -> None:
    message = refusal(MYO, patient)
    assert field in message and value in message


def test_missing_required_field_is_refused() -> None:
    with pytest.raises(PatientError, match="subtype"):
        recommend(MYO, {"age": 50, "severity": "mild"})
    with pytest.raises(PatientError, match="severity"):
        recommend(MYO, {"age": 50, "subtype": "dm"})
