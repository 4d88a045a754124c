"""What every calculator shares: input validation, rounding, the gathering of warnings with their sources,
the shared hard stops, the result base class and the refusal object.

Why strict validation: a dose calculator that silently accepts ``weight_kg=True`` (== 1), ``"70"``, ``nan``
or a weight in pounds teaches the wrong lesson and can produce a plausible-looking wrong number. Every
check raises :class:`~nmd_immuno.errors.DoseInputError` whose message names the field, the value given and
what is allowed.

Why one result base class: notebooks, widgets, the static book and nbgrader assignments all show results the
same way (``_repr_html_`` table, ``as_dict()``, ``str()``), each with its warnings, references and the
teaching-only disclaimer.
"""

from __future__ import annotations

import dataclasses
import html
import math
import numbers
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar, Protocol

from nmd_immuno.content.bibliography import format_reference
from nmd_immuno.dosing.parameters import AgeLimit, Limit, dosing_parameters
from nmd_immuno.errors import DoseInputError, DoseRefused

# ---------------------------------------------------------------------------------------------- validation


def _fmt(value: float) -> str:
    """A number without a pointless '.0' (2.0 -> '2', 0.4 -> '0.4')."""
    return f"{value:g}"


def _given(value: float) -> str:
    """The value a user typed, as typed: compact when that is exact (65.6), else in full (350.00000000000006)
    so an out-of-range message never shows a value that looks allowed."""
    short = _fmt(value)
    return short if float(short) == value else repr(value)


NOT_GIVEN = "not given"


def given_as(value: object, shown: str | None = None) -> str:
    """How a value the user gave appears in a message: ``shown`` (or the value itself), and "not given" for
    None. Why: readers are clinicians, not Python programmers; "None" reads as a value someone typed."""
    if value is None:
        return NOT_GIVEN
    return str(value) if shown is None else shown


def allowed_range(limit: Limit) -> str:
    """'allowed: 2 to 350 kg': the end of every out-of-range message."""
    unit = f" {limit.unit}" if limit.unit else ""
    return f"allowed: {_fmt(limit.min)} to {_fmt(limit.max)}{unit}"


def _is_bool(value: object) -> bool:
    # numpy.bool_ is not a subclass of bool; check by name to avoid importing numpy here.
    return isinstance(value, bool) or type(value).__name__ in {"bool_", "bool"}


def number(name: str, value: object, limit: Limit) -> float:
    """A finite real number within ``limit``; bools, strings, NaN and infinity are refused."""
    allowed = allowed_range(limit)
    if value is None:
        raise DoseInputError(f"{name}: {given_as(value)}; {allowed}")
    if _is_bool(value):
        raise DoseInputError(f"{name}: {value!r} is a yes/no value, not a number; {allowed}")
    if not isinstance(value, numbers.Real):
        raise DoseInputError(f"{name}: {value!r} ({type(value).__name__}) is not a number; {allowed}")
    try:
        result = float(value)
    except OverflowError:  # an int beyond the largest float (about 1.8e308): 10**400 has 401 digits
        raise DoseInputError(
            f"{name}: an integer with more than 308 digits is too large to be a number; {allowed}"
        ) from None
    if not math.isfinite(result):
        raise DoseInputError(f"{name}: {value!r} is not a finite number; {allowed}")
    if not limit.min <= result <= limit.max:
        raise DoseInputError(f"{name}: {_given(result)} is outside the allowed range; {allowed}")
    return result


def whole_number(name: str, value: object, limit: Limit) -> int:
    """A whole number within ``limit`` (``5`` or ``5.0``; not ``5.5``, not ``True``)."""
    result = number(name, value, limit)
    if not result.is_integer():
        raise DoseInputError(f"{name}: {value!r} is not a whole number; {allowed_range(limit)}")
    return int(result)


def choice(name: str, value: object, allowed: Iterable[str]) -> str:
    """One of a fixed set of strings."""
    options = list(allowed)
    if not isinstance(value, str) or value not in options:
        raise DoseInputError(f"{name}: {value!r} is not allowed; allowed: {', '.join(map(repr, options))}")
    return value


