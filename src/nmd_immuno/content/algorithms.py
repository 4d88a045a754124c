"""Schema, semantic checks and loader of the treatment pathways (``data/algorithms/<disorder>.yaml``).

Why this module is strict: a pathway is clinical content that a clinician edits by hand, and the engine walks
it without knowing any disease. Every mistake that could silently change a recommendation is refused here, at
load time, with the file and the key: an unknown therapy id, a missing or unknown citation, a goto to a node
that does not exist, a graph that loops or has unreachable parts, a condition that uses a non-standard
JsonLogic operator or reads a patient field (or a field value) that does not exist.

Conditions are JsonLogic restricted to the standard operators of json-logic-js, so the same file can later be
evaluated in the browser. The variables a condition may read are described in
:data:`nmd_immuno.content.logic_check.CONTEXT_HELP`; the patient fields live in
:mod:`nmd_immuno.content.patient_fields`.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from nmd_immuno.content.bibliography import check_references
from nmd_immuno.content.loader import data_path, display_name, file_stamp, load_yaml_model, require_unique
from nmd_immuno.content.logic_check import JsonLogic, Variables, check_logic
from nmd_immuno.content.patient_fields import PatientFields, load_patient_fields, patient_fields_stamp
from nmd_immuno.content.therapies import THERAPY_IDS, vocabulary
from nmd_immuno.content.vocabulary import DISORDERS, OUTCOMES
from nmd_immuno.errors import DataError

ALGORITHMS_DIR = "algorithms"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ConditionalTherapies(_Strict):
    """Therapy ids that apply only when ``when`` holds (e.g. complement inhibitors only for AChR+ MG)."""

    therapies: list[str]
    when: JsonLogic | None = None
    label: str | None = None  # shown in the flowchart, e.g. "MuSK+"


TherapyItem = str | ConditionalTherapies


class WarningItem(_Strict):
    text: str
    when: JsonLogic | None = None
    references: list[str] = Field(default_factory=list)


class ContinueFromHistory(_Strict):
    """Offer again what the history shows is working (e.g. the steroid-sparing agent that gave a response)."""

    outcomes: list[Literal[OUTCOMES]]  # type: ignore[valid-type]
    classes: list[str] = Field(default_factory=list)
    therapies: list[str] = Field(default_factory=list)


class Branch(_Strict):
    when: JsonLogic
    goto: str
    label: str


class Node(_Strict):
    """A point of the pathway. With ``branches`` it is a decision; it may also offer, avoid and warn."""

    id: str
    title: str
    rationale: str
    references: list[str] = Field(default_factory=list)
    offer: list[TherapyItem] = Field(default_factory=list)
    continue_from_history: ContinueFromHistory | None = None
    avoid: list[TherapyItem] = Field(default_factory=list)
    warnings: list[str | WarningItem] = Field(default_factory=list)
    branches: list[Branch] = Field(default_factory=list)
    otherwise: str | None = None
    otherwise_label: str = "otherwise"
    next: str | None = None

    @property
    def kind(self) -> str:
        """'decision' (branches), 'step' (goes on to ``next``) or 'outcome' (the walk ends here)."""
        if self.branches:
            return "decision"
        return "step" if self.next else "outcome"

    def successors(self) -> list[tuple[str, str | None]]:
        """(target, edge label) pairs in the order the walker tries them."""
        if self.branches:
            return [(b.goto, b.label) for b in self.branches] + [(self.otherwise or "", self.otherwise_label)]
        return [(self.next, None)] if self.next else []


class Rule(_Strict):
    """Applies wherever the patient is in the pathway (pregnancy, antibody restrictions, drugs to avoid)."""

    id: str
    title: str
    rationale: str
    references: list[str] = Field(default_factory=list)
    when: JsonLogic
    avoid: list[TherapyItem] = Field(default_factory=list)
    warnings: list[str | WarningItem] = Field(default_factory=list)


class TherapyNote(_Strict):
    """A safety message shown whenever one of ``therapies`` is offered (vaccines, screening, interactions)."""

    id: str
    therapies: list[str]
    text: str
    references: list[str] = Field(default_factory=list)
    when: JsonLogic | None = None


class Expectation(_Strict):
    """What a patient must get from the walk: the one form every expected outcome takes.

    Why one form: a preset's ``expect`` in a pathway file and a clinical case in the tests state the same
    kind of promise (the step reached, what is offered, avoided and warned), and
    :func:`nmd_immuno.engine.expectations.unmet` checks both, so a check fixed once is fixed everywhere.
    """

    offers_include: list[str] = Field(default_factory=list)
    offers_exclude: list[str] = Field(default_factory=list)
    #: The exact therapies, when the point is that nothing else is offered.
    offers_exactly: list[str] | None = None
    #: Whether ``offers_exactly`` also fixes the order in which they are offered.
    exact_order: bool = True
    avoid_include: list[str] = Field(default_factory=list)
    path_includes: list[str] = Field(default_factory=list)
    #: Phrases that some warning must contain (case-insensitive).
    warnings_include: list[str] = Field(default_factory=list)


class Preset(_Strict):
    label: str
    description: str = ""
    patient: dict[str, Any]
    expect: Expectation | None = None


class Algorithm(_Strict):
    """A disorder's treatment pathway: a directed acyclic graph of nodes, plus rules, notes and preset
    patients.
    """

    disorder: str
    title: str
    summary: str = ""
    updated: str = ""
    references: list[str] = Field(default_factory=list)
    start: str
    facts: dict[str, Any] = Field(default_factory=dict)
    nodes: list[Node]
    rules: list[Rule] = Field(default_factory=list)
    therapy_notes: list[TherapyNote] = Field(default_factory=list)
    presets: dict[str, Preset] = Field(default_factory=dict)

    def node(self, node_id: str) -> Node:
        return self.node_map()[node_id]

    def node_map(self) -> dict[str, Node]:
        return {n.id: n for n in self.nodes}

    def therapy_ids(self) -> list[str]:
        """Every therapy id the file names, in vocabulary order (the widget's history editor lists these)."""
        named: set[str] = set()
        for node in self.nodes:
            named.update(_ids(node.offer))
            named.update(_ids(node.avoid))
            if node.continue_from_history:
                cont = node.continue_from_history
                named.update(cont.therapies)
                class_of = vocabulary().class_of()
                named.update(t for t, c in class_of.items() if c in cont.classes)
        for rule in self.rules:
            named.update(_ids(rule.avoid))
        for note in self.therapy_notes:
            named.update(note.therapies)
        order = list(vocabulary().class_of())
        return [t for t in order if t in named]


def _ids(items: list[TherapyItem]) -> Iterator[str]:
    for item in items:
        if isinstance(item, str):
            yield item
        else:
            yield from item.therapies


# -------------------------------------------------------------------------------------------- semantic checks


def _check_therapies(items: list[TherapyItem], variables: Variables, file: str, location: str) -> None:
    for index, item in enumerate(items):
        therapies = [item] if isinstance(item, str) else item.therapies
        _check_ids(therapies, file, f"{location}[{index}]")
        if isinstance(item, ConditionalTherapies) and item.when is not None:
            check_logic(item.when, variables, file, f"{location}[{index}].when")


def _check_ids(therapies: list[str], file: str, location: str) -> None:
    if not therapies:
        raise DataError(file, location, "empty list of therapy ids")
    for therapy in therapies:
        if therapy not in THERAPY_IDS:
            raise DataError(
                file,
                location,
                f"unknown therapy id {therapy!r}; allowed (data/therapies.yaml): "
                + ", ".join(sorted(THERAPY_IDS)),
            )


def _check_warnings(items: list[str | WarningItem], variables: Variables, file: str, location: str) -> None:
    for index, item in enumerate(items):
        if isinstance(item, WarningItem):
            if item.when is not None:
                check_logic(item.when, variables, file, f"{location}[{index}].when")
            if item.references:
                check_references(item.references, file, f"{location}[{index}].references")


def _check_graph(algorithm: Algorithm, file: str) -> None:
    nodes = algorithm.node_map()
    if algorithm.start not in nodes:
        raise DataError(
            file, "start", f"start node {algorithm.start!r} is not a node id; nodes: {sorted(nodes)}"
        )
    for node in algorithm.nodes:
        where = f"nodes[{node.id}]"
        if node.branches and node.next:
            raise DataError(
                file, f"{where}.next", "a node with branches goes on through 'otherwise', not 'next'"
            )
        if node.branches and not node.otherwise:
            raise DataError(
                file, f"{where}.otherwise", "a node with branches needs 'otherwise' (where no branch applies)"
            )
        if node.otherwise and not node.branches:
            raise DataError(file, f"{where}.otherwise", "'otherwise' only makes sense with branches")
        targets = [(f"{where}.branches[{i}].goto", b.goto) for i, b in enumerate(node.branches)]
        targets += [(f"{where}.otherwise", node.otherwise), (f"{where}.next", node.next)]
        for key, target in targets:
            if target is not None and target not in nodes:
                raise DataError(
                    file, key, f"unknown goto target {target!r}; nodes: {', '.join(sorted(nodes))}"
                )
    # Cycles: depth-first search with colours; report the loop itself.
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node_id: str) -> None:
        state[node_id] = 1
        stack.append(node_id)
        for target, _ in nodes[node_id].successors():
            if state.get(target) == 1:
                loop = [*stack[stack.index(target) :], target]
                raise DataError(file, f"nodes[{node_id}]", "the pathway loops: " + " -> ".join(loop))
            if target not in state:
                visit(target)
        stack.pop()
        state[node_id] = 2

    visit(algorithm.start)
    unreachable = [n.id for n in algorithm.nodes if n.id not in state]
    if unreachable:
        raise DataError(
            file,
            f"nodes[{unreachable[0]}]",
            f"unreachable from start {algorithm.start!r}: {', '.join(unreachable)}",
        )


