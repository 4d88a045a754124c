# ruff: noqa: E501 - the message templates are kept whole, word for word as the Python calculators write them
"""The dose calculators as JSON programs for the browser, generated from the validated ``data/dosing.yaml``.

Why: the static book has no Python, yet its calculators must give the same numbers, refusals, warnings and
messages as :mod:`nmd_immuno.dosing`, and no clinical number or rule may be typed into JavaScript. Each
function below lowers one calculator, step by step in the order the Python calculator takes them, into a
program of plain data: the inputs with their limits (validated as :mod:`~nmd_immuno.dosing.common` does),
computed values as JsonLogic expressions, refusals and notes as message templates, warnings with their
references, the result's fields and its table rows. Every number and text is read from the loaded
:class:`~nmd_immuno.dosing.parameters.DosingParameters` here, at build time. ``static/dosing.js`` interprets
the programs; ``tests/test_dosing_browser_parity.py`` runs it under node against the Python calculators on
thousands of generated inputs and requires identical results and messages.

The expressions are written with :class:`E`, a thin builder whose Python operators produce JsonLogic
(``V("dose") / V("n_days") > limit`` becomes ``{">": [{"/": [...]}, limit]}``).
"""

from __future__ import annotations

import string
from collections.abc import Callable
from typing import Any

from nmd_immuno.dosing.azathioprine import METABOLIZER_STATUSES
from nmd_immuno.dosing.common import _fmt
from nmd_immuno.dosing.ivig import WEIGHT_BASES
from nmd_immuno.dosing.methotrexate import ALLOWED_SCHEDULES
from nmd_immuno.dosing.parameters import (
    IVIG_RISK_FACTORS,
    Limit,
    band_label,
    dosing_parameters,
    mg_antibody_labels,
)
from nmd_immuno.dosing.plasma_exchange import exchange_schedule
from nmd_immuno.dosing.steroids import STARTS
from nmd_immuno.dosing.taper import steroid_taper

EPS = 1e-9

# ---------------------------------------------------------------------------------------------- expressions


def _json(value: Any) -> Any:
    if isinstance(value, E):
        return value.j
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    return value


class E:
    """A JsonLogic expression; arithmetic and comparisons build bigger ones (``&`` and ``|`` for and/or)."""

    def __init__(self, j: Any) -> None:
        self.j = j

    def _op(self, op: str, *others: Any) -> E:
        return E({op: [_json(self), *(_json(o) for o in others)]})

    def _rop(self, op: str, other: Any) -> E:
        return E({op: [_json(other), _json(self)]})

    def __add__(self, o: Any) -> E:
        return self._op("+", o)

    def __radd__(self, o: Any) -> E:
        return self._rop("+", o)

    def __sub__(self, o: Any) -> E:
        return self._op("-", o)

    def __rsub__(self, o: Any) -> E:
        return self._rop("-", o)

    def __mul__(self, o: Any) -> E:
        return self._op("*", o)

    def __rmul__(self, o: Any) -> E:
        return self._rop("*", o)

    def __truediv__(self, o: Any) -> E:
        return self._op("/", o)

    def __rtruediv__(self, o: Any) -> E:
        return self._rop("/", o)

    def __lt__(self, o: Any) -> E:  # type: ignore[override]
        return self._op("<", o)

    def __le__(self, o: Any) -> E:  # type: ignore[override]
        return self._op("<=", o)

    def __gt__(self, o: Any) -> E:  # type: ignore[override]
        return self._op(">", o)

    def __ge__(self, o: Any) -> E:  # type: ignore[override]
        return self._op(">=", o)

    def __and__(self, o: Any) -> E:
        return self._op("and", o)

    def __or__(self, o: Any) -> E:
        return self._op("or", o)

    def __invert__(self) -> E:
        return E({"!": [_json(self)]})

    def eq(self, o: Any) -> E:
        return self._op("===", o)

    def ne(self, o: Any) -> E:
        return self._op("!==", o)


def V(name: str) -> E:
    return E({"var": name})


def fn(op: str, *args: Any) -> E:
    return E({op: [_json(a) for a in args]})


def if_(cond: Any, then: Any, other: Any) -> E:
    return fn("if", cond, then, other)


def null(name: str) -> E:
    return fn("is_null", V(name))


def lookup(table: str, *keys: Any) -> E:
    """``tables.<table>.<key>...``: a value the generator precomputed from the Python model."""
    return E({"var": {"cat": [f"tables.{table}", *(x for k in keys for x in (".", _json(k)))]}})


# ---------------------------------------------------------------------------------------------- steps


def tmpl(text: str) -> list[Any]:
    """A message template ('{dose:g} g/kg') as parts: literal text and [variable, format spec] pairs."""
    parts: list[Any] = []
    for literal, name, spec, conversion in string.Formatter().parse(text):
        if literal:
            parts.append(literal)
        if name is not None:
            parts.append([name, "r" if conversion == "r" else spec])
    return parts


def lit(text: str) -> str:
    """A text from the data, safe inside a template (braces doubled)."""
    return text.replace("{", "{{").replace("}", "}}")


def _limit(limit: Limit) -> dict[str, Any]:
    return {"min": limit.min, "max": limit.max, "unit": limit.unit}


class Program:
    """One calculator's program, built step by step (the order of the Python calculator)."""

    def __init__(self, calculator: str, kind: str, title: str) -> None:
        self.data: dict[str, Any] = {
            "id": calculator,
            "kind": kind,
            "title": title,
            "inputs": [],
            "steps": [],
            "fields": {},
            "rows": [],
            "tables": {},
        }

    def _step(self, step: dict[str, Any], when: Any = None) -> None:
        if when is not None:
            step["if"] = _json(when)
        self.data["steps"].append(step)

    def input(
        self,
        var: str,
        check: str,
        *,
        arg: str | None = None,
        name: str | None = None,
        limit: Limit | None = None,
        options: list[str] | None = None,
        default: Any = None,
        optional: bool = False,
        when: Any = None,
    ) -> None:
        step: dict[str, Any] = {
            "do": "input",
            "var": var,
            "arg": arg or var,
            "name": name or arg or var,
            "check": check,
            "default": default,
            "optional": optional,
        }
        if limit is not None:
            step["limit"] = _limit(limit)
        if options is not None:
            step["options"] = list(options)
        self._step(step, when)

    def let(self, var: str, value: Any, when: Any = None) -> None:
        self._step({"do": "let", "var": var, "value": _json(value)}, when)

    def invalid(self, text: str, when: Any = None) -> None:
        self._step({"do": "invalid", "text": tmpl(text)}, when)

    def refuse(self, text: str, when: Any = None) -> None:
        self._step({"do": "refuse", "text": tmpl(text)}, when)

    def note(self, text: str, *refs: list[str], when: Any = None) -> None:
        self._step({"do": "note", "text": tmpl(text), "refs": [r for rs in refs for r in rs]}, when)

    def warn(self, text: str, *refs: list[str], when: Any = None) -> None:
        self._step({"do": "warn", "text": tmpl(text), "refs": [r for rs in refs for r in rs]}, when)

    def warn_cited(self, *items: Any, when: Any = None) -> None:
        """Each item's text as a warning with its references (``Notes.warn``)."""
        for item in items:
            self.warn(lit(item.text), item.references, when=when)

    def cite(self, *refs: list[str], when: Any = None) -> None:
        self._step({"do": "cite", "refs": [r for rs in refs for r in rs]}, when)

    def field(self, name: str, value: Any) -> None:
        self.data["fields"][name] = _json(value)

    def row(self, label: str, value: Any = None, *, kind: str = "num", text: str | None = None) -> None:
        row: dict[str, Any] = {"label": label, "kind": kind}
        if text is not None:
            row["text"] = tmpl(text)
        else:
            row["value"] = _json(value)
        self.data["rows"].append(row)

    def table(self, name: str, values: Any) -> None:
        self.data["tables"][name] = values


