"""What the per-disorder pathway tests share: a clinical case, the check of a case against recommend(), and
the walks the coverage checks read.

Why one module: each disorder's test file describes its own patients, but what it checks about a case (the
step reached, what is offered, avoided and warned) and how it reads a walk (its edges, its rules, the step it
ends at) is the same for every pathway; written once, a fix to a check reaches every disorder.
Imported directly by the tests (``from pathway_helpers import Case``), like ``chapters.py``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from nmd_immuno import PatientError, recommend
from nmd_immuno.content.algorithms import Expectation
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
