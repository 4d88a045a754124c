"""Schemas and loaders for the treatment pathways (``data/algorithms/<disorder>.yaml``) and the patient fields
(``data/patient_fields.yaml``).

Why this module is strict: a pathway is clinical content that a clinician edits by hand, and the engine walks
it without knowing any disease. Every mistake that could silently change a recommendation is refused here, at
load time, with the file and the key: an unknown therapy id, a missing or unknown citation, a goto to a node
that does not exist, a graph that loops or has unreachable parts, a condition that uses a non-standard
JsonLogic operator or reads a patient field (or a field value) that does not exist.

Conditions are JsonLogic restricted to the standard operators of json-logic-js, so the same file can later be
evaluated in the browser. The variables a condition may read are described in :data:`CONTEXT_HELP`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from nmd_immuno.content.bibliography import check_references
from nmd_immuno.content.loader import data_path, display_name, load_yaml_model, require_unique
from nmd_immuno.content.therapies import THERAPY_IDS, vocabulary
from nmd_immuno.errors import DataError

ALGORITHMS_DIR = "algorithms"
PATIENT_FIELDS_FILE = "patient_fields.yaml"

#: The six outcomes a history entry may record (public API vocabulary).
OUTCOMES: tuple[str, ...] = (
    "response",
    "partial",
    "no_response",
    "intolerant",
    "contraindicated",
    "relapse_on_taper",
)

#: Standard json-logic-js operators (``log`` left out: it has a side effect). Nothing else is accepted, so
#: that a pathway evaluates the same way in Python (panzi-json-logic) and in a browser (json-logic-js).
JSONLOGIC_OPERATORS: frozenset[str] = frozenset(
    {
        "var", "missing", "missing_some",
        "if", "?:", "==", "===", "!=", "!==", "!", "!!", "or", "and",
        ">", ">=", "<", "<=", "max", "min", "+", "-", "*", "/", "%",
        "map", "reduce", "filter", "all", "none", "some", "merge", "in", "cat", "substr",
    }
)  # fmt: skip

#: Operators whose second and later arguments are evaluated against each list item, not the patient.
_ITERATING_OPERATORS = frozenset({"map", "reduce", "filter", "all", "none", "some"})

#: Names the engine adds to the patient fields before evaluating a condition; a patient field may not use
#: them.
RESERVED_CONTEXT_NAMES = frozenset({"tried", "outcomes", "count", "facts"})

CONTEXT_HELP = """\
A condition reads these variables ({"var": "name"}):
  <field>                     a patient field of the disorder (data/patient_fields.yaml), defaults filled in
  history.<therapy>           the outcome recorded for that therapy, or null if never tried
  tried                       list of the therapy ids in the history
  outcomes.<outcome>          list of the therapy ids with that outcome
  count.<class>.<outcome>     how many therapies of that class (data/therapies.yaml) have that outcome
  count.<class>.any           how many therapies of that class were tried
  facts.<name>                a value defined earlier in the file's `facts` section
