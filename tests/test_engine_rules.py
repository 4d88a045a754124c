"""The engine's generic rules, checked on random valid patients of every pathway in the course.

These properties hold whatever the disease: nothing the patient cannot take is offered, nothing failed is
offered again, the answer is never silently empty, every citation resolves, and the antibody restrictions of
myasthenia gravis are never broken.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pathway_helpers import random_patient

from nmd_immuno import PatientError, recommend
from nmd_immuno.content.algorithms import available_algorithms
from nmd_immuno.content.bibliography import bibliography_keys
from nmd_immuno.content.therapies import THERAPY_IDS
from nmd_immuno.engine import Recommendation
from nmd_immuno.engine.walker import NOTHING_LEFT

PATHWAYS = available_algorithms()
COMPLEMENT = {"eculizumab", "ravulizumab", "zilucoplan"}


def patients(disorder: str) -> st.SearchStrategy[dict[str, Any]]:
    """Random patients of the disorder: the suite's one generator (pathway_helpers), driven by hypothesis."""
    return st.randoms(use_true_random=False).map(lambda rng: random_patient(rng, disorder))


def _recommend_or_skip(disorder: str, patient: dict[str, Any]) -> Recommendation | None:
    try:
        return recommend(disorder, patient)
    except PatientError as exc:
        # Only the documented impossible combinations may be refused for a patient built from valid values.
        assert "invalid combination" in str(exc), exc
        return None


SETTINGS = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("disorder", PATHWAYS)
def test_generic_engine_rules_hold_for_random_patients(disorder: str) -> None:
    known_refs = bibliography_keys()

    @SETTINGS
    @given(patients(disorder))
    def check(patient: dict[str, Any]) -> None:
        rec = _recommend_or_skip(disorder, patient)
        if rec is None:
            return
        history = patient.get("history", {})
        offered = set(rec.therapies)
        unusable = {t for t, o in history.items() if o in ("intolerant", "contraindicated")}
        failed = {t for t, o in history.items() if o == "no_response"}
        assert not offered & unusable, "offered a therapy recorded as intolerant or contraindicated"
        assert unusable <= set(rec.avoid)
        assert not offered & failed, "offered again a therapy with no response"
        assert not offered & set(rec.avoid), "offered a therapy it also says to avoid"
        assert offered <= THERAPY_IDS and set(rec.avoid) <= THERAPY_IDS
        assert len(rec.therapies) == len(offered) and len(rec.warnings) == len(set(rec.warnings))
        assert rec.therapies or NOTHING_LEFT in rec.warnings, "an empty answer must say so"
        assert rec.references and set(rec.references) <= known_refs
        assert all(step.references for step in rec.path)
        for therapy, reason in rec.not_offered.items():
            assert therapy not in offered and reason

    check()


@pytest.mark.skipif("myasthenia_gravis" not in PATHWAYS, reason="MG pathway not present")
@SETTINGS
@given(patients("myasthenia_gravis"))
def test_mg_antibody_restrictions_always_hold(patient: dict[str, Any]) -> None:
    rec = _recommend_or_skip("myasthenia_gravis", patient)
    if rec is None:
        return
    offered = set(rec.therapies)
    if patient["antibody"] != "achr":
        assert not offered & COMPLEMENT, "complement inhibitors are licensed for AChR+ MG only"
        if patient.get("history", {}).get("efgartigimod") in ("response", "partial"):
            # Continued because the history shows it working, never without the label caveat.
            assert any("efgartigimod" in w.lower() and "not confirmed" in w for w in rec.warnings)
        else:
            assert "efgartigimod" not in offered, "efgartigimod is not offered as approved outside AChR+ MG"
    if offered & {"rozanolixizumab", "nipocalimab", "inebilizumab"} and patient["antibody"] in (
        "lrp4",
        "seronegative",
    ):
        assert any("licensed for AChR+ or MuSK+" in w for w in rec.warnings)
    if patient.get("crisis"):
        assert patient["distribution"] == "generalized", "crisis with ocular MG must be refused"
    if patient["antibody"] == "musk" and not patient.get("thymoma"):
        assert "thymectomy" not in offered and "thymectomy" in rec.avoid
    if patient.get("pregnant") or patient.get("planning_pregnancy"):
        assert not offered & {"mycophenolate", "methotrexate", "cyclophosphamide"}
    if offered & COMPLEMENT:
        assert any("MenB" in w for w in rec.warnings), "complement inhibitors need the meningococcal warning"
    if "hydroxychloroquine" in rec.avoid:
        assert any("worsen MG" in w for w in rec.warnings)
    if patient.get("crisis") or patient.get("mgfa_class") == "V":
        assert rec.path[1].id == "crisis_rescue"


def test_intolerance_overrides_the_pathway() -> None:
    """A step that would offer a therapy loses it when the history says it cannot be used."""
    patient = {"age": 40, "antibody": "achr", "distribution": "generalized", "crisis": True}
    both = recommend("myasthenia_gravis", patient)
    assert both.therapies == ["plasma_exchange", "ivig"]
    no_ivig = recommend("myasthenia_gravis", {**patient, "history": {"ivig": "contraindicated"}})
    assert no_ivig.therapies == ["plasma_exchange"] and "ivig" in no_ivig.avoid
    assert no_ivig.not_offered["ivig"] == "recorded as contraindicated"
    nothing = recommend(
        "myasthenia_gravis", {**patient, "history": {"ivig": "no_response", "plasma_exchange": "intolerant"}}
    )
    assert nothing.therapies == [] and NOTHING_LEFT in nothing.warnings


def test_repr_html_is_self_contained_and_complete() -> None:
    rec = recommend(
        "myasthenia_gravis",
        {
            "age": 55,
            "antibody": "achr",
            "distribution": "generalized",
            "history": {
                "corticosteroids": "partial",
                "azathioprine": "no_response",
                "mycophenolate": "intolerant",
            },
        },
    )
    page = rec._repr_html_()
    assert "<script" not in page and "http://" not in page and "https://" not in page
    for therapy in rec.therapies:
        assert f'data-therapy="{therapy}"' in page
    for step in rec.path:
        assert f'data-step="{step.id}"' in page
    for key in rec.references:
        assert f'data-key="{key}"' in page
    assert "Wolfe" not in page or "wolfe2016mgtx" in rec.references
    assert "not for treating patients" in page
    assert page.count('class="nmd-references"') == 1


def test_to_dict_and_outline() -> None:
    rec = recommend("myasthenia_gravis", {"age": 30, "antibody": "musk", "distribution": "generalized"})
    data = rec.to_dict()
    assert data["therapies"] == rec.therapies and data["path"][0]["id"] == rec.path[0].id
    assert isinstance(data["path"][0]["references"], list)
    outline = rec.outline()
    assert all(step.title in outline for step in rec.path)
    assert "Offered now" in outline and str(rec) == outline