# ---------------------------------------------------------------------------------------------- shared parts


def _body_inputs(p: Program) -> None:
    limits = dosing_parameters().input_limits
    p.input("w", "number", arg="weight_kg", limit=limits.weight_kg)
    p.input("h", "number", arg="height_cm", limit=limits.height_cm)


def _bmi_check(p: Program) -> None:
    """common.body_mass_index on validated ``w`` and ``h``."""
    limit = dosing_parameters().input_limits.bmi
    p.let("h100", V("h") / 100.0)
    p.let("bmi", V("w") / (V("h100") * V("h100")))
    p.invalid(
        "weight_kg/height_cm: {w:g} kg at {h:g} cm gives a body mass index of {bmi:.1f}, outside the plausible "
        f"range {_fmt(limit.min)} to {_fmt(limit.max)} kg/m²; check both values and their units",
        when=~((limit.min <= V("bmi")) & (V("bmi") <= limit.max)),
    )


def _bands(p: Program, bands: list[Any], drug: str, prefix: str = "") -> None:
    """parameters.band_for_weight: the band index for ``w``, refused below the lowest band."""
    index: Any = -1
    for i, band in enumerate(bands):
        index = if_(band.from_kg <= V("w") + EPS, i, index)
    p.let("band", index)
    p.refuse(
        f"weight_kg: {{w:g}} kg is below the labelled weight bands: {bands[0].from_kg:g} kg is the lowest weight "
        f"the label's dosing table for {drug} in generalized myasthenia gravis covers; no dose can be given from it",
        when=V("band") < 0,
    )
    p.table(f"{prefix}band_label", [band_label(bands, b) for b in bands])
    p.table(f"{prefix}band_mg", [b.mg for b in bands])
    p.table(f"{prefix}band_loading", [list(b.loading_mg) for b in bands])
    p.let("band_label", fn("at", V(f"tables.{prefix}band_label"), V("band")))
    p.let("band_mg", fn("at", V(f"tables.{prefix}band_mg"), V("band")))


def _age_check(p: Program, limit: Any, drug: str) -> None:
    """common.check_age: age required, refused below the label's youngest age."""
    ages = dosing_parameters().input_limits.age
    allowed = f"allowed: {_fmt(ages.min)} to {_fmt(ages.max)} {ages.unit}".rstrip()
    p.invalid(
        f"age: not given; {allowed}. The label covers {drug} in generalized myasthenia gravis only from "
        f"{limit.min_years:g} years of age",
        when=null("raw_years"),
    )
    p.input("years", "number", arg="age", limit=ages)
    p.refuse(
        f"age: {{years:g}} years is below {limit.min_years:g}, the youngest age the label covers for {drug} in "
        f"generalized myasthenia gravis. {lit(limit.text)}",
        when=V("years") < limit.min_years,
    )


def _raw(p: Program, var: str, arg: str) -> None:
    """The argument as given (None when left out), before validation."""
    p.input(var, "raw", arg=arg, optional=True)


# ---------------------------------------------------------------------------------------------- calculators


