"""Every branch of the paraproteinemic-neuropathy pathway, reached by a patient, with what it offers,
avoids and warns.

The cases describe patients the way the chapter does; each asserts the node the walk must reach and what a
reader should see there. ``test_pathways_common.py`` makes sure the cases together walk every edge of
the pathway graph, so a new branch cannot be added without a test.
"""

from __future__ import annotations

from typing import Any

import pytest
from pathway_helpers import Case, check_case, last_node, refusal

from nmd_immuno import PatientError, recommend
from nmd_immuno.engine import preset_patients

PN = "paraproteinemic"


def pn(syndrome: str = "anti_mag", **changes: Any) -> dict[str, Any]:
    """A 65-year-old man with a mild, stable neuropathy of the given syndrome; keywords change fields."""
    patient: dict[str, Any] = {
        "age": 65,
        "sex": "male",
        "syndrome": syndrome,
        "severity": "mild",
        "progression": "stable",
        "history": {},
    }
    patient.update(changes)
    return patient


CASES: dict[str, Case] = {
    # IgM with anti-MAG: observe while mild and stable; treat when disabling or progressive.
    "anti_mag_mild_stable_observed": Case(
        pn(), "igm_observe", exactly=["observation"], avoid={"plasma_exchange"}, warning="haematology"
    ),
    "anti_mag_progressive_gets_rituximab": Case(
        pn(progression="progressive"),
        "igm_rituximab",
        exactly=["rituximab"],
        avoid={"plasma_exchange"},
        warning="hepatitis B",
    ),
    "anti_mag_severe_but_stable_is_treated": Case(
        pn(severity="severe"), "igm_rituximab", offers={"rituximab"}
    ),
    "igm_non_mag_rituximab_is_extrapolated": Case(
        pn("igm_non_mag", severity="moderate"),
        "igm_rituximab",
        offers={"rituximab"},
        avoid={"plasma_exchange"},
        warning="extrapolation",
    ),
    "anti_mag_after_rituximab_response": Case(
        pn(severity="moderate", history={"rituximab": "response"}),
        "igm_rituximab_followup",
        exactly=["observation"],
    ),
    "anti_mag_rituximab_failed_moves_to_ivig": Case(
        pn(severity="moderate", progression="progressive", history={"rituximab": "no_response"}),
        "igm_after_rituximab",
        exactly=["ivig"],
        not_offered={"rituximab", "plasma_exchange"},
        warning="hyperviscosity",
    ),
    "anti_mag_rituximab_intolerant": Case(
        pn(severity="moderate", history={"rituximab": "intolerant"}),
        "igm_after_rituximab",
        offers={"ivig"},
        avoid={"rituximab", "plasma_exchange"},
    ),
    # The need for treatment is judged first: mild and stable stays on observation even without rituximab.
    "anti_mag_mild_stable_rituximab_contraindicated_observed": Case(
        pn(history={"rituximab": "contraindicated"}),
        "igm_observe",
        exactly=["observation"],
        not_offered={"ivig"},
        avoid={"rituximab"},
    ),
    # IgG or IgA MGUS with a CIDP-like neuropathy: treated as CIDP.
    "igg_untreated_cidp_induction": Case(
        pn("igg_iga_mgus", severity="moderate", progression="progressive"),
        "igg_iga_induction",
        exactly=["ivig", "corticosteroids", "plasma_exchange"],
        warning="boxed warning",
    ),
    "igg_mild_stable_says_the_step_assumes_disability": Case(
        pn("igg_iga_mgus"),
        "igg_iga_induction",
        offers={"ivig"},
        warning="assumes a neuropathy that limits function",
    ),
    "igg_ivig_failed_raises_poems": Case(
        pn("igg_iga_mgus", severity="moderate", history={"ivig": "no_response"}),
        "igg_iga_induction",
        offers={"corticosteroids", "plasma_exchange"},
        not_offered={"ivig"},
        warning="POEMS is often misdiagnosed as CIDP",
    ),
    "igg_ivig_works_is_continued": Case(
        pn("igg_iga_mgus", severity="moderate", history={"ivig": "relapse_on_taper"}),
        "igg_iga_maintenance",
        exactly=["ivig"],
    ),
    "igg_both_first_line_failed": Case(
        pn(
            "igg_iga_mgus",
            severity="severe",
            history={"ivig": "no_response", "corticosteroids": "intolerant"},
        ),
        "igg_iga_refractory",
        exactly=["plasma_exchange"],
        avoid={"corticosteroids"},
        warning="look for POEMS",
    ),
    # POEMS: treat the clone, not like CIDP.
    "poems_limited_lesion_radiotherapy": Case(
        pn("poems", severity="moderate", bone_lesions="limited", history={"ivig": "no_response"}),
        "poems_radiotherapy",
        exactly=["radiotherapy"],
        avoid={"ivig", "plasma_exchange", "corticosteroids"},
        warning="bone-marrow biopsy",
    ),
    "poems_widespread_systemic": Case(
        pn("poems", severity="severe", bone_lesions="widespread"),
        "poems_systemic",
        exactly=["lenalidomide", "autologous_sct"],
        not_offered={"radiotherapy", "ivig"},
        warning="thromboprophylaxis",
    ),
    # Pregnancy: no lenalidomide, no high-dose chemotherapy with transplant; radiotherapy only with a warning.
    "poems_widespread_pregnant": Case(
        pn("poems", sex="female", age=34, pregnant=True, severity="severe", bone_lesions="widespread"),
        "poems_systemic",
        exactly=[],
        not_offered={"lenalidomide", "autologous_sct", "ivig"},
        avoid={"lenalidomide", "autologous_sct"},
        warning="embryo-fetal toxicity",
    ),
    "poems_limited_pregnant": Case(
        pn("poems", sex="female", age=34, pregnant=True, bone_lesions="limited"),
        "poems_radiotherapy",
        exactly=["radiotherapy"],
        avoid={"lenalidomide", "autologous_sct"},
        warning="Pregnancy and radiotherapy",
    ),
    "anti_mag_pregnant_rituximab_warned": Case(
        pn(sex="female", age=34, pregnant=True, progression="progressive"),
        "igm_rituximab",
        exactly=["rituximab"],
        warning="B-cell lymphocytopenia",
    ),
    "poems_no_lesions_systemic": Case(
        pn("poems", severity="moderate"), "poems_systemic", offers={"lenalidomide", "autologous_sct"}
    ),
    "poems_radiotherapy_partial_followed": Case(
        pn("poems", bone_lesions="limited", history={"radiotherapy": "partial"}),
        "poems_radiotherapy_followup",
        offers={"supportive_care"},
        not_offered={"lenalidomide"},
        warning="3-6 months",
    ),
    "poems_progression_after_radiotherapy": Case(
        pn("poems", bone_lesions="limited", history={"radiotherapy": "no_response"}),
        "poems_systemic",
        offers={"lenalidomide", "autologous_sct"},
        not_offered={"radiotherapy"},
    ),
    "poems_on_lenalidomide_continues": Case(
        pn("poems", bone_lesions="widespread", history={"lenalidomide": "partial"}),
        "poems_systemic_continue",
        offers={"lenalidomide", "supportive_care"},
        not_offered={"ivig"},
    ),
    "poems_with_malignancy_flag_stays_poems": Case(
        pn("poems", bone_lesions="widespread", hematologic_malignancy=True),
        "poems_systemic",
        offers={"lenalidomide"},
    ),
    # CANOMAD: IVIG or rituximab.
    "canomad_untreated": Case(
        pn("canomad", severity="moderate"),
        "canomad_treat",
        exactly=["ivig", "rituximab"],
        warning="hyperviscosity",
    ),
    "canomad_ivig_failed_rituximab": Case(
        pn("canomad", history={"ivig": "no_response"}), "canomad_treat", exactly=["rituximab"]
    ),
    "canomad_ivig_dependent_adds_rituximab": Case(
        pn("canomad", history={"ivig": "relapse_on_taper"}),
        "canomad_continue",
        exactly=["rituximab", "ivig"],
    ),
    "canomad_ivig_works": Case(
        pn("canomad", history={"ivig": "response"}), "canomad_continue", exactly=["ivig"]
    ),
    # Haematological malignancy: haematology-led.
    "waldenstrom_anti_mag_rituximab_with_haematology": Case(
        pn(severity="moderate", progression="progressive", hematologic_malignancy=True),
        "haematology_led",
        exactly=["supportive_care", "rituximab"],
        not_offered={"btk_inhibitor"},
        warning="decided with haematology",
    ),
    "malignancy_igm_without_mag_haematology_led": Case(
        pn("igm_non_mag", severity="moderate", progression="progressive", hematologic_malignancy=True),
        "haematology_led",
        exactly=["supportive_care"],
        not_offered={"rituximab", "btk_inhibitor"},
        warning="chosen by haematology",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_branch(name: str) -> None:
    check_case(PN, name, CASES[name])


def test_every_patient_is_told_to_involve_haematology() -> None:
    for syndrome in ("anti_mag", "igm_non_mag", "igg_iga_mgus", "poems", "canomad"):
        rec = recommend(PN, pn(syndrome))
        assert any("involve haematology" in w for w in rec.warnings), syndrome


def test_severity_or_progression_moves_igm_from_observation_to_rituximab() -> None:
    offered = {
        (severity, progression): recommend(PN, pn(severity=severity, progression=progression)).therapies
        for severity in ("mild", "moderate", "severe")
        for progression in ("stable", "progressive")
    }
    assert offered[("mild", "stable")] == ["observation"]
    for key, therapies in offered.items():
        if key != ("mild", "stable"):
            assert therapies == ["rituximab"], key


def test_rituximab_history_moves_the_igm_pathway() -> None:
    base = {"severity": "moderate", "progression": "progressive"}
    last = {
        outcome: last_node(recommend(PN, pn(**base, history={"rituximab": outcome})))
        for outcome in ("response", "partial", "no_response", "intolerant", "contraindicated")
    }
    assert last["response"] == last["partial"] == "igm_rituximab_followup"
    assert last["no_response"] == last["intolerant"] == last["contraindicated"] == "igm_after_rituximab"


def test_plasma_exchange_split_by_paraprotein_class() -> None:
    """AAN: consider plasma exchange for IgG/IgA MGUS neuropathy, not for IgM."""
    igg = recommend(PN, pn("igg_iga_mgus", severity="moderate"))
    assert "plasma_exchange" in igg.therapies and "plasma_exchange" not in igg.avoid
    for syndrome in ("anti_mag", "igm_non_mag"):
        rec = recommend(PN, pn(syndrome, severity="moderate", history={"rituximab": "no_response"}))
        assert "plasma_exchange" in rec.avoid and "plasma_exchange" not in rec.therapies
        rule = next(s for s in rec.path if s.id == "igm_no_plasma_exchange")
        assert "cortese2011plex" in rule.references


@pytest.mark.parametrize("bone_lesions", ["none", "limited", "widespread"])
@pytest.mark.parametrize("history", [{}, {"ivig": "partial"}, {"corticosteroids": "response"}])
def test_poems_is_never_offered_cidp_treatment(bone_lesions: str, history: dict[str, str]) -> None:
    rec = recommend(PN, pn("poems", bone_lesions=bone_lesions, history=history))
    assert not {"ivig", "plasma_exchange", "corticosteroids"} & set(rec.therapies)
    assert {"ivig", "plasma_exchange", "corticosteroids"} <= set(rec.avoid)
    assert set(rec.therapies) & {"radiotherapy", "lenalidomide", "autologous_sct"}
    assert "dispenzieri2019poems" in rec.references


def test_bone_lesions_change_the_poems_offer() -> None:
    offers = {
        b: set(recommend(PN, pn("poems", bone_lesions=b)).therapies)
        for b in ("none", "limited", "widespread")
    }
    assert offers["limited"] == {"radiotherapy"}
    assert offers["none"] == offers["widespread"] == {"lenalidomide", "autologous_sct"}


@pytest.mark.parametrize("syndrome", ["anti_mag", "igm_non_mag", "igg_iga_mgus", "canomad"])
@pytest.mark.parametrize("lesions", ["limited", "widespread"])
def test_bone_lesions_outside_poems_are_refused(syndrome: str, lesions: str) -> None:
    """bone_lesions is read only in the POEMS branch: elsewhere it would be silently ignored, so refused."""
    message = refusal(PN, pn(syndrome, bone_lesions=lesions))
    assert message.startswith("bone_lesions/syndrome: invalid combination")
    assert f"bone_lesions={lesions!r}" in message and f"syndrome={syndrome!r}" in message
    assert "choose syndrome 'poems'" in message and "leave bone_lesions 'none'" in message
    assert recommend(PN, pn(syndrome, bone_lesions="none")).therapies


def test_need_for_treatment_is_judged_before_rituximab_history() -> None:
    """Mild, stable IgM neuropathy is observed whatever happened with rituximab; IVIG only when disabling."""
    for outcome in ("no_response", "intolerant", "contraindicated"):
        mild = recommend(PN, pn(history={"rituximab": outcome}))
        assert mild.therapies == ["observation"], outcome
        disabling = recommend(PN, pn(severity="moderate", history={"rituximab": outcome}))
        assert disabling.therapies == ["ivig"], outcome


def test_pregnancy_removes_the_teratogenic_clone_therapies_only_in_poems() -> None:
    pregnant = {"sex": "female", "age": 34, "pregnant": True}
    for lesions in ("none", "limited", "widespread"):
        rec = recommend(PN, pn("poems", bone_lesions=lesions, **pregnant))
        assert not {"lenalidomide", "autologous_sct"} & set(rec.therapies), lesions
        assert {"label_lenalidomide", "label_melphalan"} <= set(rec.references), lesions
    not_pregnant = recommend(PN, pn("poems", bone_lesions="widespread", sex="female", age=34))
    assert {"lenalidomide", "autologous_sct"} <= set(not_pregnant.therapies)
    assert not any("Pregnancy" in w for w in not_pregnant.warnings)
    igm = recommend(PN, pn(progression="progressive", **pregnant))
    assert "lenalidomide" not in igm.avoid and "pregnancy" not in {s.id for s in igm.path}


def test_lenalidomide_carries_its_boxed_warnings() -> None:
    rec = recommend(PN, pn("poems", bone_lesions="widespread"))
    note = next(w for w in rec.warnings if w.startswith("Lenalidomide (boxed warnings)"))
    phrases = (
        "embryo-fetal toxicity",
        "REMS",
        "haematologic toxicity",
        "thromboembolism",
        "thromboprophylaxis",
    )
    for phrase in phrases:
        assert phrase in note, phrase
    assert "label_lenalidomide" in rec.references


def test_rituximab_step_cites_both_randomised_trials() -> None:
    rec = recommend(PN, pn(severity="moderate"))
    step = next(s for s in rec.path if s.id == "igm_rituximab")
    assert {"dalakas2009antimag", "leger2013rimag"} <= set(step.references)
    assert "4 of 13" in step.rationale and "1.0 vs" in step.rationale


def test_presets_cover_the_syndromes() -> None:
    syndromes = {p["syndrome"] for p in preset_patients(PN).values()}
    assert {"anti_mag", "poems", "igg_iga_mgus", "canomad"} <= syndromes


@pytest.mark.parametrize(
    ("changes", "field_name", "value"),
    [
        ({"syndrome": "waldenstrom"}, "syndrome", "waldenstrom"),
        ({"bone_lesions": "many"}, "bone_lesions", "many"),
        ({"progression": "rapid"}, "progression", "rapid"),
        ({"severity": "disabling"}, "severity", "disabling"),
        ({"hematologic_malignancy": "yes"}, "hematologic_malignancy", "yes"),
    ],
)
def test_bad_values_name_the_field_and_the_value(
    changes: dict[str, Any], field_name: str, value: str
) -> None:
    message = refusal(PN, pn(**changes))
    assert field_name in message and value in message


def test_missing_required_field_and_unknown_field_are_refused() -> None:
    patient = pn()
    del patient["severity"]
    with pytest.raises(PatientError, match="severity"):
        recommend(PN, patient)
    with pytest.raises(PatientError, match="antibody"):
        recommend(PN, pn(antibody="achr"))
    with pytest.raises(PatientError, match=r"radiotherapy|outcome|cured"):
        recommend(PN, pn(history={"radiotherapy": "cured"}))
