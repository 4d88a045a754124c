"""Static checks of the JsonLogic conditions written in ``data/`` (pathways and patient-field constraints).

Why: a condition is clinical content that a clinician edits by hand. One that uses a non-standard operator
would evaluate differently in the browser (json-logic-js) than in Python, and one that reads a misspelt
variable or compares a field with a value it can never take silently never fires. Both are refused at load
time, naming the file and the key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from nmd_immuno.content.therapies import THERAPY_IDS, vocabulary
from nmd_immuno.content.vocabulary import OUTCOMES, RESERVED_CONTEXT_NAMES
from nmd_immuno.errors import DataError

if TYPE_CHECKING:
    from nmd_immuno.content.patient_fields import FieldSpec

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


@dataclass(frozen=True)
class Variables:
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


def check_logic(expr: Any, variables: Variables, file: str, location: str) -> None:
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


def _check_compared_values(op: str, args: list[Any], variables: Variables, file: str, where: str) -> None:
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