def ivig_program() -> dict[str, Any]:
    prm = dosing_parameters()
    iv, body = prm.ivig, prm.body_size
    dv, adj = body.devine, body.adjusted_weight
    p = Program("ivig_dose", "IvigDose", "IVIG course")
    _body_inputs(p)
    p.input("s", "choice", arg="sex", options=["female", "male"])
    _bmi_check(p)
    p.input("dose", "number", arg="g_per_kg", limit=iv.g_per_kg, default=2.0)
    p.input("n_days", "whole", arg="days", limit=iv.days, default=5)
    max_daily = iv.max_g_per_kg_per_day.value
    p.let("per_day", V("dose") / V("n_days"))
    p.let("min_days", fn("ceil", V("dose") / max_daily - EPS))
    p.invalid(
        f"days: {{n_days:d}} day(s) for {{dose:g}} g/kg gives {{per_day:.2f}} g/kg per day; at most {max_daily:g} g/kg "
        "per day is allowed, so this dose needs at least {min_days:d} days",
        when=V("per_day") > max_daily + EPS,
    )
    p.input("interval", "whole", arg="interval_weeks", limit=iv.interval_weeks, optional=True)
    p.input("basis", "choice", arg="weight_basis", options=list(WEIGHT_BASES), default="auto")
    p.input("vial", "number", arg="vial_g", limit=iv.vial_g, default=10.0)
    p.input("years", "number", arg="age", limit=prm.input_limits.age, optional=True)
    p.input("chosen", "choices", arg="risk_factors", options=list(IVIG_RISK_FACTORS), default=[])
    p.let("has_age_flag", fn("in", "age_over_65", V("chosen")))
    p.invalid(
        "risk_factors: 'age_over_65' contradicts age={years:g}; remove one of them",
        when=~null("years") & ~(V("years") > 65) & V("has_age_flag"),
    )
    for key in IVIG_RISK_FACTORS:
        chosen = fn("in", key, V("chosen"))
        p.let(f"rf_{key}", chosen | (~null("years") & (V("years") > 65)) if key == "age_over_65" else chosen)
    p.cite(iv.g_per_kg.references)
    p.let("devine", V("h") >= dv.min_height_cm - EPS)
    p.let("inches", V("h") / dv.cm_per_inch)
    p.let(
        "ibw",
        if_(
            V("devine"),
            if_(V("s").eq("male"), dv.base_kg["male"], dv.base_kg["female"])
            + dv.kg_per_inch * (V("inches") - dv.base_height_in),
            None,
        ),
    )
    p.let(
        "adjusted",
        if_(
            V("devine"),
            if_(V("w") <= V("ibw"), V("w"), V("ibw") + adj.excess_fraction * (V("w") - V("ibw"))),
            None,
        ),
    )
    p.cite(dv.references, when=V("devine"))
    p.let("obese", V("bmi") >= adj.obesity_bmi)
    p.invalid(
        f"weight_basis: 'adjusted' needs the Devine ideal body weight, which starts at {dv.min_height_cm:g} cm; "
        "height_cm is {h:g}. Use 'actual' or 'auto'",
        when=V("basis").eq("adjusted") & null("adjusted"),
    )
    p.let(
        "used",
        if_(V("basis").ne("auto"), V("basis"), if_(V("obese") & ~null("adjusted"), "adjusted", "actual")),
    )
    p.let("dw", if_(V("used").eq("adjusted") & ~null("adjusted"), V("adjusted"), V("w")))
    obese = V("obese")
    p.cite(adj.references, when=obese)
    p.note(
        f"BMI {{bmi:.1f}} ≥ {adj.obesity_bmi:g}: dosed on ADJUSTED weight {{dw:.1f}} kg (ideal {{ibw:.1f}} kg + "
        f"{adj.excess_fraction:g} × excess), not the actual {{w:g}} kg. Labels dose on actual weight; the adjusted "
        "weight is a convention of many programmes.",
        when=obese & V("used").eq("adjusted"),
    )
    p.note(
        f"BMI {{bmi:.1f}} ≥ {adj.obesity_bmi:g}, but the Devine formula is not defined below "
        f"{dv.min_height_cm:g} cm, so no adjusted weight: dosed on actual weight {{w:g}} kg.",
        when=obese & V("used").ne("adjusted") & null("adjusted"),
    )
    p.note(
        f"BMI {{bmi:.1f}} ≥ {adj.obesity_bmi:g}: actual weight {{w:g}} kg used as requested; the adjusted weight "
        "would be {adjusted:.1f} kg.",
        when=obese & V("used").ne("adjusted") & ~null("adjusted"),
    )
    p.note(
        "Adjusted weight {dw:.1f} kg used as requested (BMI {bmi:.1f} is below 30).",
        when=~obese & V("used").eq("adjusted"),
    )
    p.let("ceiling", V("dose") * V("dw"))
    p.let("rounded0", fn("round_down", V("ceiling"), V("vial")))
    p.let("rounded", if_(V("rounded0").eq(0), V("ceiling"), V("rounded0")))
    p.let("vials", if_(V("rounded0").eq(0), 1, fn("py_round", V("rounded") / V("vial"), 0)))
    part = (V("vials").eq(1)) & (V("rounded") < V("vial") - EPS)
    p.note(
        "The dose ({ceiling:.1f} g) is less than one {vial:g} g vial: part of one vial is given.",
        when=part,
    )
    p.note(
        "Rounded DOWN from {ceiling:.1f} g to {vials:d} whole vials of {vial:g} g ({rounded:g} g) so the dose "
        "never exceeds the calculated ceiling.",
        when=~part & (V("rounded") < V("ceiling") - EPS),
    )
    p.note(
        "Maintenance: repeat every {interval:d} weeks; titrate to the lowest effective dose and interval.",
        iv.interval_weeks.references,
        when=~null("interval"),
    )
    p.cite(iv.max_g_per_kg_per_day.references, iv.days.references)
    p.warn_cited(*iv.general_warnings)
    high = V("dose") >= iv.high_dose_g_per_kg.value - EPS
    p.warn_cited(iv.high_dose_warning, when=high)
    p.cite(iv.high_dose_g_per_kg.references, when=high)
    for key in IVIG_RISK_FACTORS:
        factor = iv.risk_factors[key]
        p.warn(lit(factor.warning), factor.references, when=V(f"rf_{key}"))
    at_risk = [V(f"rf_{k}") for k in IVIG_RISK_FACTORS if iv.risk_factors[k].at_risk]
    any_risk: Any = False
    for flag in at_risk:
        any_risk = flag if any_risk is False else any_risk | flag
    spread = int(iv.at_risk_days.value)
    refs = [iv.at_risk_warning.references, iv.at_risk_days.references]
    text = lit(iv.at_risk_warning.text)
    p.warn(
        text + f" This plan uses {{n_days:d}} day(s): spread it over {spread}.",
        *refs,
        when=E(_json(any_risk)) & (V("n_days") < spread),
    )
    p.warn(text, *refs, when=E(_json(any_risk)) & ~(V("n_days") < spread))
    p.let("risk_list", fn("merge", *[if_(V(f"rf_{k}"), [k], []) for k in IVIG_RISK_FACTORS]))
    for name, value in {
        "dosing_weight_kg": V("dw"),
        "weight_basis": V("used"),
        "actual_weight_kg": V("w"),
        "adjusted_weight_kg": V("adjusted"),
        "ideal_weight_kg": V("ibw"),
        "bmi": V("bmi"),
        "g_per_kg": V("dose"),
        "total_g": V("ceiling"),
        "rounded_total_g": V("rounded"),
        "vials": V("vials"),
        "vial_g": V("vial"),
        "days": V("n_days"),
        "g_per_day": V("rounded") / V("n_days"),
        "interval_weeks": V("interval"),
        "risk_factors": V("risk_list"),
    }.items():
        p.field(name, value)
    one = lambda v: if_(null(v), None, fn("py_round", V(v), 1))  # noqa: E731
    p.row("Actual weight (kg)", fn("py_round", V("w"), 1))
    p.row("Ideal weight, Devine (kg)", one("ibw"))
    p.row("Adjusted weight (kg)", one("adjusted"))
    p.row("BMI (kg/m²)", fn("py_round", V("bmi"), 1))
    p.row("Dosing weight used (kg)", text="{dw:.1f} ({used})")
    p.row("Dose (g/kg)", V("dose"))
    p.row("Calculated dose = ceiling (g)", fn("py_round", V("ceiling"), 1))
    p.row("Dose to give, whole vials (g)", V("rounded"))
    p.row("Vials", text="{vials:d} × {vial:g} g")
    p.row("Days", V("n_days"), kind="int")
    p.row("Per day (g)", fn("py_round", V("rounded") / V("n_days"), 1))
    p.let("schedule", if_(null("interval"), "single course", fn("cat", "every ", V("interval"), " weeks")))
    p.row("Repeat", V("schedule"), kind="str")
    return p.data


def plasma_exchange_program() -> dict[str, Any]:
    prm = dosing_parameters()
    px = prm.plasma_exchange
    p = Program("plasma_exchange_plan", "PlasmaExchangePlan", "Plasma exchange course")
    p.input("w", "number", arg="weight_kg", limit=prm.input_limits.weight_kg)
    p.input("hct", "number", arg="hematocrit", limit=prm.input_limits.hematocrit)
    p.let("epv", px.epv_l_per_kg.value * V("w") * (1.0 - V("hct")))
    p.input("volumes", "number", arg="plasma_volumes", limit=px.plasma_volumes, default=1.0)
    p.input("count", "whole", arg="exchanges", limit=px.exchanges, default=5)
    p.input("span", "whole", arg="days", limit=px.days, default=10)
    p.invalid(
        "days: {span:d} is fewer than exchanges={count:d}; at most one exchange a day, so allow at least "
        "{count:d} days",
        when=V("span") < V("count"),
    )
    p.let("per_exchange", V("epv") * V("volumes"))
    p.cite(
        px.epv_l_per_kg.references,
        px.plasma_volumes.references,
        px.exchanges.references,
        px.days.references,
        px.replacement.references,
    )
    p.note(lit(px.fraction_removed_note.text), px.fraction_removed_note.references)
    p.note(
        f"The usual course is {px.exchanges.typical:g} exchanges over about {px.days.typical:g} days "
        "(this plan: {count:d} over {span:d}).",
        when=V("count").ne(px.exchanges.typical) | V("span").ne(px.days.typical),
    )
    p.warn_cited(*px.warnings)
    counts = range(int(px.exchanges.min), int(px.exchanges.max) + 1)
    spans = range(int(px.days.min), int(px.days.max) + 1)
    p.table("schedule", {str(c): {str(s): exchange_schedule(c, s) for s in spans if s >= c} for c in counts})
    p.let("fraction", 1.0 - fn("exp", -1 * V("volumes")))
    for name, value in {
        "weight_kg": V("w"),
        "hematocrit": V("hct"),
        "estimated_plasma_volume_l": V("epv"),
        "plasma_volumes": V("volumes"),
        "volume_per_exchange_l": V("per_exchange"),
        "exchanges": V("count"),
        "days": V("span"),
        "total_volume_l": V("per_exchange") * V("count"),
        "schedule_days": lookup("schedule", V("count"), V("span")),
        "fraction_removed_per_exchange": V("fraction"),
        "replacement": px.replacement.text,
    }.items():
        p.field(name, value)
    p.row("Weight (kg)", V("w"))
    p.row("Haematocrit", V("hct"))
    p.row("Estimated plasma volume (L)", fn("py_round", V("epv"), 2))
    p.row("Plasma volumes per exchange", V("volumes"))
    p.row("Volume per exchange (L)", fn("py_round", V("per_exchange"), 2))
    p.row("Exchanges", V("count"), kind="int")
    p.row("On days", lookup("schedule", V("count"), V("span")), kind="ints")
    p.row("Total volume exchanged (L)", fn("py_round", V("per_exchange") * V("count"), 1))
    p.row("Removed per exchange (intravascular)", text="{fraction:.0%}")
    p.row("Replacement fluid", px.replacement.text, kind="str")
    return p.data