"""

JsonLogic = dict[str, Any] | bool  # a JsonLogic operation, or a literal true/false


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --------------------------------------------------------------------------------------------- patient fields


class FieldSpec(_Strict):
    """One patient field: its type, what it accepts, and whether it may be left out."""

    type: Literal["choice", "bool", "number", "history"]
    label: str
    values: list[str] | None = None
    value_labels: dict[str, str] = Field(default_factory=dict)
    min: float | None = None
    max: float | None = None
    unit: str | None = None
    required: bool = True
    default: Any = None

    @model_validator(mode="after")
    def _consistent(self) -> FieldSpec:
        if self.type == "choice":
            if not self.values:
                raise ValueError("a choice field needs a non-empty list of values")
            unknown = sorted(set(self.value_labels) - set(self.values))
            if unknown:
                raise ValueError(f"value_labels for values that are not allowed: {unknown}")
            if self.default is not None and self.default not in self.values:
                raise ValueError(f"default {self.default!r} is not one of the values {self.values}")
        elif self.values is not None:
            raise ValueError(f"only choice fields have values (this field is {self.type})")
        if self.type == "number":
            if self.min is None or self.max is None or self.min > self.max:
                raise ValueError("a number field needs min <= max")
        elif self.min is not None or self.max is not None:
            raise ValueError(f"only number fields have min/max (this field is {self.type})")
        if self.type == "bool" and self.default is not None and not isinstance(self.default, bool):
            raise ValueError(f"default of a bool field must be true or false, not {self.default!r}")
        return self

    def allowed(self) -> str:
        """Human-readable description of what the field accepts (used in PatientError messages)."""
        if self.type == "choice":
            return "one of " + ", ".join(repr(v) for v in self.values or [])
        if self.type == "bool":
            return "true or false"
        if self.type == "number":
            unit = f" {self.unit}" if self.unit else ""
            return f"a number from {self.min:g} to {self.max:g}{unit}"
        return "a mapping {therapy id: outcome}"

    def label_of(self, value: str) -> str:
        return self.value_labels.get(value, value)


class Constraint(_Strict):
    """A combination of field values that cannot describe a real patient."""

    id: str
    fields: list[str]
    message: str
    invalid_when: JsonLogic
    disorders: list[str] | None = None  # None: every disorder


class PatientFields(_Strict):
    """The whole ``data/patient_fields.yaml``."""

    outcomes: dict[str, str]
    common: dict[str, FieldSpec]
    disorders: dict[str, dict[str, FieldSpec]]
    constraints: list[Constraint] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> PatientFields:
        if tuple(self.outcomes) != OUTCOMES:
            raise ValueError(f"outcomes must be exactly {list(OUTCOMES)} in this order")
        for disorder, fields in self.disorders.items():
            clash = sorted(set(fields) & set(self.common))
            if clash:
                raise ValueError(f"disorder {disorder!r} redefines common fields {clash}")
        for where, fields in [("common", self.common), *self.disorders.items()]:
            reserved = sorted(set(fields) & RESERVED_CONTEXT_NAMES)
            if reserved:
                raise ValueError(f"{where}: field names {reserved} are reserved for the engine")
            for name, spec in fields.items():
                if spec.type == "history" and name != "history":
                    raise ValueError(f"{where}.{name}: only the field 'history' may have type history")
        return self

    def fields_for(self, disorder: str) -> dict[str, FieldSpec]:
        """Common fields followed by the disorder's own fields."""
        return {**self.common, **self.disorders[disorder]}

    def constraints_for(self, disorder: str) -> list[Constraint]:
        return [c for c in self.constraints if c.disorders is None or disorder in c.disorders]


# --------------------------------------------------------------------------------------------- algorithms


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


class PresetExpectation(_Strict):
    """What a preset patient must get; checked by the tests, so an edit cannot silently break a case."""

    offers_include: list[str] = Field(default_factory=list)
    offers_exclude: list[str] = Field(default_factory=list)
    avoid_include: list[str] = Field(default_factory=list)
    path_includes: list[str] = Field(default_factory=list)


class Preset(_Strict):
    label: str
    description: str = ""
    patient: dict[str, Any]
    expect: PresetExpectation | None = None


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


# ------------------------------------------------------------------------------------------- JsonLogic checks