def validate_algorithm(algorithm: Algorithm, file: str, fields: PatientFields) -> None:
    """All the checks beyond the schema; raise DataError naming ``file`` and the key at fault."""
    if algorithm.disorder not in DISORDERS:
        raise DataError(
            file, "disorder", f"unknown disorder {algorithm.disorder!r}; allowed: {', '.join(DISORDERS)}"
        )
    check_references(algorithm.references, file, "references")
    require_unique([n.id for n in algorithm.nodes], file, "nodes")
    require_unique([r.id for r in algorithm.rules], file, "rules")
    require_unique([n.id for n in algorithm.therapy_notes], file, "therapy_notes")
    fields_of = fields.fields_for(algorithm.disorder)
    facts: list[str] = []
    for name, expr in algorithm.facts.items():
        check_logic(expr, Variables(fields_of, frozenset(facts)), file, f"facts.{name}")
        facts.append(name)
    variables = Variables(fields_of, frozenset(facts))
    _check_graph(algorithm, file)
    classes = set(vocabulary().classes)
    for node in algorithm.nodes:
        where = f"nodes[{node.id}]"
        check_references(node.references, file, f"{where}.references")
        _check_therapies(node.offer, variables, file, f"{where}.offer")
        _check_therapies(node.avoid, variables, file, f"{where}.avoid")
        _check_warnings(node.warnings, variables, file, f"{where}.warnings")
        for index, branch in enumerate(node.branches):
            check_logic(branch.when, variables, file, f"{where}.branches[{index}].when")
        cont = node.continue_from_history
        if cont is not None:
            if cont.therapies:
                _check_ids(cont.therapies, file, f"{where}.continue_from_history.therapies")
            for cls in cont.classes:
                if cls not in classes:
                    raise DataError(
                        file,
                        f"{where}.continue_from_history.classes",
                        f"unknown therapy class {cls!r}; allowed: {sorted(classes)}",
                    )
            if not (cont.therapies or cont.classes):
                raise DataError(
                    file, f"{where}.continue_from_history", "name therapies or classes to continue"
                )
    for rule in algorithm.rules:
        where = f"rules[{rule.id}]"
        check_references(rule.references, file, f"{where}.references")
        check_logic(rule.when, variables, file, f"{where}.when")
        _check_therapies(rule.avoid, variables, file, f"{where}.avoid")
        _check_warnings(rule.warnings, variables, file, f"{where}.warnings")
    for note in algorithm.therapy_notes:
        where = f"therapy_notes[{note.id}]"
        check_references(note.references, file, f"{where}.references")
        _check_ids(note.therapies, file, f"{where}.therapies")
        if note.when is not None:
            check_logic(note.when, variables, file, f"{where}.when")
    for preset_id, preset in algorithm.presets.items():
        if preset.expect is not None:
            expect = preset.expect
            for key in ("offers_include", "offers_exclude", "offers_exactly", "avoid_include"):
                ids = getattr(expect, key)
                if ids:
                    _check_ids(ids, file, f"presets.{preset_id}.expect.{key}")
            nodes = algorithm.node_map()
            for step in expect.path_includes:
                if step not in nodes and step not in {r.id for r in algorithm.rules}:
                    raise DataError(
                        file, f"presets.{preset_id}.expect.path_includes", f"no node or rule {step!r}"
                    )