def prednisone_program() -> dict[str, Any]:
    prm = dosing_parameters()
    pred, taper = prm.corticosteroids.prednisone, prm.corticosteroids.taper
    p = Program("prednisone_dose", "SteroidDose", "Oral prednisone / prednisolone")
    p.input("w", "number", arg="weight_kg", limit=prm.input_limits.weight_kg)
    p.input("per_kg", "number", arg="mg_per_kg", limit=pred.mg_per_kg, default=1.0)
    p.input("key", "choice", arg="indication", options=list(pred.indications), default="myasthenia_gravis")
    p.input("how", "choice", arg="start", options=list(STARTS), default="full")
    p.input("is_outpatient", "flag", arg="outpatient", default=True)
    p.input("bulbar", "flag", arg="bulbar_or_respiratory", default=False)
    p.input("other_is", "flag", arg="other_immunosuppressant", default=False)
    p.table(
        "ceiling", {k: min(i.ceiling_mg, pred.absolute_max_mg.value) for k, i in pred.indications.items()}
    )
    p.table("label", {k: i.label for k, i in pred.indications.items()})
    p.table("label_lower", {k: i.label.lower() for k, i in pred.indications.items()})
    p.let("weight_based", V("per_kg") * V("w"))
    p.let("ceiling", lookup("ceiling", V("key")))
    p.let("label_lower", lookup("label_lower", V("key")))
    p.let("capped", V("weight_based") > V("ceiling") + EPS)
    p.let("daily", fn("round_down", fn("min", V("weight_based"), V("ceiling")), 1.0))
    p.let("start_mg", if_(V("how").eq("full"), V("daily"), fn("min", pred.low_start_mg.value, V("daily"))))
    p.cite(pred.mg_per_kg.references)
    for key, ind in pred.indications.items():
        p.cite(ind.references, when=V("key").eq(key))
    p.cite(pred.absolute_max_mg.references)
    p.note(
        "{per_kg:g} mg/kg × {w:g} kg = {weight_based:.0f} mg/day exceeds the usual ceiling for {label_lower}: "
        "capped at {ceiling:g} mg/day.",
        when=V("capped"),
    )
    p.note(
        f"Start at {{start_mg:g}} mg/day and increase by {pred.titration_step_mg.value:g} mg "
        f"{lit(pred.titration_interval.text)} to {{daily:g}} mg/day.",
        pred.low_start_mg.references,
        pred.titration_step_mg.references,
        pred.titration_interval.references,
        when=V("how").eq("low") & (V("start_mg") < V("daily")),
    )
    for key, ind in pred.indications.items():
        p.warn_cited(*ind.warnings, when=V("key").eq(key))
    mg_high = V("key").eq("myasthenia_gravis") & (V("start_mg") > pred.high_start_mg.value + EPS)
    p.warn_cited(pred.outpatient_bulbar_warning, when=mg_high & V("is_outpatient") & V("bulbar"))
    p.warn_cited(pred.early_worsening_warning, when=mg_high)
    p.cite(pred.high_start_mg.references, when=mg_high)
    pjp = V("other_is") & (V("daily") >= pred.pjp_threshold_mg.value - EPS)
    p.warn_cited(pred.pjp_warning, when=pjp)
    p.cite(pred.pjp_threshold_mg.references, when=pjp)
    p.warn_cited(*pred.safety_warnings)
    # The taper depends on the whole-mg daily dose only: precomputed from the Python taper for every dose.
    top = int(min(max(i.ceiling_mg for i in pred.indications.values()), pred.absolute_max_mg.value))
    plans = {}
    for mg in range(0, top + 1):
        plan = steroid_taper(float(mg), target_mg=min(5.0, float(mg))) if mg >= taper.start_mg.min else []
        plans[str(mg)] = {
            "steps": [[s.week, s.daily_mg] for s in plan],
            "text": " → ".join(f"{s.daily_mg:g} (wk {s.week})" for s in plan),
        }
    p.table("taper", plans)
    p.cite(taper.references)
    p.let("taper", lookup("taper", V("daily"), "steps"))
    p.let("taper_text", lookup("taper", V("daily"), "text"))
    for name, value in {
        "indication": V("key"),
        "weight_kg": V("w"),
        "mg_per_kg": V("per_kg"),
        "weight_based_mg": V("weight_based"),
        "daily_mg": V("daily"),
        "ceiling_mg": V("ceiling"),
        "capped": V("capped"),
        "start": V("how"),
        "start_mg": V("start_mg"),
        "taper": V("taper"),
    }.items():
        p.field(name, value)
    p.let("start_how", if_(V("how").eq("low"), "low, titrate up", "full"))
    p.row("Indication", lookup("label", V("key")), kind="str")
    p.row("Weight (kg)", V("w"))
    p.row("mg/kg/day", V("per_kg"))
    p.row("Weight-based dose (mg/day)", fn("py_round", V("weight_based"), 1))
    p.row("Ceiling (mg/day)", V("ceiling"))
    p.row("Capped at ceiling", V("capped"))
    p.row("Target daily dose (mg)", V("daily"))
    p.row("Starting dose (mg/day)", text="{start_mg:g} ({start_how})")
    p.row("Taper once the goal is reached", text="{taper_text}")
    return p.data


def methylprednisolone_program() -> dict[str, Any]:
    prm = dosing_parameters()
    mp = prm.corticosteroids.methylprednisolone
    p = Program("methylprednisolone_pulse", "MethylprednisoloneDose", "IV methylprednisolone pulses")
    p.input("w", "number", arg="weight_kg", limit=prm.input_limits.weight_kg)
    p.input("requested", "number", arg="mg_per_day", limit=mp.mg_per_day, default=1000)
    p.input("n_days", "whole", arg="days", limit=mp.days, default=3)
    p.let("ceiling", fn("min", mp.mg_per_day.max, mp.max_mg_per_kg.value * V("w")))
    p.let("capped", V("requested") > V("ceiling") + EPS)
    p.let("given", if_(V("capped"), fn("round_down", V("ceiling"), 1.0), V("requested")))
    p.cite(mp.mg_per_day.references, mp.days.references)
    p.note(
        f"{{requested:g}} mg/day exceeds {mp.max_mg_per_kg.value:g} mg/kg × {{w:g}} kg = {{ceiling:.0f}} mg/day: "
        "capped at {given:g} mg/day.",
        mp.max_mg_per_kg.references,
        when=V("capped"),
    )
    p.warn_cited(*mp.warnings)
    for name, value in {
        "weight_kg": V("w"),
        "requested_mg_per_day": V("requested"),
        "mg_per_day": V("given"),
        "ceiling_mg": V("ceiling"),
        "capped": V("capped"),
        "days": V("n_days"),
        "total_mg": V("given") * V("n_days"),
    }.items():
        p.field(name, value)
    p.row("Weight (kg)", V("w"))
    p.row("Requested (mg/day)", V("requested"))
    p.row("Ceiling (mg/day)", V("ceiling"))
    p.row("Capped at ceiling", V("capped"))
    p.row("Dose (mg/day)", V("given"))
    p.row("Days", V("n_days"), kind="int")
    p.row("Total (mg)", V("given") * V("n_days"))
    return p.data


