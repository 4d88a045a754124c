"""Lower a validated pathway, with the patient checks and the engine's generic rules, into one JSON program.

Why: the course walks a pathway in two places, the Python engine (a kernel) and the published book's browser
explorer (no kernel). Rather than two implementations kept in step by hand, each validated pathway is lowered
once, here, into plain data that both interpret: :mod:`nmd_immuno.engine.walker` (``run_program``) and
``static/explorer.js``. Everything a walk needs is resolved at lowering time, so both interpreters stay small:

* the patient checks: each field's type, range, default and "allowed" text, the refusal templates of
  :mod:`nmd_immuno.engine.patient` (filled in one pass by :func:`fill`, in both languages), the Python
  names of the JSON types, and "did you mean" suggestions computed with :mod:`difflib` for the usual typos
  of every field name and therapy id (a deleted, doubled or swapped character, another case);
* the walk: conditions (JsonLogic, evaluated by json-logic in Python and json-logic-js in the browser), each
  node's offers, avoids (with their reason already written), warnings and references in one shape, the
  therapy classes of ``continue_from_history`` expanded into therapy ids, the path step each node or rule
  adds, and the generic rules (never offer, not again, nothing left) with their texts.

The program holds no logic of its own beyond JsonLogic, and no text that the interpreters compose: a message
is a template of this module's data filled with the offending value.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from nmd_immuno.content.algorithms import Algorithm, TherapyItem, WarningItem, algorithm_file
from nmd_immuno.content.loader import display_name
from nmd_immuno.content.patient_fields import load_patient_fields, patient_fields_stamp
from nmd_immuno.content.therapies import THERAPY_IDS, vocabulary
from nmd_immuno.content.vocabulary import OUTCOMES

PROGRAM_VERSION = 1

#: The reason a therapy avoided by a pathway node is given, before the node's title.
STEP_REASON_PREFIX = "pathway step: "
NEVER_OFFER = {"intolerant": "recorded as not tolerated", "contraindicated": "recorded as contraindicated"}
NOT_AGAIN = {"no_response": "no response recorded"}
NOTHING_LEFT = (
    "Every option of this step has already been tried without success or cannot be used: "
    "the course's pathway ends here; such a patient belongs with a specialist centre."
)

#: The refusals of :func:`nmd_immuno.engine.patient.validate_patient`. Placeholders are ``{word}``; a value
#: put in is never scanned again (see :func:`fill`), and braces that do not enclose one word stay as written.
MESSAGES = {
    "disorder": "disorder: {value} is not a known disorder; allowed: {allowed}",
    "not_mapping": "patient: expected a mapping of field names to values, got {type}",
    "unknown_field": "{name}: unknown field for {disorder}{hint}; allowed fields: {allowed}",
    "hint": " (did you mean {value}?)",
    "missing": "{name}: missing required field; allowed: {allowed}",
    "not_allowed": "{name}: {value} is not allowed; allowed: {allowed}",
    "not_a_number": "{name}: {value} is not a number; allowed: {allowed}",
    "out_of_range": "{name}: {value} is out of range; allowed: {allowed}",
    "history_not_mapping": (
        "{name}: {value} is not allowed; allowed: a mapping {therapy id: outcome}, "
        "e.g. {'pyridostigmine': 'partial'}"
    ),
    "unknown_therapy": "{name}: unknown therapy id {value}{hint}; allowed: {allowed}",
    "bad_outcome": "{name}.{therapy}: outcome {value} is not allowed; allowed: {allowed}",
    "combination": "{fields}: invalid combination ({given}): {message}",
}

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def fill(template: str, **parts: str) -> str:
    """``template`` with each ``{word}`` of ``parts`` replaced, in one pass (explorer.js does the same)."""
    return _PLACEHOLDER.sub(lambda m: parts.get(m.group(1), m.group(0)), template)


def close_match(word: str, options: Iterable[str]) -> str | None:
    """The engine's "did you mean" (difflib, n=1, cutoff 0.6); None when nothing is close."""
    found = difflib.get_close_matches(word, list(options), n=1)
    return found[0] if found else None


def typos(word: str) -> set[str]:
    """The usual slips of typing ``word``: one character left out, doubled or swapped with the next, and the
    word in upper case or capitalised."""
    found = {word.upper(), word.capitalize()}
    for i in range(len(word)):
        found.add(word[:i] + word[i + 1 :])
        found.add(word[:i] + word[i] + word[i:])
        if i + 1 < len(word):
            found.add(word[:i] + word[i + 1] + word[i] + word[i + 2 :])
    return found


def suggestions(options: list[str]) -> dict[str, Any]:
    """The engine's suggestion for every typo (:func:`typos`) of every option that it would answer with one:
    ``{"shown": [repr of each option], "typos": {typo: index into shown}}``; the browser shows no suggestion
    for other words (a form never sends them: its fields and therapies are fixed lists)."""
    index = {option: i for i, option in enumerate(options)}
    table: dict[str, int] = {}
    for option in options:
        for typo in sorted(typos(option) - set(options)):
            if typo and typo not in table:
                close = close_match(typo, options)
                if close is not None:
                    table[typo] = index[close]
    return {"shown": [repr(option) for option in options], "typos": table}


def _python_type_names() -> dict[str, str]:
    """JSON type (as explorer.js names it) -> Python's ``type(x).__name__`` of the decoded value."""
    samples = {"null": None, "boolean": True, "int": 1, "float": 1.5, "string": "", "array": []}
    return {key: type(value).__name__ for key, value in samples.items()}