def flag(name: str, value: object) -> bool:
    """A yes/no value: only True or False (not 1, 0 or 'yes')."""
    if not _is_bool(value):
        raise DoseInputError(
            f"{name}: {value!r} ({type(value).__name__}) is not True or False; allowed: True, False"
        )
    return bool(value)


def choices(name: str, values: object, allowed: Sequence[str]) -> tuple[str, ...]:
    """A collection of ids from ``allowed`` (list, tuple or set; a bare string is refused), in ``allowed``
    order."""
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise DoseInputError(
            f"{name}: {values!r} is not a list of ids; give a list such as ['{allowed[0]}'] (or an empty "
            "list)"
        )
    given = list(values)
    for item in given:
        if not isinstance(item, str) or item not in allowed:
            raise DoseInputError(f"{name}: {item!r} is not a known id; allowed: {', '.join(allowed)}")
    return tuple(item for item in allowed if item in given)


def limits() -> Any:
    """The input plausibility limits from ``data/dosing.yaml``."""
    return dosing_parameters().input_limits


def weight(value: object, name: str = "weight_kg") -> float:
    return number(name, value, limits().weight_kg)


def height(value: object, name: str = "height_cm") -> float:
    return number(name, value, limits().height_cm)


def age(value: object, name: str = "age") -> float:
    return number(name, value, limits().age)


def hematocrit(value: object, name: str = "hematocrit") -> float:
    return number(name, value, limits().hematocrit)


def sex(value: object, name: str = "sex") -> str:
    return choice(name, value, ("female", "male"))


def body_mass_index(weight_kg: float, height_cm: float) -> float:
    """BMI of already-validated weight and height; refuses a combination no human body has (a typo)."""
    bmi = weight_kg / (height_cm / 100.0) ** 2
    limit = limits().bmi
    if not limit.min <= bmi <= limit.max:
        raise DoseInputError(
            f"weight_kg/height_cm: {_fmt(weight_kg)} kg at {_fmt(height_cm)} cm gives a body mass index of "
            f"{bmi:.1f}, outside the plausible range {_fmt(limit.min)} to {_fmt(limit.max)} kg/m²; "
            "check both values and their units"
        )
    return bmi


def unique(items: Iterable[str]) -> list[str]:
    """Items in first-seen order without repeats (references gathered from several sections)."""
    return list(dict.fromkeys(items))


# ---------------------------------------------------------------------------------------------- rounding


def _decimals(step: float) -> int:
    """Decimal places of a step as written: 250 -> 0, 2.5 -> 1, 0.1 -> 1."""
    exponent = Decimal(repr(float(step))).normalize().as_tuple().exponent
    return max(0, -int(exponent))


def round_down(value: float, step: float = 1.0) -> float:
    """``value`` rounded DOWN to a whole number of ``step`` (whole mg, 2.5 mg tablets, 10 g vials).

    Why one helper: a dose is rounded down so it never exceeds the calculation, but binary floats make
    15 mg/kg × 65.6 kg come out as 983.9999999999999. The small tolerance counts that as the 984 it is, and
    the final rounding to the step's decimals removes the float noise, so a whole-mg dose prints as 984, not
    as 983.9999999999999 (nor as 984.0000000000001 for 3 × 2.5 mg steps).
    """
    if not step > 0:
        raise ValueError(f"step: {step!r} must be a positive number")
    return float(round(math.floor(value / step + 1e-9) * float(step), _decimals(step)))


# ---------------------------------------------------------------------------------------------- warnings


class Cited(Protocol):
    """Anything from ``data/dosing.yaml`` that carries its sources (a cited value, range, text or drug)."""

    @property
    def references(self) -> list[str]: ...


class CitedWarning(Cited, Protocol):
    @property
    def text(self) -> str: ...