def rituximab_program() -> dict[str, Any]:
    prm = dosing_parameters()
    rtx, limits = prm.rituximab, prm.input_limits
    p = Program("rituximab_dose", "RituximabDose", "Rituximab course")
    p.input("key", "choice", arg="regimen", options=list(rtx.regimens), default="375_mg_m2_weekly_x4")
    p.input("h", "number", arg="height_cm", limit=limits.height_cm, optional=True)
    p.input("w", "number", arg="weight_kg", limit=limits.weight_kg, optional=True)
    _raw(p, "hbv_given", "hbv_screened")
    p.input("screened", "flag", arg="hbv_screened", when=~null("raw_hbv_given"))
    p.let("screened", if_(null("raw_hbv_given"), False, V("screened")))
    p.input("live", "flag", arg="live_vaccine_planned", default=False)
    p.refuse(f"hbv_screened: {{raw_hbv_given!r}}. {lit(rtx.hbv_refusal.text)}", when=~V("screened"))
    p.refuse(f"live_vaccine_planned: True. {lit(rtx.live_vaccine_refusal.text)}", when=V("live"))
    both = ~null("h") & ~null("w")
    bmi = limits.bmi
    p.let("h100", if_(both, V("h") / 100.0, None))
    p.let("bmi", if_(both, V("w") / (V("h100") * V("h100")), None))
    p.invalid(
        "weight_kg/height_cm: {w:g} kg at {h:g} cm gives a body mass index of {bmi:.1f}, outside the plausible "
        f"range {_fmt(bmi.min)} to {_fmt(bmi.max)} kg/m²; check both values and their units",
        when=both & ~((bmi.min <= V("bmi")) & (V("bmi") <= bmi.max)),
    )
    divisor = prm.body_size.mosteller.divisor
    p.let("bsa", if_(both, fn("sqrt", V("h") * V("w") / divisor), None))
    table = {
        k: {
            "mg_per_m2": r.mg_per_m2,
            "fixed_mg": r.fixed_mg or 0.0,
            "infusions": r.infusions,
            "interval": r.interval_days,
            "label": r.label,
        }
        for k, r in rtx.regimens.items()
    }
    p.table("regimen", table)
    p.let("mg_per_m2", lookup("regimen", V("key"), "mg_per_m2"))
    for key, regimen in rtx.regimens.items():
        p.cite(regimen.references, when=V("key").eq(key))
    by_bsa = ~null("mg_per_m2")
    missing = if_(null("h"), "height_cm", "weight_kg")
    p.let("missing", missing)
    p.let(
        "missing_range",
        if_(
            null("h"),
            f"allowed: {_fmt(limits.height_cm.min)} to {_fmt(limits.height_cm.max)} {limits.height_cm.unit}",
            f"allowed: {_fmt(limits.weight_kg.min)} to {_fmt(limits.weight_kg.max)} {limits.weight_kg.unit}",
        ),
    )
    p.invalid(
        "{missing}: not given; {missing_range}: required for the {mg_per_m2:g} mg/m² regimen (body surface area)",
        when=by_bsa & null("bsa"),
    )
    p.let("exact", if_(by_bsa, V("mg_per_m2") * V("bsa"), None))
    p.let(
        "per_infusion",
        if_(by_bsa, fn("round_down", V("exact"), 1.0), lookup("regimen", V("key"), "fixed_mg")),
    )
    p.note(
        "{mg_per_m2:g} mg/m² × {bsa:.2f} m² = {exact:.1f} mg, rounded down to {per_infusion:g} mg.",
        prm.body_size.mosteller.references,
        when=by_bsa,
    )
    high = rtx.high_dose_warning
    p.warn(
        "{per_infusion:g} mg per infusion ({mg_per_m2:g} mg/m² × {bsa:.2f} m²). " + lit(high.text),
        high.references,
        when=by_bsa & (V("per_infusion") > high.above_mg + EPS),
    )
    p.let("infusions", lookup("regimen", V("key"), "infusions"))
    p.let("interval", lookup("regimen", V("key"), "interval"))
    p.let("schedule", fn("seq", 1, if_(null("interval"), 0, V("interval")), V("infusions")))
    p.warn_cited(*rtx.warnings)
    p.cite(rtx.hbv_refusal.references, rtx.live_vaccine_refusal.references)
    for name, value in {
        "regimen": V("key"),
        "bsa_m2": V("bsa"),
        "mg_per_infusion": V("per_infusion"),
        "infusions": V("infusions"),
        "interval_days": V("interval"),
        "total_mg": V("per_infusion") * V("infusions"),
        "schedule_days": V("schedule"),
    }.items():
        p.field(name, value)
    p.row("Regimen", lookup("regimen", V("key"), "label"), kind="str")
    p.row("Body surface area, Mosteller (m²)", if_(null("bsa"), None, fn("py_round", V("bsa"), 2)))
    p.row("mg per infusion", V("per_infusion"))
    p.row("Infusions", V("infusions"), kind="int")
    p.row("Interval (days)", V("interval"), kind="int")
    p.row("On days", V("schedule"), kind="ints")
    p.row("Total (mg)", V("per_infusion") * V("infusions"))
    return p.data