@dataclass(frozen=True)
class _Vars:
    """What a condition in one file may read: field specs and the facts defined so far."""

    fields: dict[str, FieldSpec]
    facts: frozenset[str]

    def check(self, path: str) -> str | None:
        """None if ``path`` names a readable variable, else the reason it does not."""
        parts = path.split(".")
        root = parts[0]
        classes = set(vocabulary().classes)
        if root in self.fields and root != "history":
            return None if len(parts) == 1 else f"field {root!r} has no sub-field {'.'.join(parts[1:])!r}"
        if root == "history":
            if len(parts) == 1:
                return None
            if len(parts) == 2 and parts[1] in THERAPY_IDS:
                return None
            return f"{path!r}: {parts[1]!r} is not a therapy id of data/therapies.yaml"
        if root == "tried" and len(parts) == 1:
            return None
        if root == "outcomes":
            if len(parts) == 2 and parts[1] in OUTCOMES:
                return None
            return f"{path!r}: expected outcomes.<one of {', '.join(OUTCOMES)}>"
        if root == "count":
            if len(parts) == 3 and parts[1] in classes and parts[2] in (*OUTCOMES, "any"):
                return None
            return (
                f"{path!r}: expected count.<therapy class>.<outcome or 'any'>; classes: {', '.join(classes)}"
            )
        if root == "facts":
            if len(parts) == 2 and parts[1] in self.facts:
                return None
            return f"{path!r}: no fact of that name is defined earlier in the facts section"
        known = ", ".join(sorted(set(self.fields) | RESERVED_CONTEXT_NAMES))
        return f"unknown variable {path!r} (known: {known})"

    def values_of(self, path: str) -> list[str] | None:
        """The allowed literal values to compare ``path`` with, when they are a closed set."""
        parts = path.split(".")
        if parts[0] == "history" and len(parts) == 2:
            return list(OUTCOMES)
        spec = self.fields.get(path)
        if spec is not None and spec.type == "choice":
            return list(spec.values or [])
        return None


def _var_name(expr: Any) -> str | None:
    """The variable path of ``{"var": "x"}`` / ``{"var": ["x", default]}``, else None."""
    if isinstance(expr, dict) and len(expr) == 1 and "var" in expr:
        arg = expr["var"]
        if isinstance(arg, list):
            arg = arg[0] if arg else ""
        return arg if isinstance(arg, str) else None
    return None


def check_logic(expr: Any, variables: _Vars, file: str, location: str) -> None:
    """Refuse a condition a standard JsonLogic evaluator would reject or that reads an unknown variable."""
    if isinstance(expr, list):
        for index, item in enumerate(expr):
            check_logic(item, variables, file, f"{location}[{index}]")
        return
    if not isinstance(expr, dict):
        if expr is not None and not isinstance(expr, str | int | float | bool):
            raise DataError(file, location, f"{expr!r} is not a JSON value (quote dates and the like)")
        return
    if len(expr) != 1:
        raise DataError(
            file, location, f"a JsonLogic operation has exactly one operator key, found {sorted(expr)}"
        )
    ((op, args),) = expr.items()
    if op not in JSONLOGIC_OPERATORS:
        raise DataError(
            file,
            location,
            f"unknown JsonLogic operator {op!r}; allowed (standard json-logic-js): "
            + ", ".join(sorted(JSONLOGIC_OPERATORS)),
        )
    args = args if isinstance(args, list) else [args]
    where = f"{location}.{op}"
    if op == "var":
        name = _var_name(expr)
        if name is None:
            raise DataError(file, where, f"var needs a literal variable name, found {args!r}")
        problem = variables.check(name)
        if problem:
            raise DataError(file, where, problem + "\n" + CONTEXT_HELP)
        return
    if op in _ITERATING_OPERATORS:
        # Only the list argument reads the patient; the others read each item.
        if args:
            check_logic(args[0], variables, file, f"{where}[0]")
        for index, arg in enumerate(args[1:], start=1):
            _check_operators_only(arg, file, f"{where}[{index}]")
        return
    if op in {"==", "===", "!=", "!==", "in"} and len(args) >= 2:
        _check_compared_values(op, args, variables, file, where)
    for index, arg in enumerate(args):
        check_logic(arg, variables, file, f"{where}[{index}]")


def _check_operators_only(expr: Any, file: str, location: str) -> None:
    if isinstance(expr, list):
        for index, item in enumerate(expr):
            _check_operators_only(item, file, f"{location}[{index}]")
    elif isinstance(expr, dict):
        if len(expr) != 1:
            raise DataError(
                file, location, f"a JsonLogic operation has exactly one operator key, found {sorted(expr)}"
            )
        ((op, args),) = expr.items()
        if op not in JSONLOGIC_OPERATORS:
            raise DataError(file, location, f"unknown JsonLogic operator {op!r}")
        _check_operators_only(args, file, f"{location}.{op}")


