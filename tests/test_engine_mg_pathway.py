"""Every branch of the myasthenia gravis pathway, reached by a patient, with what it offers, avoids and warns.

The cases below describe patients the way the chapter does; each asserts the node the walk must reach and the
therapies, avoids and warnings a reader should see there. ``test_pathways_common.py`` makes sure the
cases together traverse every edge of the pathway graph, so a new branch cannot be added without a test.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from pathway_helpers import Case, check_case, last_node, path_ids

from nmd_immuno import recommend
from nmd_immuno.engine import load_pathway, preset_patients

MG = "myasthenia_gravis"


def gmg(**changes: Any) -> dict[str, Any]:
    """A generalized AChR+ patient aged 42; keyword arguments change or add fields."""
    patient: dict[str, Any] = {
        "age": 42,
        "sex": "female",
        "antibody": "achr",
        "distribution": "generalized",
        "mgfa_class": "IIIa",
        "history": {},
    }
    patient.update(changes)
    return patient


def omg(**changes: Any) -> dict[str, Any]:
    return gmg(distribution="ocular", mgfa_class="I", **changes)


CASES: dict[str, Case] = {
    # Rituximab counts among the immunosuppressants that have failed (consensus definition of refractory MG);
    # in MuSK+ MG the FcRn inhibitors licensed for MuSK+ disease come next.
    "musk_refractory_after_rituximab": Case(
        gmg(
            antibody="musk",
            history={
                "pyridostigmine": "partial",
                "corticosteroids": "partial",
                "azathioprine": "no_response",
                "rituximab": "no_response",
            },
        ),
        "refractory_musk",
        exactly=["rozanolixizumab", "nipocalimab", "inebilizumab"],
    ),
    "musk_one_agent_without_rituximab_is_not_yet_refractory": Case(
        gmg(
            antibody="musk",
            history={
                "pyridostigmine": "partial",
                "corticosteroids": "partial",
                "azathioprine": "no_response",
            },
        ),
        "sparing_next",
        offers={"rituximab"},
    ),
    "crisis": Case(
        gmg(crisis=True, history={"pyridostigmine": "partial"}),
        "crisis_rescue",
        exactly=["plasma_exchange", "ivig"],
        warning="trigger",
    ),
    "intubated_class_v_is_crisis": Case(
        gmg(mgfa_class="V"), "crisis_rescue", offers={"plasma_exchange", "ivig"}
    ),
    "crisis_after_ivig_failed": Case(
        gmg(crisis=True, history={"ivig": "no_response"}), "crisis_rescue", exactly=["plasma_exchange"]
    ),
    "crisis_with_thymoma": Case(
        gmg(crisis=True, thymoma=True), "crisis_rescue", not_offered={"thymectomy"}, warning="once the crisis"
    ),
    "thymoma": Case(
        gmg(thymoma=True, age=70, history={"pyridostigmine": "partial"}),
        "thymoma_resection",
        offers={"thymectomy", "corticosteroids"},
        warning="stable",
    ),
    "thymoma_already_removed": Case(
        gmg(thymoma=True, age=70, history={"thymectomy": "partial"}),
        "start_pyridostigmine",
        not_offered={"thymectomy"},
    ),
    "ocular_untreated": Case(omg(), "ocular_pyridostigmine", exactly=["pyridostigmine"]),
    "ocular_at_goal": Case(
        omg(history={"pyridostigmine": "response"}), "ocular_at_goal", exactly=["pyridostigmine"]
    ),
    "ocular_prednisone": Case(
        omg(history={"pyridostigmine": "partial"}),
        "ocular_prednisone",
        exactly=["corticosteroids"],
        warning="early worsening",
    ),
    "ocular_steroids_work": Case(
        omg(history={"pyridostigmine": "partial", "corticosteroids": "response"}),
        "ocular_steroid_lowest_dose",
        exactly=["corticosteroids"],
    ),
    "ocular_steroids_not_tolerated": Case(
        omg(history={"pyridostigmine": "partial", "corticosteroids": "intolerant"}),
        "ocular_steroid_sparing",
        offers={"azathioprine", "mycophenolate"},
        not_offered={"corticosteroids", "thymectomy"},
        avoid={"corticosteroids"},
        warning="thymectomy may be considered",
    ),
    "ocular_steroid_sparing_working": Case(
        omg(history={"corticosteroids": "relapse_on_taper", "tacrolimus": "partial"}),
        "ocular_steroid_sparing",
        offers={"tacrolimus", "azathioprine"},
    ),
    "untreated_gmg_18_50": Case(
        gmg(age=30),
        "start_pyridostigmine",
        offers={"pyridostigmine", "thymectomy"},
        warning="minimally invasive",
    ),
    "gmg_51_65_sources_differ": Case(
        gmg(age=60), "thymectomy_trial_age", offers={"thymectomy", "pyridostigmine"}, warning="18-50"
    ),
    "gmg_over_65": Case(gmg(age=72), "thymectomy_outside_window", not_offered={"thymectomy"}),
    "gmg_under_18": Case(gmg(age=16), "thymectomy_outside_window", not_offered={"thymectomy"}),
    "gmg_at_goal_on_pyridostigmine": Case(
        gmg(history={"pyridostigmine": "response", "thymectomy": "response"}),
        "symptomatic_at_goal",
        exactly=["pyridostigmine"],
    ),
    "bulbar_untreated": Case(
        gmg(mgfa_class="IIIb", history={"thymectomy": "partial"}),
        "start_pyridostigmine",
        warning="impending crisis",
    ),
    "start_corticosteroids": Case(
        gmg(history={"pyridostigmine": "partial"}),
        "start_corticosteroids",
        offers={"corticosteroids", "thymectomy"},
        warning="start low",
    ),
    "start_corticosteroids_bulbar": Case(
        gmg(mgfa_class="IVb", history={"pyridostigmine": "no_response", "thymectomy": "partial"}),
        "start_corticosteroids",
        exactly=["corticosteroids"],
        warning="Bulbar or severe weakness",
    ),
    "steroids_work": Case(
        gmg(history={"pyridostigmine": "partial", "corticosteroids": "response", "thymectomy": "partial"}),
        "steroids_taper",
        exactly=["corticosteroids"],
    ),
    "steroid_dependent": Case(
        gmg(history={"corticosteroids": "relapse_on_taper", "thymectomy": "partial"}),
        "sparing_first",
        offers={"azathioprine", "mycophenolate", "tacrolimus", "cyclosporine"},
        not_offered={"methotrexate", "rituximab", "eculizumab"},
        warning="TPMT",
    ),
    "steroids_contraindicated": Case(
        gmg(history={"corticosteroids": "contraindicated", "thymectomy": "partial"}),
        "sparing_first",
        offers={"azathioprine"},
        avoid={"corticosteroids"},
    ),
    "azathioprine_failed": Case(
        gmg(history={"corticosteroids": "partial", "azathioprine": "no_response", "thymectomy": "partial"}),
        "sparing_next",
        offers={"mycophenolate", "methotrexate", "tacrolimus", "cyclosporine"},
        not_offered={"azathioprine", "eculizumab"},
        warning="12 months",
    ),
    "azathioprine_partial_continues": Case(
        gmg(history={"corticosteroids": "partial", "azathioprine": "partial", "thymectomy": "partial"}),
        "sparing_next",
        offers={"azathioprine", "mycophenolate"},
    ),
    "azathioprine_works": Case(
        gmg(
            history={
                "corticosteroids": "relapse_on_taper",
                "azathioprine": "response",
                "thymectomy": "partial",
            }
        ),
        "sparing_continue",
        exactly=["azathioprine"],
    ),
    "planning_pregnancy_on_mycophenolate": Case(
        gmg(
            planning_pregnancy=True,
            history={"corticosteroids": "relapse_on_taper", "mycophenolate": "response"},
        ),
        "pregnancy_switch",
        offers={"azathioprine", "cyclosporine"},
        not_offered={"mycophenolate", "methotrexate"},
        avoid={"mycophenolate", "methotrexate", "cyclophosphamide"},
        warning="6 weeks",
    ),
    "pregnant_untreated": Case(
        gmg(pregnant=True, age=30),
        "start_pyridostigmine",
        exactly=["pyridostigmine"],
        avoid={"mycophenolate", "methotrexate"},
        warning="magnesium sulfate",
    ),
    "refractory_achr": Case(
        gmg(
            history={
                "corticosteroids": "relapse_on_taper",
                "azathioprine": "no_response",
                "mycophenolate": "intolerant",
                "thymectomy": "partial",
            }
        ),
        "refractory_achr",
        offers={
            "eculizumab",
            "ravulizumab",
            "zilucoplan",
            "efgartigimod",
            "rozanolixizumab",
            "nipocalimab",
            "inebilizumab",
        },
        not_offered={"rituximab", "azathioprine", "mycophenolate"},
        avoid={"mycophenolate"},
        warning="MenB",
    ),
    "refractory_achr_teenager": Case(
        gmg(
            age=15,
            history={
                "corticosteroids": "partial",
                "azathioprine": "no_response",
                "tacrolimus": "no_response",
            },
        ),
        "refractory_achr",
        offers={"nipocalimab"},
        warning="licensed age",
    ),
    "refractory_achr_pregnant": Case(
        gmg(
            pregnant=True,
            history={"corticosteroids": "partial", "azathioprine": "no_response", "tacrolimus": "intolerant"},
        ),
        "refractory_achr",
        offers={"efgartigimod"},
        warning="data are limited",
    ),
    "refractory_musk": Case(
        gmg(
            antibody="musk",
            history={"corticosteroids": "partial", "azathioprine": "no_response", "mycophenolate": "partial"},
        ),
        "refractory_musk",
        offers={"rituximab", "rozanolixizumab", "nipocalimab", "inebilizumab"},
        not_offered={"eculizumab", "ravulizumab", "zilucoplan", "efgartigimod", "thymectomy"},
        avoid={"eculizumab", "ravulizumab", "zilucoplan", "thymectomy"},
        warning="hepatitis B",
    ),
    "refractory_lrp4": Case(
        gmg(
            antibody="lrp4",
            history={
                "corticosteroids": "partial",
                "azathioprine": "no_response",
                "mycophenolate": "no_response",
            },
        ),
        "refractory_other",
        exactly=["ivig", "plasma_exchange"],
        avoid={"eculizumab", "ravulizumab", "zilucoplan"},
        warning="not confirmed",
    ),
    "musk_early_rituximab": Case(
        gmg(antibody="musk", age=30, history={"corticosteroids": "partial"}),
        "sparing_first",
        offers={"rituximab", "azathioprine"},
        not_offered={"thymectomy"},
        avoid={"thymectomy", "eculizumab"},
        warning="poorly tolerated",
    ),
    "musk_with_thymoma_still_gets_thymectomy": Case(
        gmg(antibody="musk", thymoma=True), "thymoma_resection", offers={"thymectomy"}
    ),
    "seronegative_untreated": Case(
        gmg(antibody="seronegative", age=30),
        "start_pyridostigmine",
        exactly=["pyridostigmine"],
        avoid={"eculizumab"},
        warning="ADAPT SERON",
    ),
    # A targeted biologic that works is continued, with the background treatment that helps, instead of the
    # walk falling back to the steroid-sparing step.
    "achr_on_efgartigimod_continues": Case(
        gmg(history={"corticosteroids": "partial", "efgartigimod": "response", "thymectomy": "partial"}),
        "targeted_continue",
        offers={"efgartigimod", "corticosteroids"},
        not_offered={"azathioprine", "mycophenolate", "eculizumab"},
        warning="live vaccines",
    ),
    "musk_on_rituximab_continues": Case(
        gmg(
            antibody="musk",
            history={"corticosteroids": "partial", "mycophenolate": "partial", "rituximab": "response"},
        ),
        "targeted_continue",
        offers={"rituximab", "mycophenolate"},
        not_offered={"azathioprine", "eculizumab", "thymectomy"},
        warning="hepatitis B",
    ),
    "refractory_partial_on_eculizumab": Case(
        gmg(
            history={
                "corticosteroids": "relapse_on_taper",
                "azathioprine": "no_response",
                "mycophenolate": "intolerant",
                "thymectomy": "partial",
                "eculizumab": "partial",
            }
        ),
        "targeted_continue",
        exactly=["eculizumab"],
        avoid={"mycophenolate"},
        warning="Partial response to a targeted biologic",
    ),
    "failed_biologic_is_not_continued": Case(
        gmg(
            history={
                "corticosteroids": "partial",
                "azathioprine": "no_response",
                "tacrolimus": "no_response",
                "efgartigimod": "no_response",
            }
        ),
        "refractory_achr",
        offers={"eculizumab", "rozanolixizumab"},
        not_offered={"efgartigimod"},
    ),
    "ivig_dependent_after_one_agent_is_refractory": Case(
        gmg(
            history={
                "corticosteroids": "partial",
                "azathioprine": "no_response",
                "ivig": "relapse_on_taper",
                "thymectomy": "partial",
            }
        ),
        "refractory_achr",
        offers={"eculizumab", "efgartigimod"},
        not_offered={"azathioprine"},
    ),
    "planning_pregnancy_on_biologic_and_mycophenolate": Case(
        gmg(
            planning_pregnancy=True,
            history={
                "corticosteroids": "partial",
                "mycophenolate": "response",
                "efgartigimod": "response",
                "thymectomy": "partial",
            },
        ),
        "targeted_continue",
        offers={"efgartigimod", "azathioprine", "cyclosporine"},
        not_offered={"mycophenolate"},
        avoid={"mycophenolate"},
        warning="data are limited",
    ),
    # A working biologic that the antibody does not allow: a complement inhibitor outside AChR+ MG is not
    # continued (it is under avoid) and the walk goes on, with a warning to review the indication.
    "musk_with_working_eculizumab_is_flagged_not_continued": Case(
        gmg(antibody="musk", history={"corticosteroids": "partial", "eculizumab": "response"}),
        "sparing_first",
        offers={"rituximab"},
        not_offered={"eculizumab"},
        avoid={"eculizumab"},
        warning="Review the indication",
    ),
    "seronegative_with_working_efgartigimod_continues_off_label": Case(
        gmg(antibody="seronegative", history={"corticosteroids": "partial", "efgartigimod": "response"}),
        "targeted_continue",
        offers={"efgartigimod"},
        warning="continued outside its label",
    ),
    "lrp4_with_working_nipocalimab_continues_off_label": Case(
        gmg(antibody="lrp4", history={"corticosteroids": "partial", "nipocalimab": "partial"}),
        "targeted_continue",
        offers={"nipocalimab"},
        warning="Review the indication",
    ),
    "pregnant_musk_offered_rituximab_is_warned": Case(
        gmg(antibody="musk", pregnant=True, age=30, history={"corticosteroids": "partial"}),
        "sparing_first",
        offers={"rituximab"},
        warning="rituximab in pregnancy",
    ),
    "pregnant_with_thymoma": Case(
        gmg(pregnant=True, thymoma=True, age=30, history={"pyridostigmine": "partial"}),
        "thymoma_resection",
        offers={"thymectomy"},
        warning="Pregnant with a thymoma",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_branch(name: str) -> None:
    check_case(MG, name, CASES[name])


def test_decision_steps_record_the_branch_taken() -> None:
    rec = recommend(MG, gmg(crisis=True))
    first = rec.path[0]
    assert first.id == "crisis_check" and first.choice == "crisis or impending crisis"
    rec = recommend(MG, gmg())
    assert rec.path[0].choice == "no crisis"


def test_spec_example_moves_on_from_partial_pyridostigmine() -> None:
    """The example of the public API spec: partial response to pyridostigmine leads to corticosteroids."""
    untreated = recommend(MG, gmg(mgfa_class="IIIa", thymoma=False))
    partial = recommend(MG, gmg(mgfa_class="IIIa", thymoma=False, history={"pyridostigmine": "partial"}))
    assert "pyridostigmine" in untreated.therapies and "corticosteroids" not in untreated.therapies
    assert "corticosteroids" in partial.therapies


def test_antibody_changes_the_refractory_offer() -> None:
    history = {"corticosteroids": "partial", "azathioprine": "no_response", "mycophenolate": "no_response"}
    by_antibody = {
        ab: set(recommend(MG, gmg(antibody=ab, history=history)).therapies)
        for ab in ("achr", "musk", "lrp4", "seronegative")
    }
    complement = {"eculizumab", "ravulizumab", "zilucoplan"}
    assert complement <= by_antibody["achr"]
    for ab in ("musk", "lrp4", "seronegative"):
        assert not complement & by_antibody[ab]
        assert "efgartigimod" not in by_antibody[ab]  # licensed for AChR+; seronegative approval unconfirmed
    assert "rituximab" in by_antibody["musk"] and "rituximab" not in by_antibody["achr"]


def test_presets_are_copies() -> None:
    first = preset_patients(MG)
    first["crisis"]["age"] = 1
    first["crisis"]["history"]["ivig"] = "no_response"
    again = preset_patients(MG)["crisis"]
    assert again["age"] != 1 and "ivig" not in again["history"]


def test_the_presets_cover_the_chapter_cases() -> None:
    presets = preset_patients(MG)
    antibodies = {p["antibody"] for p in presets.values()}
    assert {"achr", "musk", "seronegative"} <= antibodies
    assert any(p.get("crisis") for p in presets.values())
    assert any(p["distribution"] == "ocular" for p in presets.values())
    assert any(p.get("planning_pregnancy") for p in presets.values())
    assert any(p.get("thymoma") for p in presets.values())


def test_ivig_dependence_not_a_single_course_makes_refractory() -> None:
    """IVIG needed again and again (relapse when spaced out) is refractory; one course that worked is not."""
    base = {"corticosteroids": "partial", "azathioprine": "no_response", "thymectomy": "partial"}
    steps = {
        outcome: path_ids(recommend(MG, gmg(history={**base, "ivig": outcome})))
        for outcome in ("relapse_on_taper", "response")
    }
    assert "refractory_by_antibody" in steps["relapse_on_taper"]
    assert "refractory_by_antibody" not in steps["response"] and "sparing_next" in steps["response"]
    # Plasma-exchange dependence counts the same way; dependence with no agent besides steroids does not.
    plex = recommend(MG, gmg(history={**base, "plasma_exchange": "relapse_on_taper"}))
    assert "refractory_by_antibody" in path_ids(plex)
    steroids_only = recommend(
        MG, gmg(history={"corticosteroids": "partial", "ivig": "relapse_on_taper", "thymectomy": "partial"})
    )
    assert "refractory_by_antibody" not in path_ids(steroids_only)
    refractory_step = next(s for s in plex.path if s.id == "refractory_by_antibody")
    assert "howard2017regain" in refractory_step.references


@pytest.mark.parametrize("outcome", ["response", "partial"])
@pytest.mark.parametrize(
    "biologic", ["eculizumab", "efgartigimod", "rozanolixizumab", "inebilizumab", "rituximab"]
)
def test_a_working_biologic_is_offered_again(biologic: str, outcome: str) -> None:
    history = {"corticosteroids": "partial", "thymectomy": "partial", biologic: outcome}
    rec = recommend(MG, gmg(history=history))
    assert biologic in rec.therapies
    assert last_node(rec) == "targeted_continue"
    partial_warned = any("Partial response to a targeted biologic" in w for w in rec.warnings)
    assert partial_warned == (outcome == "partial")


def test_antibody_restrictions_are_explained_where_drugs_are_not_offered() -> None:
    history = {"corticosteroids": "partial", "azathioprine": "no_response", "mycophenolate": "no_response"}
    musk = recommend(MG, gmg(antibody="musk", history=history))
    assert "efgartigimod" not in musk.therapies
    assert any("efgartigimod is licensed for AChR+" in w for w in musk.warnings)
    for antibody in ("lrp4", "seronegative"):
        rec = recommend(MG, gmg(antibody=antibody, history=history))
        held = {"efgartigimod", "rozanolixizumab", "nipocalimab", "inebilizumab"}
        assert not held & set(rec.therapies)
        named = [w for w in rec.warnings if all(d in w for d in held - {"efgartigimod"})]
        assert named, f"{antibody}: no warning names the FcRn inhibitors and inebilizumab"
        assert any("not confirmed" in w and "efgartigimod" in w.lower() for w in rec.warnings)
        rule = next(s for s in rec.path if s.id == "lrp4_seronegative_restrictions")
        assert {"label_rystiggo", "label_imaavy", "fda2025inebilizumab_gmg"} <= set(rule.references)


def test_continuing_efgartigimod_outside_achr_keeps_the_label_warning() -> None:
    """A seronegative patient on efgartigimod that works keeps it, told that approval is unconfirmed."""
    rec = recommend(
        MG, gmg(antibody="seronegative", history={"corticosteroids": "partial", "efgartigimod": "response"})
    )
    assert "efgartigimod" in rec.therapies
    assert any("ADAPT SERON" in w and "not confirmed" in w for w in rec.warnings)


@pytest.mark.parametrize("antibody", ["musk", "lrp4", "seronegative"])
@pytest.mark.parametrize("outcome", ["response", "partial"])
def test_a_working_complement_inhibitor_outside_achr_is_not_continued_but_flagged(
    antibody: str, outcome: str
) -> None:
    rec = recommend(
        MG, gmg(antibody=antibody, history={"corticosteroids": "partial", "ravulizumab": outcome})
    )
    path = path_ids(rec)
    assert "targeted_continue" not in path and "complement_working_outside_label" in path
    assert "ravulizumab" not in rec.therapies and "ravulizumab" in rec.avoid
    assert any("complement inhibitor is recorded as working" in w for w in rec.warnings)
    # The same history in AChR+ MG continues it, without the flag.
    achr = recommend(MG, gmg(history={"corticosteroids": "partial", "ravulizumab": outcome}))
    assert "ravulizumab" in achr.therapies
    assert "complement_working_outside_label" not in path_ids(achr)


def test_an_allowed_biologic_is_continued_when_an_avoided_one_also_worked() -> None:
    """MuSK+: rituximab works and eculizumab partly worked: rituximab is continued, eculizumab is not, and the
    partial response of the avoided drug does not trigger the partial-response warning."""
    rec = recommend(
        MG,
        gmg(
            antibody="musk",
            history={"corticosteroids": "partial", "rituximab": "response", "eculizumab": "partial"},
        ),
    )
    assert "targeted_continue" in path_ids(rec)
    assert "rituximab" in rec.therapies and "eculizumab" not in rec.therapies
    assert not any("Partial response to a targeted biologic" in w for w in rec.warnings)
    assert any("complement inhibitor is recorded as working" in w for w in rec.warnings)


@pytest.mark.parametrize(
    ("antibody", "biologic", "flagged"),
    [
        ("achr", "efgartigimod", False),
        ("achr", "nipocalimab", False),
        ("musk", "rozanolixizumab", False),
        ("musk", "efgartigimod", True),
        ("seronegative", "inebilizumab", True),
        ("lrp4", "rozanolixizumab", True),
        ("seronegative", "rituximab", False),
    ],
)
def test_off_label_continuation_is_flagged_only_outside_the_label(
    antibody: str, biologic: str, flagged: bool
) -> None:
    rec = recommend(MG, gmg(antibody=antibody, history={"corticosteroids": "partial", biologic: "response"}))
    assert biologic in rec.therapies
    assert any("continued outside its label" in w for w in rec.warnings) is flagged


def test_seronegative_rule_text_does_not_contradict_continuing_a_working_biologic() -> None:
    rule = next(r for r in load_pathway(MG).rules if r.id == "lrp4_seronegative_restrictions")
    assert "None of them is offered here," not in rule.rationale
    assert "continued off-label" in rule.rationale


def test_under_18_note_names_the_paediatric_eculizumab_label() -> None:
    rec = recommend(
        MG,
        gmg(
            age=10,
            history={"corticosteroids": "partial", "azathioprine": "no_response", "tacrolimus": "partial"},
        ),
    )
    assert "eculizumab" in rec.therapies
    (note,) = [w for w in rec.warnings if w.startswith("Under 18")]
    assert "6 years" in note and "eculizumab" in note
    assert "label_soliris_2025_pediatric_gmg" in rec.references


# ------------------------------------------------------------------ labels (data/drugs.yaml mg_label) vs pathway
def _mg_labels() -> dict[str, Any]:
    from nmd_immuno.content.drugs import load_drugs

    return {drug.therapy_ids[0]: drug.mg_label for drug in load_drugs() if drug.mg_label is not None}


REFRACTORY_HISTORY = {"corticosteroids": "partial", "azathioprine": "no_response", "tacrolimus": "no_response"}


def test_every_mg_biologic_has_a_dated_label_statement() -> None:
    labels = _mg_labels()
    assert set(labels) == {
        "eculizumab",
        "ravulizumab",
        "zilucoplan",
        "efgartigimod",
        "rozanolixizumab",
        "nipocalimab",
        "inebilizumab",
    }
    assert labels["inebilizumab"].antibodies == ["achr", "musk"] and labels["inebilizumab"].ages == "adults"
    assert labels["nipocalimab"].ages.startswith("12 years")
    # Efgartigimod in seronegative MG: a pending decision, never a label, until a source confirms it.
    assert labels["efgartigimod"].antibodies == ["achr"]
    assert "10 May 2026" in labels["efgartigimod"].pending and "not confirmed" in labels["efgartigimod"].pending
    for therapy, label in labels.items():
        assert re.match(r"^20\d\d-\d\d$", label.as_of), therapy


@pytest.mark.parametrize("antibody", ["achr", "musk", "lrp4", "seronegative"])
def test_refractory_offers_are_exactly_the_labelled_biologics(antibody: str) -> None:
    """A new biologic is offered only where its label covers the antibody (rituximab is off-label in MG)."""
    rec = recommend(MG, gmg(antibody=antibody, history=dict(REFRACTORY_HISTORY)))
    labels = _mg_labels()
    offered = {t for t in rec.therapies if t in labels}
    assert offered == {t for t, label in labels.items() if antibody in label.antibodies}


@pytest.mark.parametrize("antibody", ["musk", "lrp4", "seronegative"])
def test_a_working_biologic_outside_its_label_is_flagged_or_stopped(antibody: str) -> None:
    for therapy, label in _mg_labels().items():
        rec = recommend(MG, gmg(antibody=antibody, history={"corticosteroids": "partial", therapy: "response"}))
        outside = antibody not in label.antibodies
        complement = therapy in {"eculizumab", "ravulizumab", "zilucoplan"}
        if complement:
            assert therapy not in rec.therapies and therapy in rec.avoid, therapy
            assert any("licensed for AChR+" in w for w in rec.warnings), therapy
        else:
            assert therapy in rec.therapies, therapy
            assert any("continued outside its label" in w for w in rec.warnings) is outside, therapy


def test_teenager_note_dates_the_age_of_each_label_it_names() -> None:
    rec = recommend(MG, gmg(age=15, history=dict(REFRACTORY_HISTORY)))
    (note,) = [w for w in rec.warnings if w.startswith("Under 18")]
    assert "nipocalimab from 12 years (April 2025)" in note
    assert "inebilizumab for adults only (December 2025)" in note
    assert "fda2025inebilizumab_gmg" in rec.references


def test_label_statements_in_the_pathway_carry_their_date() -> None:
    rec = recommend(MG, gmg(antibody="musk", history={"corticosteroids": "partial", "efgartigimod": "response"}))
    flagged = next(w for w in rec.warnings if "continued outside its label" in w)
    assert "US labels as of the course's sources" in flagged and "December 2025" in flagged
    musk = next(w for w in rec.warnings if w.startswith("MuSK-MG: efgartigimod"))
    assert "as of June 2024" in musk