def azathioprine_program() -> dict[str, Any]:
    prm = dosing_parameters()
    aza = prm.azathioprine
    p = Program("azathioprine_dose", "AzathioprineDose", "Azathioprine")
    p.input("w", "number", arg="weight_kg", limit=prm.input_limits.weight_kg)
    p.input("per_kg", "number", arg="mg_per_kg", limit=aza.mg_per_kg, default=2.5)
    p.input("tpmt", "choice", options=list(METABOLIZER_STATUSES), default="normal")
    p.input("nudt15", "choice", options=list(METABOLIZER_STATUSES), default="normal")
    p.input("xoi", "flag", arg="xanthine_oxidase_inhibitor", default=False)
    for gene in ("TPMT", "NUDT15"):
        var = gene.lower()
        for status in ("poor", "unknown"):
            refusal = aza.refusals.poor if status == "poor" else aza.refusals.unknown
            p.refuse(f"{var}: '{status}'. {lit(refusal.text.format(gene=gene))}", when=V(var).eq(status))
    p.cite(aza.mg_per_kg.references)
    ph, xo = aza.phenotype_factors, aza.xanthine_oxidase_factor
    t_im, n_im = V("tpmt").eq("intermediate"), V("nudt15").eq("intermediate")
    p.let("low", 1.0)
    p.let("high", 1.0)
    for cond, rng in (
        (t_im & n_im, ph.both_intermediate),
        (t_im & ~n_im, ph.tpmt_intermediate),
        (~t_im & n_im, ph.nudt15_intermediate),
    ):
        p.let("low", rng.low, when=cond)
        p.let("high", rng.high, when=cond)
        p.cite(rng.references, when=cond)
        p.warn_cited(aza.intermediate_warning, when=cond)
    p.let("low", V("low") * xo.low, when=V("xoi"))
    p.let("high", V("high") * xo.high, when=V("xoi"))
    p.cite(xo.references, when=V("xoi"))
    p.warn_cited(aza.xanthine_oxidase_warning, when=V("xoi"))
    tablet = aza.tablet_mg.value
    p.let("full", V("per_kg") * V("w"))
    p.let("top", V("full") * V("high"))
    p.let("daily0", fn("round_down", V("top"), tablet))
    whole = V("daily0") >= tablet
    p.let("daily", if_(whole, V("daily0"), fn("round_down", V("top"), 0.1)))
    p.note(
        f"Rounded down from {{top:.1f}} mg to whole {tablet:g} mg tablets ({{daily:g}} mg/day).",
        when=whole & (V("daily") < V("top") - EPS),
    )
    p.note(
        f"{{top:.1f}} mg/day is less than one {tablet:g} mg tablet: a liquid preparation would be needed.",
        when=~whole,
    )
    p.cite(aza.tablet_mg.references)
    p.let("bottom", V("full") * V("low"))
    p.note(
        "Reduced dose: choose a dose within {bottom:.0f} to {top:.0f} mg/day (at most {daily:g} mg/day in whole "
        "tablets) and adjust it to the blood counts.",
        when=V("high") < 1.0,
    )
    p.let("start_mg", fn("min", aza.start_mg.value, V("daily")))
    p.note(
        f"Start at {{start_mg:g}} mg/day and {lit(aza.titration.text)}.",
        aza.start_mg.references,
        aza.titration.references,
        when=V("start_mg") < V("daily"),
    )
    p.warn_cited(*aza.warnings)
    for name, value in {
        "weight_kg": V("w"),
        "mg_per_kg": V("per_kg"),
        "tpmt": V("tpmt"),
        "nudt15": V("nudt15"),
        "xanthine_oxidase_inhibitor": V("xoi"),
        "full_daily_mg": V("full"),
        "dose_factor_range": fn("list", V("low"), V("high")),
        "daily_mg_range": fn("list", V("bottom"), V("top")),
        "daily_mg": V("daily"),
        "start_mg": V("start_mg"),
    }.items():
        p.field(name, value)
    p.let("factor_text", if_(V("low").eq(1.0) & V("high").eq(1.0), "100%", None))
    p.let("low_pct", V("low"))
    p.row("Weight (kg)", V("w"))
    p.row("mg/kg/day", V("per_kg"))
    p.row("TPMT / NUDT15", text="{tpmt} / {nudt15}")
    p.row("Allopurinol or febuxostat", V("xoi"))
    p.row("Unadjusted dose (mg/day)", fn("py_round", V("full"), 1))
    p.data["rows"].append(
        {
            "label": "Fraction of the usual dose",
            "kind": "str",
            "choose": [
                {"if": _json(V("low").eq(1.0) & V("high").eq(1.0)), "text": tmpl("100%")},
                {"text": tmpl("{low:.0%} to {high:.0%}")},
            ],
        }
    )
    p.row("Target range (mg/day)", text="{bottom:.0f} to {top:.0f}")
    p.row("Highest dose in range, whole tablets (mg/day)", V("daily"))
    p.row("Starting dose (mg/day)", V("start_mg"))
    return p.data


def methotrexate_program() -> dict[str, Any]:
    mtx = dosing_parameters().methotrexate
    p = Program("methotrexate_dose", "MethotrexateDose", "Methotrexate (once weekly)")
    p.input("requested", "number", arg="weekly_mg", limit=mtx.weekly_mg, default=15.0)
    _raw(p, "schedule", "schedule")
    p.let("daily", V("raw_schedule").eq("daily"))
    p.input(
        "schedule_ok",
        "choice",
        arg="schedule",
        options=list(ALLOWED_SCHEDULES),
        default="weekly",
        when=~V("daily"),
    )
    p.input("by", "choice", arg="route", options=list(mtx.routes), default="oral")
    p.input("is_pregnant", "flag", arg="pregnant", default=False)
    p.input("planning", "flag", arg="planning_pregnancy", default=False)
    p.input("egfr", "number", arg="egfr_ml_min", limit=mtx.egfr_ml_min, optional=True)
    allowed = ", ".join(map(repr, ALLOWED_SCHEDULES))
    p.refuse(
        f"schedule: 'daily' is refused; allowed: {lit(allowed)}. {lit(mtx.daily_refusal.text)}",
        when=V("daily"),
    )
    p.refuse(f"pregnant: True. {lit(mtx.pregnancy_refusal.text)}", when=V("is_pregnant"))
    p.refuse(f"planning_pregnancy: True. {lit(mtx.pregnancy_refusal.text)}", when=V("planning"))
    threshold = mtx.renal_refuse_below.value
    p.refuse(
        f"egfr_ml_min: {{egfr:g}} is below {threshold:g} mL/min. {lit(mtx.renal_refusal.text)}",
        when=~null("egfr") & (V("egfr") < threshold),
    )
    p.table("route_refs", {k: r.references for k, r in mtx.routes.items()})
    p.table("route_text", {k: r.text for k, r in mtx.routes.items()})
    p.cite(mtx.weekly_mg.references)
    for key, route in mtx.routes.items():
        p.cite(route.references, when=V("by").eq(key))
    p.cite(mtx.daily_refusal.references)
    reduce = ~null("egfr") & (V("egfr") < mtx.renal_reduce_below.value)
    p.let("factor", if_(reduce, mtx.renal_dose_factor.value, 1.0))
    p.warn_cited(mtx.renal_unknown_warning, when=null("egfr"))
    p.warn_cited(mtx.renal_reduce_warning, when=reduce)
    p.let("reduced", V("requested") * V("factor"))
    p.note(
        f"Creatinine clearance (or eGFR) {{egfr:g}} mL/min (below {mtx.renal_reduce_below.value:g}): "
        "{requested:g} mg × {factor:g} = {reduced:g} mg per week.",
        mtx.renal_reduce_below.references,
        mtx.renal_dose_factor.references,
        when=reduce,
    )
    step = mtx.step_mg.value
    p.let("target", V("requested") * V("factor"))
    p.let("given", fn("round_down", V("target"), step))
    p.note(
        f"Rounded down from {{target:g}} mg to whole {step:g} mg steps ({{given:g}} mg).",
        when=V("given") < V("target") - EPS,
    )
    p.cite(mtx.step_mg.references)
    usual_min = mtx.weekly_mg.min
    low = mtx.renal_below_minimum_warning
    p.warn(
        f"{{given:g}} mg once weekly after the renal reduction is below {usual_min:g} mg, the usual lowest weekly "
        f"dose for immune-mediated disease. {lit(low.text)}",
        low.references,
        mtx.weekly_mg.references,
        when=V("given") < usual_min - EPS,
    )
    p.note("Take it on ONE named day of the week; write the day on the prescription.")
    p.warn_cited(mtx.folic_acid, *mtx.warnings)
    p.cite(mtx.pregnancy_refusal.references)
    for name, value in {
        "requested_weekly_mg": V("requested"),
        "route": V("by"),
        "egfr_ml_min": V("egfr"),
        "renal_factor": V("factor"),
        "weekly_mg": V("given"),
    }.items():
        p.field(name, value)
    p.row("Schedule", "ONCE WEEKLY (never daily)", kind="str")
    p.row("Route", lookup("route_text", V("by")), kind="str")
    p.row("Requested dose (mg/week)", V("requested"))
    p.data["rows"].append(
        {
            "label": "Creatinine clearance (or eGFR)",
            "kind": "str",
            "choose": [
                {"if": _json(null("egfr")), "text": tmpl("not given")},
                {"text": tmpl("{egfr:g} mL/min")},
            ],
        }
    )
    p.row("Renal dose factor", text="{factor:.0%}")
    p.row("Dose to give (mg, once weekly)", V("given"))
    return p.data