def _check_compared_values(op: str, args: list[Any], variables: _Vars, file: str, where: str) -> None:
    """``{"==": [{"var": "antibody"}, "achr"]}``: the literal must be a value the field can take."""
    if op == "in":
        name, literals = _var_name(args[0]), args[1]
        literals = literals if isinstance(literals, list) else None
    else:
        name = _var_name(args[0]) or _var_name(args[1])
        other = args[1] if _var_name(args[0]) else args[0]
        literals = [other] if isinstance(other, str) else None
    if name is None or literals is None:
        return
    allowed = variables.values_of(name)
    if allowed is None:
        return
    for literal in literals:
        if isinstance(literal, str) and literal not in allowed:
            raise DataError(
                file,
                where,
                f"{name!r} is compared with {literal!r}, which it can never be; allowed: {allowed}",
            )


# -------------------------------------------------------------------------------------------- semantic checks


def _check_therapies(items: list[TherapyItem], variables: _Vars, file: str, location: str) -> None:
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


def _check_warnings(items: list[str | WarningItem], variables: _Vars, file: str, location: str) -> None:
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
    from nmd_immuno import DISORDERS

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
        check_logic(expr, _Vars(fields_of, frozenset(facts)), file, f"facts.{name}")
        facts.append(name)
    variables = _Vars(fields_of, frozenset(facts))
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
            for key in ("offers_include", "offers_exclude", "avoid_include"):
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
    from nmd_immuno import DISORDERS

    return [d for d in DISORDERS if algorithm_file(d).exists()]


def _stamp(path: Path) -> tuple[str, int]:
    # Cache key: the file and its modification time, so an edit in a live notebook is picked up.
    try:
        return str(path), os.stat(path).st_mtime_ns
    except FileNotFoundError:
        return str(path), -1


@lru_cache(maxsize=8)
def _patient_fields(stamp: tuple[str, int]) -> PatientFields:
    fields = load_yaml_model(Path(stamp[0]), PatientFields)
    from nmd_immuno import DISORDERS

    name = display_name(Path(stamp[0]))
    if set(fields.disorders) != set(DISORDERS):
        raise DataError(name, "disorders", f"must list exactly the disorders {list(DISORDERS)}")
    for constraint in fields.constraints:
        for disorder in constraint.disorders or DISORDERS:
            if disorder not in DISORDERS:
                raise DataError(
                    name, f"constraints[{constraint.id}].disorders", f"unknown disorder {disorder!r}"
                )
            variables = _Vars(fields.fields_for(disorder), frozenset())
            check_logic(
                constraint.invalid_when, variables, name, f"constraints[{constraint.id}].invalid_when"
            )
            for field in constraint.fields:
                if field not in fields.fields_for(disorder):
                    raise DataError(
                        name,
                        f"constraints[{constraint.id}].fields",
                        f"unknown field {field!r} for {disorder}",
                    )
    return fields


def load_patient_fields() -> PatientFields:
    """The validated ``data/patient_fields.yaml`` (cached until the file changes)."""
    return _patient_fields(_stamp(data_path(PATIENT_FIELDS_FILE)))


@lru_cache(maxsize=16)
def _algorithm(stamp: tuple[str, int], fields_stamp: tuple[str, int]) -> Algorithm:
    path = Path(stamp[0])
    algorithm = load_yaml_model(path, Algorithm)
    validate_algorithm(algorithm, display_name(path), _patient_fields(fields_stamp))
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
    fields_stamp = _stamp(data_path(PATIENT_FIELDS_FILE))
    load_patient_fields()
    algorithm = _algorithm(_stamp(path), fields_stamp)
    expected = path.stem
    if algorithm.disorder != expected:
        raise DataError(
            display_name(path),
            "disorder",
            f"{algorithm.disorder!r} does not match the file name {expected!r}",
        )
    return algorithm
