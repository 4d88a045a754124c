"""Walk a pathway graph for one patient and collect the recommendation.

The rules here hold for every disorder (the engine knows none):

* the walk starts at ``start``; each node is recorded, then its first branch whose condition holds is followed
  (else ``otherwise``), or its ``next``; the loader guarantees the graph has no loop, so the walk ends;
* offers, avoids and warnings are collected from every node on the path, then from every rule that applies;
* a therapy recorded as ``intolerant`` or ``contraindicated`` is never offered and is listed under avoid;
  one recorded as ``no_response`` is not offered again; anything in avoid is never offered;
* a therapy note's warning is added when one of its therapies is finally offered;
* when nothing is left to offer, a warning says so rather than returning an empty answer silently.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from nmd_immuno.content.algorithms import (
    Algorithm,
    TherapyItem,
    WarningItem,
    algorithm_file,
    load_algorithm,
)
from nmd_immuno.content.loader import display_name
from nmd_immuno.content.therapies import vocabulary
from nmd_immuno.engine.logic import holds, pathway_context
from nmd_immuno.engine.patient import check_disorder, validate_patient
from nmd_immuno.engine.recommendation import Recommendation, Step
from nmd_immuno.errors import DataError

#: The reason a therapy avoided by a pathway node is given, before the node's title; explorer.js reads it too.
STEP_REASON_PREFIX = "pathway step: "
NEVER_OFFER = {"intolerant": "recorded as not tolerated", "contraindicated": "recorded as contraindicated"}
NOT_AGAIN = {"no_response": "no response recorded"}
NOTHING_LEFT = (
    "Every option of this step has already been tried without success or cannot be used: "
    "the course's pathway ends here; such a patient belongs with a specialist centre."
)


class PathwayNotAvailable(NotImplementedError):
    """The disorder is part of the course's API, but its pathway file is not in ``data/algorithms/`` yet.

    Raised by :func:`recommend` after the patient has been validated, so that a caller still learns about bad
    input first.
    """


class _Collector:
    """Ordered, de-duplicated accumulation of offers, avoids, warnings and references along the walk."""

    def __init__(self, algorithm: Algorithm, context: dict[str, Any], file: str) -> None:
        self.context, self.file = context, file
        self.offers: dict[str, None] = {}
        self.avoid: dict[str, str] = {}
        self.warnings: dict[str, None] = {}
        self.references: dict[str, None] = dict.fromkeys(algorithm.references)

    def cite(self, keys: Iterable[str]) -> None:
        self.references.update(dict.fromkeys(keys))

    def therapies(self, items: list[TherapyItem], location: str) -> list[str]:
        chosen: list[str] = []
        for index, item in enumerate(items):
            if isinstance(item, str):
                chosen.append(item)
            elif holds(item.when, self.context, self.file, f"{location}[{index}].when"):
                chosen.extend(item.therapies)
        return chosen

    def add_offers(self, items: list[TherapyItem], location: str) -> None:
        self.offers.update(dict.fromkeys(self.therapies(items, location)))

    def add_avoid(self, items: list[TherapyItem], location: str, reason: str) -> None:
        for therapy in self.therapies(items, location):
            self.avoid.setdefault(therapy, reason)

    def add_warnings(self, items: list[str | WarningItem], location: str) -> None:
        for index, item in enumerate(items):
            if isinstance(item, str):
                self.warnings[item] = None
            elif holds(item.when, self.context, self.file, f"{location}[{index}].when"):
                self.warnings[item.text] = None
                self.cite(item.references)


def _walk(algorithm: Algorithm, patient: dict[str, Any], file: str) -> Recommendation:
    context = pathway_context(algorithm, patient, file)
    history: dict[str, str] = patient.get("history") or {}
    nodes = algorithm.node_map()
    got = _Collector(algorithm, context, file)
    path: list[Step] = []
    current: str | None = algorithm.start
    while current is not None:
        if len(path) > len(nodes):  # cannot happen with a validated (acyclic) graph; never loop forever
            raise DataError(file, f"nodes[{current}]", "the walk revisits a node: the pathway loops")
        node = nodes[current]
        where = f"nodes[{node.id}]"
        got.add_offers(node.offer, f"{where}.offer")
        if node.continue_from_history is not None:
            cont = node.continue_from_history
            class_of = vocabulary().class_of()
            for therapy, outcome in history.items():
                if outcome in cont.outcomes and (
                    therapy in cont.therapies or class_of[therapy] in cont.classes
                ):
                    got.offers[therapy] = None
        got.add_avoid(node.avoid, f"{where}.avoid", f"{STEP_REASON_PREFIX}{node.title}")
        got.add_warnings(node.warnings, f"{where}.warnings")
        got.cite(node.references)
        choice, following = None, node.next
        if node.branches:
            choice, following = node.otherwise_label, node.otherwise
            for index, branch in enumerate(node.branches):
                if holds(branch.when, context, file, f"{where}.branches[{index}].when"):
                    choice, following = branch.label, branch.goto
                    break
        path.append(Step(node.id, node.title, node.rationale, tuple(node.references), node.kind, choice))
        current = following
    for rule in algorithm.rules:
        where = f"rules[{rule.id}]"
        if holds(rule.when, context, file, f"{where}.when"):
            path.append(Step(rule.id, rule.title, rule.rationale, tuple(rule.references), "rule"))
            got.add_avoid(rule.avoid, f"{where}.avoid", rule.title)
            got.add_warnings(rule.warnings, f"{where}.warnings")
            got.cite(rule.references)
    return _finish(algorithm, patient, context, got, path, file)


def _finish(
    algorithm: Algorithm,
    patient: dict[str, Any],
    context: dict[str, Any],
    got: _Collector,
    path: list[Step],
    file: str,
) -> Recommendation:
    history: dict[str, str] = patient.get("history") or {}
    for therapy, outcome in history.items():
        if outcome in NEVER_OFFER:
            got.avoid.setdefault(therapy, NEVER_OFFER[outcome])
    not_offered: dict[str, str] = {}
    therapies: list[str] = []
    for therapy in got.offers:
        if therapy in got.avoid:
            not_offered[therapy] = got.avoid[therapy]
        elif history.get(therapy) in NOT_AGAIN:
            not_offered[therapy] = NOT_AGAIN[history[therapy]]
        else:
            therapies.append(therapy)
    for therapy, reason in got.avoid.items():
        not_offered.setdefault(therapy, reason)
    for note in algorithm.therapy_notes:
        if any(t in therapies for t in note.therapies) and holds(
            note.when, context, file, f"therapy_notes[{note.id}].when"
        ):
            got.warnings[note.text] = None
            got.cite(note.references)
    if not therapies:
        got.warnings[NOTHING_LEFT] = None
    return Recommendation(
        disorder=algorithm.disorder,
        title=algorithm.title,
        patient=patient,
        therapies=therapies,
        avoid=list(got.avoid),
        warnings=list(got.warnings),
        path=path,
        references=list(got.references),
        not_offered=not_offered,
    )


# ------------------------------------------------------------------------------------------- public functions


_PRESETS_CHECKED: dict[int, Algorithm] = {}


def _checked(algorithm: Algorithm) -> Algorithm:
    """Validate the preset patients once per loaded file (they are data too, and may be mistyped)."""
    if id(algorithm) in _PRESETS_CHECKED:
        return algorithm
    file = display_name(algorithm_file(algorithm.disorder))
    for preset_id, preset in algorithm.presets.items():
        try:
            validate_patient(algorithm.disorder, preset.patient)
        except ValueError as exc:
            raise DataError(file, f"presets.{preset_id}.patient", str(exc)) from exc
    _PRESETS_CHECKED[id(algorithm)] = algorithm  # keeps the object alive, so its id is never reused
    return algorithm


def load_pathway(disorder: str) -> Algorithm:
    """The validated pathway of ``disorder``; PathwayNotAvailable if the course does not have it yet."""
    check_disorder(disorder)
    if not algorithm_file(disorder).exists():
        raise PathwayNotAvailable(
            f"{disorder}: the treatment pathway for this disorder is not yet in the course "
            f"(no data/algorithms/{disorder}.yaml); the patient profile itself is valid"
        )
    return _checked(load_algorithm(disorder))


def recommend(disorder: str, patient: Mapping[str, Any]) -> Recommendation:
    """What the disorder's pathway offers ``patient`` now, what to avoid, why, and the references.

    Raises PatientError (a ValueError) for an unknown disorder or an invalid patient, naming the field, the
    value given and what is allowed; PathwayNotAvailable (a NotImplementedError) for a disorder whose pathway
    is not in the course yet (cidp, mmn, paraproteinemic, myositis until their files exist), after validating
    the patient.
    """
    normalized = validate_patient(disorder, patient)
    algorithm = load_pathway(disorder)
    return _walk(algorithm, normalized, display_name(algorithm_file(disorder)))


def preset_patients(disorder: str) -> dict[str, dict[str, Any]]:
    """The preset patients of a pathway (the chapter's cases), by id, as dicts ready for ``recommend``."""
    return {pid: copy.deepcopy(p.patient) for pid, p in load_pathway(disorder).presets.items()}


def preset_labels(disorder: str) -> dict[str, str]:
    """Preset id -> a short human label (for dropdowns)."""
    return {pid: p.label for pid, p in load_pathway(disorder).presets.items()}


__all__ = [
    "PathwayNotAvailable",
    "load_pathway",
    "preset_labels",
    "preset_patients",
    "recommend",
]