def mycophenolate_program() -> dict[str, Any]:
    mmf = dosing_parameters().mycophenolate
    p = Program("mycophenolate_dose", "MycophenolateDose", "Mycophenolate mofetil")
    p.input("target", "number", arg="daily_g", limit=mmf.daily_g, default=2.0)
    p.input("is_pregnant", "flag", arg="pregnant", default=False)
    p.input("planning", "flag", arg="planning_pregnancy", default=False)
    p.refuse(f"pregnant: True. {lit(mmf.pregnancy_refusal.text)}", when=V("is_pregnant"))
    p.refuse(f"planning_pregnancy: True. {lit(mmf.pregnancy_refusal.text)}", when=V("planning"))
    per_day, step = int(mmf.doses_per_day.value), mmf.step_mg.value
    p.let("exact", V("target") * 1000 / per_day)
    p.let("per_dose", fn("round_down", V("exact"), step))
    p.cite(mmf.daily_g.references, mmf.doses_per_day.references, mmf.step_mg.references)
    p.note(
        f"{{exact:g}} mg per dose rounded down to whole {step:g} mg steps ({{per_dose:g}} mg).",
        when=V("per_dose") < V("exact") - EPS,
    )
    p.warn_cited(mmf.reproductive_warning, *mmf.warnings)
    for name, value in {
        "daily_g": V("target"),
        "doses_per_day": per_day,
        "mg_per_dose": V("per_dose"),
        "total_daily_mg": V("per_dose") * per_day,
    }.items():
        p.field(name, value)
    p.row("Target (g/day)", V("target"))
    p.row("Doses per day", per_day, kind="int")
    p.row("mg per dose", V("per_dose"))
    p.row("Total (mg/day)", V("per_dose") * per_day)
    return p.data


def complement_program() -> dict[str, Any]:
    prm = dosing_parameters()
    ci = prm.complement_inhibitors
    p = Program("complement_inhibitor_dose", "ComplementDose", "Complement inhibitor")
    p.input("w", "number", arg="weight_kg", limit=prm.input_limits.weight_kg)
    p.input("key", "choice", arg="drug", options=list(ci.drugs), default="eculizumab")
    antibodies = mg_antibody_labels()
    p.input("ab", "choice", arg="antibody", options=list(antibodies), default="achr")
    p.input("days", "number", arg="meningococcal_vaccination_days", limit=ci.vaccination_days, optional=True)
    p.input("prophylaxis", "flag", arg="antibiotic_prophylaxis", default=False)
    _raw(p, "years_given", "age")
    p.let("raw_years", V("raw_years_given"))
    minimum = ci.vaccination_min_days.value
    p.table("drug_label", {k: d.label for k, d in ci.drugs.items()})
    p.table("antibody_label", antibodies)
    p.table("route", {k: d.route for k, d in ci.drugs.items()})
    p.table("interval", {k: d.maintenance_interval_days for k, d in ci.drugs.items()})
    p.table("from_week", {k: d.maintenance_from_week for k, d in ci.drugs.items()})
    for key, plan in ci.drugs.items():
        is_drug = V("key").eq(key)
        sub = Program(key, "", "")
        _age_check(sub, plan.age_limit, key)
        _bands(sub, plan.bands, key, prefix=f"{key}_")
        for step in sub.data["steps"]:
            cond = step.get("if")
            step["if"] = _json(is_drug & E(cond)) if cond is not None else _json(is_drug)
            p.data["steps"].append(step)
        p.data["tables"].update(sub.data["tables"])
    p.let("vaccinated", ~null("days") & (V("days") >= minimum))
    p.let("given_text", if_(null("days"), "not given", None))
    p.refuse(
        f"meningococcal_vaccination_days: not given. {lit(ci.vaccination_refusal.text)}",
        when=~V("vaccinated") & ~V("prophylaxis") & null("days"),
    )
    p.refuse(
        f"meningococcal_vaccination_days: {{days:g}} days, fewer than {minimum:g}. {lit(ci.vaccination_refusal.text)}",
        when=~V("vaccinated") & ~V("prophylaxis") & ~null("days"),
    )
    for key, plan in ci.drugs.items():
        p.cite(plan.references, plan.age_limit.references, when=V("key").eq(key))
    p.cite(ci.vaccination_min_days.references, ci.vaccination_refusal.references)
    p.warn_cited(ci.prophylaxis_warning, when=~V("vaccinated"))
    p.warn_cited(ci.antibody_warning, when=~fn("in", V("ab"), list(ci.antibodies)))
    for key, plan in ci.drugs.items():
        if len(plan.bands) > 1:
            p.note("Weight band {band_label} of the label's dosing table.", when=V("key").eq(key))
    for key, plan in ci.drugs.items():
        p.warn_cited(*plan.warnings, when=V("key").eq(key))
    p.warn_cited(*ci.warnings)
    # Per drug: the band's loading doses as [week, mg] pairs, maintenance, interval and first week.
    loading_pairs = {
        key: [[[week, mg] for week, mg in enumerate(b.loading_mg)] for b in plan.bands]
        for key, plan in ci.drugs.items()
    }
    loading_text = {
        key: [
            "; ".join(f"{mg:g} mg in week {week}" for week, mg in enumerate(b.loading_mg)) or "none"
            for b in plan.bands
        ]
        for key, plan in ci.drugs.items()
    }
    maint_text = {
        key: [
            f"{b.mg:g} mg "
            + (
                "once daily"
                if plan.maintenance_interval_days == 1
                else f"every {plan.maintenance_interval_days} days"
            )
            + f", from week {plan.maintenance_from_week}"
            for b in plan.bands
        ]
        for key, plan in ci.drugs.items()
    }
    p.table("loading", loading_pairs)
    p.table("loading_text", loading_text)
    p.table("maint_text", maint_text)
    for name, value in {
        "drug": V("key"),
        "age": V("years"),
        "weight_kg": V("w"),
        "weight_band": V("band_label"),
        "antibody": V("ab"),
        "route": lookup("route", V("key")),
        "loading": fn("at", lookup("loading", V("key")), V("band")),
        "maintenance_mg": V("band_mg"),
        "maintenance_interval_days": lookup("interval", V("key")),
        "maintenance_from_week": lookup("from_week", V("key")),
        "prophylaxis_cover": ~V("vaccinated"),
    }.items():
        p.field(name, value)
    p.row("Drug", lookup("drug_label", V("key")), kind="str")
    p.row("Route", p.data["fields"]["route"], kind="str")
    p.row("Age (years)", V("years"))
    p.row("Weight (kg)", V("w"))
    p.row("Weight band", V("band_label"), kind="str")
    p.row("Antibody", lookup("antibody_label", V("ab")), kind="str")
    p.row("Loading / induction", fn("at", lookup("loading_text", V("key")), V("band")), kind="str")
    p.row("Maintenance", fn("at", lookup("maint_text", V("key")), V("band")), kind="str")
    p.row("Under antibiotic prophylaxis", ~V("vaccinated"))
    return p.data


