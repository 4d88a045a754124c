"""What the per-disorder pathway tests share: a clinical case, the check of a case against recommend(), and
the walks the coverage checks read.

Why one module: each disorder's test file describes its own patients, but what it checks about a case (the
step reached, what is offered, avoided and warned) and how it reads a walk (its edges, its rules, the step it
ends at) is the same for every pathway; written once, a fix to a check reaches every disorder.
Imported directly by the tests (``from pathway_helpers import Case``), like ``chapters.py``.
"""

from __future__ import annotations

import copy
import itertools
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from nmd_immuno import PatientError, recommend
from nmd_immuno.content.algorithms import Expectation
from nmd_immuno.content.patient_fields import FieldSpec, load_patient_fields
from nmd_immuno.content.vocabulary import OUTCOMES
from nmd_immuno.engine import load_pathway, preset_patients
from nmd_immuno.engine.expectations import unmet
from nmd_immuno.engine.recommendation import Recommendation


@dataclass
class Case:
    """A patient as a chapter describes them, and what a reader must see at the end of the walk.

    A compact way to write an :class:`~nmd_immuno.content.algorithms.Expectation` (the form a pathway
    preset's ``expect`` takes): both are checked by :func:`nmd_immuno.engine.expectations.unmet`.
    """

    patient: dict[str, Any]
    reaches: str  # a step the walk must pass through
    offers: set[str] = field(default_factory=set)
    not_offered: set[str] = field(default_factory=set)
    avoid: set[str] = field(default_factory=set)
    warning: str | None = None  # a phrase one of the warnings must contain
    # The exact therapies, when the point is that nothing else is offered: a list where the order in which
    # they are offered matters too, a set where it does not.
    exactly: list[str] | set[str] | None = None

    def expectation(self) -> Expectation:
        return Expectation(
            path_includes=[self.reaches],
            offers_include=sorted(self.offers),
            offers_exclude=sorted(self.not_offered),
            offers_exactly=None if self.exactly is None else list(self.exactly),
            exact_order=isinstance(self.exactly, list),
            avoid_include=sorted(self.avoid),
            warnings_include=[self.warning] if self.warning else [],
        )


def path_ids(rec: Recommendation) -> list[str]:
    return [step.id for step in rec.path]


def last_node(rec: Recommendation) -> str:
    """The step the walk ends at: rules that fired are listed after it, so they are skipped."""
    return [step.id for step in rec.path if step.kind != "rule"][-1]


def check_case(disorder: str, name: str, case: Case) -> None:
    """Walk the case's patient through the pathway and assert every expectation the case states."""
    problems = unmet(recommend(disorder, case.patient), case.expectation())
    assert not problems, f"{name}: " + "; ".join(problems)


def preset_walks(disorder: str) -> dict[str, Recommendation]:
    """The recommendation for every preset of the pathway, by preset id."""
    return {name: recommend(disorder, patient) for name, patient in preset_patients(disorder).items()}


def walks(disorder: str, cases: Mapping[str, Case]) -> dict[str, Recommendation]:
    """The recommendation for every case, by case name."""
    return {name: recommend(disorder, case.patient) for name, case in cases.items()}


def pathway_edges(disorder: str) -> set[tuple[str, str]]:
    """Every edge of the pathway graph, as (node, successor)."""
    return {(node.id, target) for node in load_pathway(disorder).nodes for target, _ in node.successors()}


def walked_edges(disorder: str, recs: Iterable[Recommendation]) -> set[tuple[str, str]]:
    """The graph edges the walks took; rules that fired are not nodes of the graph and are skipped."""
    node_ids = {node.id for node in load_pathway(disorder).nodes}
    edges: set[tuple[str, str]] = set()
    for rec in recs:
        edges |= set(itertools.pairwise(i for i in path_ids(rec) if i in node_ids))
    return edges


def refusal(disorder: str, patient: Mapping[str, Any]) -> str:
    """The message of the PatientError that the patient must raise (the test fails if none is raised)."""
    with pytest.raises(PatientError) as info:
        recommend(disorder, patient)
    return str(info.value)


def random_patient(rng: random.Random, disorder: str) -> dict[str, Any]:
    """A patient drawn from the disorder's field specs, or a preset with a few fields changed, with a random
    history over the pathway's therapies.

    The one random-patient generator of the suite: the engine's property tests draw it through hypothesis
    (``st.randoms()``), the browser explorer's conformance test through a seeded ``random.Random``. Failures
    are drawn more often than responses so that walks reach the later steps; invalid combinations occur and
    must be refused with a clear PatientError.
    """
    fields = load_patient_fields().fields_for(disorder)
    presets = list(preset_patients(disorder).values())
    if presets and rng.random() < 0.4:
        patient = copy.deepcopy(rng.choice(presets))
        names = [n for n, spec in fields.items() if spec.type != "history"]
        for name in rng.sample(names, k=rng.randint(0, 2)):
            patient.update(random_fields(rng, {name: fields[name]}))
    else:
        patient = random_fields(rng, fields)
    history = dict(patient.get("history") or {})
    therapies = load_pathway(disorder).therapy_ids()
    outcomes = [*OUTCOMES, "no_response", "partial", "intolerant"]
    for therapy in rng.sample(therapies, k=min(len(therapies), rng.choice([0, 1, 2, 3, 4, 6]))):
        history[therapy] = rng.choice(outcomes)
    if rng.random() < 0.3:
        for therapy in rng.sample(list(history), k=len(history) // 2):
            del history[therapy]
    if history or rng.random() < 0.5:
        patient["history"] = history
    return patient


def random_fields(rng: random.Random, fields: Mapping[str, FieldSpec]) -> dict[str, Any]:
    """Values for ``fields`` within their specs (optional ones left out now and then, numbers sometimes
    fractional)."""
    patient: dict[str, Any] = {}
    for name, spec in fields.items():
        if spec.type == "history" or (not spec.required and rng.random() < 0.3):
            continue
        if spec.type == "choice":
            patient[name] = rng.choice(spec.values or [])
        elif spec.type == "bool":
            patient[name] = rng.random() < 0.25
        else:
            low, high = float(spec.min or 0), float(spec.max or 0)
            patient[name] = rng.randint(int(low), int(high)) if rng.random() < 0.8 else rng.uniform(low, high)
    return patient