def _literals() -> dict[str, str]:
    """How Python writes the JSON constants and the non-finite floats inside a message."""
    return {
        "null": repr(None),
        "true": repr(True),
        "false": repr(False),
        "nan": repr(math.nan),
        "inf": repr(math.inf),
        "-inf": repr(-math.inf),
    }


# ------------------------------------------------------------------------------------------- the patient


@lru_cache(maxsize=16)
def _patient_part(disorder: str, fields_stamp: tuple[str, int, int]) -> dict[str, Any]:
    fields = load_patient_fields()
    specs = fields.fields_for(disorder)
    therapy_ids = sorted(THERAPY_IDS)
    return {
        "fields": {
            name: {
                "type": spec.type,
                "required": spec.required,
                "default": spec.default,
                "values": spec.values,
                "min": spec.min,
                "max": spec.max,
                "allowed": spec.allowed(),
            }
            for name, spec in specs.items()
        },
        "field_names": ", ".join(specs),
        "therapy_ids": therapy_ids,
        "therapies_allowed": ", ".join(therapy_ids),
        "outcomes": list(OUTCOMES),
        "outcomes_allowed": ", ".join(OUTCOMES),
        "constraints": [
            {"fields": c.fields, "when": c.invalid_when, "message": c.message}
            for c in fields.constraints_for(disorder)
        ],
        "suggest": {"fields": suggestions(list(specs)), "therapies": suggestions(therapy_ids)},
        "messages": MESSAGES,
        "type_names": _python_type_names(),
        "literals": _literals(),
    }


def patient_program(disorder: str) -> dict[str, Any]:
    """The patient checks of ``disorder`` as data (cached and shared: treat it as read-only)."""
    return _patient_part(disorder, patient_fields_stamp())


# ------------------------------------------------------------------------------------------- the walk


def _therapy_items(items: list[TherapyItem]) -> list[list[Any]]:
    """[condition or None, therapy ids] per item, in the pathway's order (same indices as the file)."""
    return [[None, [item]] if isinstance(item, str) else [item.when, list(item.therapies)] for item in items]


def _warning_items(items: list[str | WarningItem]) -> list[list[Any]]:
    """[condition or None, text, references] per item (same indices as the file)."""
    return [
        [None, item, []] if isinstance(item, str) else [item.when, item.text, list(item.references)]
        for item in items
    ]


def _step(item: Any, kind: str) -> dict[str, Any]:
    return {
        "id": item.id,
        "title": item.title,
        "rationale": item.rationale,
        "references": list(item.references),
        "kind": kind,
    }


def lower_pathway(algorithm: Algorithm) -> dict[str, Any]:
    """The walk of ``algorithm`` (already validated by the loader) as a JSON-ready program."""
    vocab = vocabulary()
    class_of = vocab.class_of()
    nodes: dict[str, Any] = {}
    for node in algorithm.nodes:
        cont = node.continue_from_history
        continued = None
        if cont is not None:
            ids = [t for t in class_of if t in cont.therapies or class_of[t] in cont.classes]
            continued = {"outcomes": list(cont.outcomes), "therapies": ids}
        nodes[node.id] = {
            "offer": _therapy_items(node.offer),
            "continue": continued,
            "avoid": _therapy_items(node.avoid),
            "reason": f"{STEP_REASON_PREFIX}{node.title}",
            "warnings": _warning_items(node.warnings),
            "references": list(node.references),
            "branches": [[b.when, b.label, b.goto] for b in node.branches],
            "otherwise": [node.otherwise_label, node.otherwise] if node.branches else None,
            "next": node.next,
            "step": _step(node, node.kind),
        }
    return {
        "start": algorithm.start,
        "references": list(algorithm.references),
        "facts": [[name, expr] for name, expr in algorithm.facts.items()],
        "nodes": nodes,
        "rules": [
            {
                "when": rule.when,
                "avoid": _therapy_items(rule.avoid),
                "reason": rule.title,
                "warnings": _warning_items(rule.warnings),
                "references": list(rule.references),
                "step": _step(rule, "rule"),
            }
            for rule in algorithm.rules
        ],
        "notes": [
            {
                "id": note.id,
                "therapies": list(note.therapies),
                "when": note.when,
                "text": note.text,
                "references": list(note.references),
            }
            for note in algorithm.therapy_notes
        ],
        "never_offer": NEVER_OFFER,
        "not_again": NOT_AGAIN,
        "nothing_left": NOTHING_LEFT,
        "classes": list(vocab.classes),
        "class_of": class_of,
    }


_PROGRAMS: dict[int, tuple[Algorithm, dict[str, Any]]] = {}


def pathway_program(algorithm: Algorithm) -> dict[str, Any]:
    """The whole program of a loaded pathway: patient checks and walk (lowered once per loaded file)."""
    cached = _PROGRAMS.get(id(algorithm))
    if cached is not None and cached[0] is algorithm:
        return cached[1]
    program = {
        "version": PROGRAM_VERSION,
        "disorder": algorithm.disorder,
        "title": algorithm.title,
        "file": display_name(algorithm_file(algorithm.disorder)),
        "patient": patient_program(algorithm.disorder),
        "walk": lower_pathway(algorithm),
    }
    _PROGRAMS[id(algorithm)] = (algorithm, program)  # keeps the object alive, so its id is never reused
    return program


def program_for(disorder: str) -> dict[str, Any]:
    """The program of ``disorder``'s validated pathway (raises as :func:`~nmd_immuno.engine.load_pathway`)."""
    from nmd_immuno.engine.walker import load_pathway

    return pathway_program(load_pathway(disorder))