def fcrn_program() -> dict[str, Any]:
    prm = dosing_parameters()
    fc = prm.fcrn_inhibitors
    p = Program("fcrn_inhibitor_dose", "FcrnDose", "FcRn inhibitor")
    p.input("w", "number", arg="weight_kg", limit=prm.input_limits.weight_kg)
    p.input("key", "choice", arg="drug", options=list(fc.drugs), default="efgartigimod_iv")
    antibodies = mg_antibody_labels()
    p.input("ab", "choice", arg="antibody", options=list(antibodies), default="achr")
    p.input("live", "flag", arg="live_vaccine_planned", default=False)
    _raw(p, "years_given", "age")
    p.let("raw_years", V("raw_years_given"))
    p.table("drug_label", {k: d.label for k, d in fc.drugs.items()})
    p.table("antibody_label", antibodies)
    for key, plan in fc.drugs.items():
        is_drug = V("key").eq(key)
        sub = Program(key, "", "")
        _age_check(sub, plan.age_limit, key)
        for step in sub.data["steps"]:
            cond = step.get("if")
            step["if"] = _json(is_drug & E(cond)) if cond is not None else _json(is_drug)
            p.data["steps"].append(step)
    p.refuse(f"live_vaccine_planned: True. {lit(fc.live_vaccine_refusal.text)}", when=V("live"))
    p.let("band_text", None)
    for key, plan in fc.drugs.items():
        is_drug = V("key").eq(key)
        sub = Program(key, "", "")
        sub.cite(plan.references, plan.age_limit.references)
        if plan.mg_per_kg is not None:
            sub.let("calculated", plan.mg_per_kg * V("w"))
            sub.note(f"{plan.mg_per_kg:g} mg/kg × {{w:g}} kg = {{calculated:.1f}} mg.")
        else:
            _bands(sub, plan.bands, key, prefix=f"{key}_")
            sub.let("calculated", V("band_mg"))
            sub.let("band_text", V("band_label"))
            sub.note("Weight band {band_text}: {band_mg:g} mg.")
        ceiling = V("calculated") if plan.max_mg is None else plan.max_mg
        sub.let("ceiling", ceiling)
        sub.let("capped", V("calculated") > V("ceiling") + EPS)
        sub.let("per_dose", fn("round_down", fn("min", V("calculated"), V("ceiling")), 1.0))
        sub.note("Capped at the label's ceiling of {ceiling:g} mg per infusion.", when=V("capped"))
        if plan.loading_mg_per_kg is not None:
            sub.let("loading", fn("round_down", plan.loading_mg_per_kg * V("w"), 1.0))
            sub.note(
                f"Loading dose {plan.loading_mg_per_kg:g} mg/kg = {{loading:g}} mg on day 1; the first maintenance "
                f"dose follows {plan.interval_days} days later."
            )
        else:
            sub.let("loading", None)
        count = plan.doses_per_cycle or 3
        first = 1 + plan.interval_days if plan.loading_mg_per_kg is not None else 1
        schedule = ([1] if plan.loading_mg_per_kg is not None else []) + [
            first + i * plan.interval_days for i in range(count)
        ]
        sub.let("schedule", schedule)
        if plan.doses_per_cycle is None:
            sub.note(f"Continuous: {{per_dose:g}} mg every {plan.interval_days} days (first doses listed).")
        if plan.cycle_note:
            sub.note(lit(plan.cycle_note))
        sub.warn_cited(fc.antibody_warning, when=~fn("in", V("ab"), list(plan.antibodies)))
        heavy = plan.high_weight_warning
        if heavy is not None:
            sub.warn(f"Weight {{w:g}} kg: {lit(heavy.text)}", heavy.references, when=V("w") >= heavy.from_kg)
        sub.warn_cited(*plan.warnings, *fc.warnings)
        sub.cite(fc.live_vaccine_refusal.references)
        sub.let("route", plan.route)
        sub.let("doses_per_cycle", plan.doses_per_cycle)
        sub.let("interval", plan.interval_days)
        sub.let(
            "per_cycle",
            "continuous" if plan.doses_per_cycle is None else f"{plan.doses_per_cycle} per cycle",
        )
        for step in sub.data["steps"]:
            cond = step.get("if")
            step["if"] = _json(is_drug & E(cond)) if cond is not None else _json(is_drug)
            p.data["steps"].append(step)
        p.data["tables"].update(sub.data["tables"])
    for name, value in {
        "drug": V("key"),
        "age": V("years"),
        "weight_kg": V("w"),
        "antibody": V("ab"),
        "route": V("route"),
        "weight_band": V("band_text"),
        "loading_mg": V("loading"),
        "calculated_mg": V("calculated"),
        "mg_per_dose": V("per_dose"),
        "capped": V("capped"),
        "doses_per_cycle": V("doses_per_cycle"),
        "interval_days": V("interval"),
        "schedule_days": V("schedule"),
    }.items():
        p.field(name, value)
    p.row("Drug", lookup("drug_label", V("key")), kind="str")
    p.row("Route", V("route"), kind="str")
    p.row("Age (years)", V("years"))
    p.row("Weight (kg)", V("w"))
    p.row("Weight band", V("band_text"), kind="str")
    p.row("Antibody", lookup("antibody_label", V("ab")), kind="str")
    p.row("Loading dose (mg)", V("loading"))
    p.row("Calculated dose (mg)", V("calculated"))
    p.row("Capped at the ceiling", V("capped"))
    p.row("Dose to give (mg)", V("per_dose"))
    p.row("Doses", V("per_cycle"), kind="str")
    p.row("Every (days)", V("interval"), kind="int")
    p.row("On days", V("schedule"), kind="ints")
    return p.data


#: Calculator function name -> program builder (every calculator of nmd_immuno.dosing with a form).
PROGRAMS: dict[str, Callable[[], dict[str, Any]]] = {
    "ivig_dose": ivig_program,
    "plasma_exchange_plan": plasma_exchange_program,
    "prednisone_dose": prednisone_program,
    "methylprednisolone_pulse": methylprednisolone_program,
    "rituximab_dose": rituximab_program,
    "azathioprine_dose": azathioprine_program,
    "methotrexate_dose": methotrexate_program,
    "mycophenolate_dose": mycophenolate_program,
    "complement_inhibitor_dose": complement_program,
    "fcrn_inhibitor_dose": fcrn_program,
}


def dosing_programs() -> dict[str, dict[str, Any]]:
    """Every calculator's program, plus the disclaimer, as one JSON-ready dict."""
    return {
        "version": 1,
        "disclaimer": dosing_parameters().disclaimer,
        "programs": {name: build() for name, build in PROGRAMS.items()},
    }