class Notes:
    """The notes, warnings and references a calculator gathers on its way to a result.

    Why: a warning shown without its source breaks the course's rule that every statement is cited. Adding a
    warning here cites it in the same call, so the two cannot drift apart, and the result's ``notes``,
    ``warnings`` and de-duplicated ``references`` come out together from :meth:`fields`.
    """

    def __init__(self, *sources: Cited) -> None:
        self.notes: list[str] = []
        self.warnings: list[str] = []
        self._references: list[str] = []
        self.cite(*sources)

    def cite(self, *sources: Cited) -> None:
        """Add the references of each source (a cited value, range, text, drug or regimen)."""
        for source in sources:
            self._references += source.references

    def warn(self, *items: CitedWarning) -> None:
        """Show each item's text as a warning, citing the item."""
        for item in items:
            self.warn_text(item.text, item)

    def warn_text(self, text: str, *sources: Cited) -> None:
        """A warning worded by the calculator (numbers put in front of a cited text), citing ``sources``."""
        self.warnings.append(text)
        self.cite(*sources)

    def note(self, text: str, *sources: Cited) -> None:
        """An explanatory note (how a number was reached), citing ``sources`` if any."""
        self.notes.append(text)
        self.cite(*sources)

    @property
    def references(self) -> list[str]:
        return unique(self._references)

    def fields(self) -> dict[str, list[str]]:
        """``notes``, ``warnings`` and ``references`` as keyword arguments for a :class:`DoseResult`."""
        return {"notes": list(self.notes), "warnings": list(self.warnings), "references": self.references}


# ---------------------------------------------------------------------------------------------- hard stops


def refuse_if_pregnant(refusal: CitedWarning, *, pregnant: object, planning_pregnancy: object) -> None:
    """DoseRefused with the drug's ``refusal`` text if the patient is pregnant or planning a pregnancy.

    Shared by the teratogenic drugs (methotrexate, mycophenolate) so the hard stop reads the same in both.
    Both flags are validated before either can refuse, so a mistyped flag is reported as invalid input.
    """
    flags = {
        "pregnant": flag("pregnant", pregnant),
        "planning_pregnancy": flag("planning_pregnancy", planning_pregnancy),
    }
    for name, value in flags.items():
        if value:
            raise DoseRefused(f"{name}: True. {refusal.text}")


def check_age(value: object, limit: AgeLimit, drug: str) -> float:
    """The validated age in years; DoseRefused below the youngest age the drug's label covers.

    Why a refusal and not a warning: the biologic calculators hold adult tables (nipocalimab: from 12 years),
    so a younger patient would otherwise get an adult dose. ``None`` (age not given) is refused as invalid
    input, since the check cannot be made without it. Shared by the complement and FcRn inhibitors.
    """
    if value is None:
        raise DoseInputError(
            f"age: {given_as(value)}; {allowed_range(limits().age)}. The label covers "
            f"{drug} in generalized myasthenia gravis only from {limit.min_years:g} years of age"
        )
    years = age(value)
    if years < limit.min_years:
        raise DoseRefused(
            f"age: {years:g} years is below {limit.min_years:g}, the youngest age the label covers for "
            f"{drug} in generalized myasthenia gravis. {limit.text}"
        )
    return years


# ---------------------------------------------------------------------------------------------- results


def _cell(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v) for v in value) or "—"
    return str(value)


_BOX = "border:1px solid #8884;border-radius:6px;padding:0.6em 0.9em;margin:0.5em 0;max-width:46em"