# --------------------------------------------------------------------------------------------- loaders


def algorithm_file(disorder: str) -> Path:
    """Where a disorder's pathway lives (it may not exist yet)."""
    return data_path(Path(ALGORITHMS_DIR) / f"{disorder}.yaml")


def available_algorithms() -> list[str]:
    """Disorders whose pathway file exists, in the order of ``DISORDERS``."""
    return [d for d in DISORDERS if algorithm_file(d).exists()]


@lru_cache(maxsize=16)
def _algorithm(stamp: tuple[str, int, int], fields_stamp: tuple[str, int, int]) -> Algorithm:
    path = Path(stamp[0])
    algorithm = load_yaml_model(path, Algorithm)
    validate_algorithm(algorithm, display_name(path), load_patient_fields())
    return algorithm


def load_algorithm(disorder_or_path: str | Path) -> Algorithm:
    """Load and validate a pathway, by disorder name or by file path (cached until the file changes).

    A missing file raises DataError ("file not found"); any fault raises DataError naming the file and the
    key.
    """
    if isinstance(disorder_or_path, Path) or disorder_or_path.endswith((".yaml", ".yml")):
        path = Path(disorder_or_path)
        if not path.is_absolute():
            path = data_path(path)
    else:
        path = algorithm_file(disorder_or_path)
    algorithm = _algorithm(file_stamp(path), patient_fields_stamp())
    expected = path.stem
    if algorithm.disorder != expected:
        raise DataError(
            display_name(path),
            "disorder",
            f"{algorithm.disorder!r} does not match the file name {expected!r}",
        )
    return algorithm
