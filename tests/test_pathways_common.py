"""What must hold for every disorder's pathway, checked on the clinical cases of that disorder's test file.

Why: the cases (tests/test_engine_<disorder>_pathway.py) say what a reader must see for one patient; the
checks here say that the cases together walk the whole graph and fire every rule, that every walk ends where
a reader can act, that every step is cited, and that the presets the explorer offers behave as stated and are
the patients the chapter and the quiz describe. One test for all disorders, so a new pathway gets them all.
"""

from __future__ import annotations

import pytest
import test_engine_cidp_pathway as cidp_tests
import test_engine_mg_pathway as mg_tests
import test_engine_mmn_pathway as mmn_tests
import test_engine_myositis_pathway as myositis_tests
import test_engine_paraproteinemic_pathway as paraproteinemic_tests
from chapter_helpers import chapter_text
from pathway_helpers import Case, pathway_edges, preset_walks, walked_edges, walks

from nmd_immuno import DISORDERS, recommend, therapy_class
from nmd_immuno.content.bibliography import bibliography_keys
from nmd_immuno.engine import load_pathway, preset_patients
from nmd_immuno.engine.expectations import unmet
from nmd_immuno.engine.recommendation import Recommendation
from nmd_immuno.quiz.loader import load_quiz

CASES: dict[str, dict[str, Case]] = {
    mg_tests.MG: mg_tests.CASES,
    cidp_tests.CIDP: cidp_tests.CASES,
    mmn_tests.MMN: mmn_tests.CASES,
    paraproteinemic_tests.PN: paraproteinemic_tests.CASES,
    myositis_tests.MYO: myositis_tests.CASES,
}
# How many presets the explorer offers: enough for the chapter's cases, few enough to choose from.
PRESET_COUNTS: dict[str, range] = {
    "myasthenia_gravis": range(7, 100),
    "cidp": range(3, 9),
    "mmn": range(3, 7),
    "paraproteinemic": range(3, 7),
    "myositis": range(3, 7),
}


def all_walks(disorder: str) -> dict[str, Recommendation]:
    """The walks of the disorder's test cases and of its pathway's presets (each expectation is stated once,
    in one of the two places)."""
    presets = {f"preset {name}": rec for name, rec in preset_walks(disorder).items()}
    return {**walks(disorder, CASES[disorder]), **presets}


def test_every_disorder_has_its_cases_and_preset_counts() -> None:
    assert set(CASES) == set(DISORDERS) == set(PRESET_COUNTS)


@pytest.mark.parametrize("disorder", DISORDERS)
def test_every_branch_is_exercised(disorder: str) -> None:
    seen = walked_edges(disorder, all_walks(disorder).values())
    assert pathway_edges(disorder) - seen == set(), "edges of the pathway that no test case walks"


@pytest.mark.parametrize("disorder", DISORDERS)
def test_every_rule_fires_for_some_case(disorder: str) -> None:
    recs = all_walks(disorder).values()
    fired = {step.id for rec in recs for step in rec.path if step.kind == "rule"}
    assert fired == {rule.id for rule in load_pathway(disorder).rules}


@pytest.mark.parametrize("disorder", DISORDERS)
def test_walk_ends_at_an_outcome_and_rules_come_last(disorder: str) -> None:
    for name, rec in all_walks(disorder).items():
        kinds = [step.kind for step in rec.path]
        last_node = max(i for i, kind in enumerate(kinds) if kind != "rule")
        assert kinds[last_node] == "outcome", name
        assert all(kind == "rule" for kind in kinds[last_node + 1 :]), name
        assert kinds[0] == "decision", name


@pytest.mark.parametrize("disorder", DISORDERS)
def test_recommendation_references_cover_every_step_and_resolve(disorder: str) -> None:
    known = bibliography_keys()
    for rec in all_walks(disorder).values():
        assert rec.references and set(rec.references) <= known
        for step in rec.path:
            assert step.references, step.id
            assert set(step.references) <= set(rec.references)


@pytest.mark.parametrize("disorder", DISORDERS)
def test_therapy_classes_of_offers_are_known(disorder: str) -> None:
    for rec in all_walks(disorder).values():
        for therapy in rec.therapies:
            assert therapy_class(therapy), therapy


@pytest.mark.parametrize("disorder", DISORDERS)
def test_presets_meet_their_stated_expectations(disorder: str) -> None:
    algorithm = load_pathway(disorder)
    presets = preset_patients(disorder)
    assert set(presets) == set(algorithm.presets)
    assert len(presets) in PRESET_COUNTS[disorder], len(presets)
    for preset_id, preset in algorithm.presets.items():
        assert preset.expect is not None, f"preset {preset_id} states no expectation"
        problems = unmet(recommend(disorder, presets[preset_id]), preset.expect)
        assert not problems, f"preset {preset_id}: " + "; ".join(problems)


@pytest.mark.parametrize("disorder", DISORDERS)
def test_presets_are_the_chapter_and_quiz_patients(disorder: str) -> None:
    """Presets labelled as the chapter's or the quiz's case describe a patient of that age and sex there."""
    vignettes = [case.vignette for case in load_quiz(disorder).cases]
    sources = {"Chapter example": [chapter_text(disorder)], "Quiz": vignettes}
    checked = set()
    for preset_id, preset in load_pathway(disorder).presets.items():
        kind = preset.label.split(":", 1)[0]
        if kind not in sources:
            continue
        patient = preset.patient
        sex = patient.get("sex")
        assert sex in ("female", "male"), f"{preset_id}: a {kind} preset must state the patient's sex"
        person = {"female": "woman", "male": "man"}[sex]
        phrase = f"{patient['age']}-year-old {person}"
        assert any(phrase in text for text in sources[kind]), f"{preset_id}: no {kind} case of a {phrase}"
        checked.add(kind)
    assert checked == set(sources)