@dataclass(frozen=True, kw_only=True)
class DoseResult:
    """Base of every calculator result: numbers, warnings, references and the teaching-only disclaimer."""

    warnings: list[str]
    references: list[str]
    notes: list[str] = field(default_factory=list)

    title: ClassVar[str] = "Dose"

    def rows(self) -> list[tuple[str, object]]:
        """(label, value) pairs for the summary table; subclasses choose what a reader needs to see."""
        raise NotImplementedError

    @property
    def disclaimer(self) -> str:
        return dosing_parameters().disclaimer

    def as_dict(self) -> dict[str, Any]:
        """All fields as plain Python values (JSON-friendly), plus the result kind and the disclaimer."""
        data = dataclasses.asdict(self)
        data["kind"] = type(self).__name__
        data["disclaimer"] = self.disclaimer
        return data

    def __str__(self) -> str:
        lines = [self.title]
        lines += [f"  {label}: {_cell(value)}" for label, value in self.rows()]
        lines += ["Notes:"] + [f"  - {note}" for note in self.notes] if self.notes else []
        lines += ["Warnings:"] + [f"  - {warning}" for warning in self.warnings] if self.warnings else []
        lines += [f"References: {', '.join(self.references)}", f"({self.disclaimer})"]
        return "\n".join(lines)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # Plain-text display in IPython (terminal, text/plain): the readable summary, not the dataclass repr.
        printer.text(str(self))

    def _repr_html_(self) -> str:
        esc = html.escape
        body = "".join(
            "<tr><th "
            f"style='text-align:left;padding-right:1em'>{esc(label)}</th><td>{esc(_cell(value))}</td></tr>"
            for label, value in self.rows()
        )
        parts = [
            f"<div class='nmd-dose' style='{_BOX}'>",
            "<table class='nmd-dose-table'><caption "
            f"style='text-align:left;font-weight:bold'>{esc(self.title)}"
            f"</caption><tbody>{body}</tbody></table>",
        ]
        if self.notes:
            parts.append(
                "<ul class='nmd-dose-notes'>" + "".join(f"<li>{esc(n)}</li>" for n in self.notes) + "</ul>"
            )
        if self.warnings:
            parts.append(
                "<div class='nmd-dose-warnings' style='border-left:4px solid #d97706;padding-left:0.6em'>"
                "<strong>Warnings</strong><ul>"
                + "".join(f"<li>{esc(w)}</li>" for w in self.warnings)
                + "</ul></div>"
            )
        refs = "".join(
            f"<li>{esc(format_reference(key))} <code>[{esc(key)}]</code></li>" for key in self.references
        )
        parts.append(
            f"<details><summary>References ({len(self.references)})</summary><ol>{refs}</ol></details>"
        )
        parts.append(f"<p style='font-size:0.85em;font-style:italic'>{esc(self.disclaimer)}</p></div>")
        return "".join(parts)


@dataclass(frozen=True)
class Refusal:
    """A calculator's refusal (impossible input or a safety hard stop), displayable like a result.

    Why an object rather than only the exception: the widgets and the static book must show *why* a dose was
    refused, as a message, never as a traceback.
    """

    calculator: str
    kind: str  # "invalid input" or "refused"
    message: str

    def as_dict(self) -> dict[str, str]:
        return {
            "kind": "Refusal",
            "calculator": self.calculator,
            "refusal": self.kind,
            "message": self.message,
        }

    def __str__(self) -> str:
        return f"{self.calculator}: {self.kind}: {self.message}"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))

    def _repr_html_(self) -> str:
        esc = html.escape
        heading = "Input refused" if self.kind == "invalid input" else "Dose refused (safety stop)"
        return (
            f"<div class='nmd-dose nmd-dose-refusal' style='{_BOX};border-left:4px solid #dc2626'>"
            f"<strong>{esc(heading)}</strong> ({esc(self.calculator)})<p>{esc(self.message)}</p>"
            f"<p style='font-size:0.85em;font-style:italic'>{esc(dosing_parameters().disclaimer)}</p></div>"
        )


def attempt(calculator: Callable[..., DoseResult], *args: object, **kwargs: object) -> DoseResult | Refusal:
    """Call a calculator; return its result, or a :class:`Refusal` for invalid input or a safety stop.

    Only the course's own input and refusal errors are caught: a programming error still surfaces.
    """
    name = getattr(calculator, "__name__", "calculator")
    try:
        return calculator(*args, **kwargs)
    except DoseInputError as exc:
        return Refusal(name, "invalid input", str(exc))
    except DoseRefused as exc:
        return Refusal(name, "refused", str(exc))
