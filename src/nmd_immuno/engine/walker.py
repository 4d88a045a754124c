"""Walk a pathway for one patient and collect the recommendation, by running the pathway's program.

The pathway is first lowered into a JSON program (:mod:`nmd_immuno.engine.program`); this module interprets
it, and ``static/explorer.js`` interprets the very same program in the browser. The rules here hold for every
disorder (the engine knows none):

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
from collections.abc import Mapping
from typing import Any

from nmd_immuno.content.algorithms import Algorithm, algorithm_file, load_algorithm
from nmd_immuno.content.loader import display_name
from nmd_immuno.engine.logic import build_context, evaluate, holds
from nmd_immuno.engine.patient import check_disorder, validate_patient
from nmd_immuno.engine.program import (
    NEVER_OFFER,
    NOT_AGAIN,
    NOTHING_LEFT,
    STEP_REASON_PREFIX,
    pathway_program,
)
from nmd_immuno.engine.recommendation import Recommendation, Step
from nmd_immuno.errors import DataError


class PathwayNotAvailable(NotImplementedError):
    """The disorder is part of the course's API, but its pathway file is not in ``data/algorithms/`` yet.

    Raised by :func:`recommend` after the patient has been validated, so that a caller still learns about bad
    input first.
    """


class _Run:
    """One walk of a program: the condition evaluator and the ordered, de-duplicated collections."""

    def __init__(self, program: Mapping[str, Any], patient: dict[str, Any]) -> None:
        self.walk, self.file = program["walk"], program["file"]
        self.context = build_context(patient, self.walk["classes"], self.walk["class_of"])
        for name, expr in self.walk["facts"]:
            self.context["facts"][name] = evaluate(expr, self.context, self.file, f"facts.{name}")
        self.offers: dict[str, None] = {}
        self.avoid: dict[str, str] = {}
        self.warnings: dict[str, None] = {}
        self.references: dict[str, None] = dict.fromkeys(self.walk["references"])

    def holds(self, expr: Any, location: str) -> bool:
        return holds(expr, self.context, self.file, location)

    def therapies(self, items: list[list[Any]], location: str) -> list[str]:
        chosen: list[str] = []
        for index, (when, ids) in enumerate(items):
            if self.holds(when, f"{location}[{index}].when"):
                chosen.extend(ids)
        return chosen

    def collect(self, part: Mapping[str, Any], where: str) -> None:
        """Avoids (with the part's reason), warnings and references of a node or rule."""
        for therapy in self.therapies(part["avoid"], f"{where}.avoid"):
            self.avoid.setdefault(therapy, part["reason"])
        for index, (when, text, refs) in enumerate(part["warnings"]):
            if self.holds(when, f"{where}.warnings[{index}].when"):
                self.warnings[text] = None
                self.references.update(dict.fromkeys(refs))
        self.references.update(dict.fromkeys(part["references"]))


def _step(step: Mapping[str, Any], choice: str | None = None) -> Step:
    return Step(step["id"], step["title"], step["rationale"], tuple(step["references"]), step["kind"], choice)


def run_program(program: Mapping[str, Any], patient: dict[str, Any]) -> Recommendation:
    """Walk ``program`` (from :func:`nmd_immuno.engine.program.pathway_program`) for a validated patient."""
    walk = program["walk"]
    got = _Run(program, patient)
    history: dict[str, str] = patient.get("history") or {}
    nodes = walk["nodes"]
    path: list[Step] = []
    current: str | None = walk["start"]
    while current is not None:
        if len(path) > len(nodes):  # cannot happen with a validated (acyclic) graph; never loop forever
            raise DataError(got.file, f"nodes[{current}]", "the walk revisits a node: the pathway loops")
        node, where = nodes[current], f"nodes[{current}]"
        got.offers.update(dict.fromkeys(got.therapies(node["offer"], f"{where}.offer")))
        if node["continue"] is not None:
            cont = node["continue"]
            for therapy, outcome in history.items():
                if outcome in cont["outcomes"] and therapy in cont["therapies"]:
                    got.offers[therapy] = None
        got.collect(node, where)
        choice, following = None, node["next"]
        if node["branches"]:
            choice, following = node["otherwise"]
            for index, (when, label, goto) in enumerate(node["branches"]):
                if got.holds(when, f"{where}.branches[{index}].when"):
                    choice, following = label, goto
                    break
        path.append(_step(node["step"], choice))
        current = following
    for rule in walk["rules"]:
        where = f"rules[{rule['step']['id']}]"
        if got.holds(rule["when"], f"{where}.when"):
            path.append(_step(rule["step"]))
            got.collect(rule, where)
    for therapy, outcome in history.items():
        if outcome in walk["never_offer"]:
            got.avoid.setdefault(therapy, walk["never_offer"][outcome])
    not_offered: dict[str, str] = {}
    therapies: list[str] = []
    for therapy in got.offers:
        if therapy in got.avoid:
            not_offered[therapy] = got.avoid[therapy]
        elif history.get(therapy) in walk["not_again"]:
            not_offered[therapy] = walk["not_again"][history[therapy]]
        else:
            therapies.append(therapy)
    for therapy, reason in got.avoid.items():
        not_offered.setdefault(therapy, reason)
    for note in walk["notes"]:
        if any(t in therapies for t in note["therapies"]) and got.holds(
            note["when"], f"therapy_notes[{note['id']}].when"
        ):
            got.warnings[note["text"]] = None
            got.references.update(dict.fromkeys(note["references"]))
    if not therapies:
        got.warnings[walk["nothing_left"]] = None
    return Recommendation(
        disorder=program["disorder"],
        title=program["title"],
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
    return run_program(pathway_program(load_pathway(disorder)), normalized)


def preset_patients(disorder: str) -> dict[str, dict[str, Any]]:
    """The preset patients of a pathway (the chapter's cases), by id, as dicts ready for ``recommend``."""
    return {pid: copy.deepcopy(p.patient) for pid, p in load_pathway(disorder).presets.items()}


def preset_labels(disorder: str) -> dict[str, str]:
    """Preset id -> a short human label (for dropdowns)."""
    return {pid: p.label for pid, p in load_pathway(disorder).presets.items()}


__all__ = [
    "NEVER_OFFER",
    "NOTHING_LEFT",
    "NOT_AGAIN",
    "STEP_REASON_PREFIX",
    "PathwayNotAvailable",
    "load_pathway",
    "preset_labels",
    "preset_patients",
    "recommend",
    "run_program",
]
