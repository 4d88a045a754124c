"""The browser calculators (``static/dosing.js`` running the programs of ``nmd_immuno.dosing.program``) give
exactly what the Python calculators give: the same numbers, refusals, warnings, notes, references, table rows
and messages, to the character, on generated inputs inside, at and beyond every input's range.

Why node: it is the same JavaScript the book runs, with the same json-logic-js (from ``node_modules``, which
``make vendor`` installs). Each hypothesis example is a batch of cases run in one node process, so
12,000 cases take 120 node starts rather than 12,000.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from nmd_immuno import dosing
from nmd_immuno.dosing import SCHEDULES, attempt
from nmd_immuno.dosing.common import Refusal, _cell
from nmd_immuno.dosing.program import PROGRAMS, dosing_programs
from nmd_immuno.paths import REPO_ROOT

DOSING_JS = REPO_ROOT / "src" / "nmd_immuno" / "static" / "dosing.js"
NODE = shutil.which("node")
BATCH = 100
EXAMPLES_PER_CALCULATOR = 12  # 10 calculators x 12 batches x 100 cases = 12,000 cases
#: Fields computed with exp(), where libm and V8 may differ in the last bit (shown as a whole percent).
APPROXIMATE = {"fraction_removed_per_exchange"}

RUNNER = r"""
const fs = require("fs");
const [dosingPath, libraryPath, inputPath] = process.argv.slice(2);
const dosing = require(dosingPath);
const jsonLogic = require(libraryPath);
const {programs, cases} = JSON.parse(fs.readFileSync(inputPath, "utf8"));
function decode(v) {
  if (v && typeof v === "object" && !Array.isArray(v) && "$float" in v) {
    return v.$float === "inf" ? Infinity : v.$float === "-inf" ? -Infinity : NaN;
  }
  return Array.isArray(v) ? v.map(decode) : v;
}
const out = cases.map(([name, args]) => {
  const decoded = {};
  Object.keys(args).forEach((k) => { decoded[k] = decode(args[k]); });
  try {
    return dosing.run(programs[name], decoded, jsonLogic);
  } catch (error) {
    return {crash: String((error && error.stack) || error)};
  }
});
process.stdout.write(JSON.stringify(out));
"""

pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed (make system-deps installs it)")


def library_file() -> Path:
    for candidate in (
        REPO_ROOT / "node_modules" / "json-logic-js" / "logic.js",
        REPO_ROOT / "book" / "_vendor" / "vendor" / "json-logic-js" / "logic.js",
    ):
        if candidate.is_file():
            return candidate
    pytest.fail("json-logic-js is not installed: run `make vendor` (npm ci from package-lock.json)")


PROGRAM_DATA = dosing_programs()["programs"]


def _encode(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return {"$float": "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    return value


def run_node(cases: list[tuple[str, dict[str, Any]]], tmp_path: Path) -> list[dict[str, Any]]:
    runner = tmp_path / "runner.js"
    runner.write_text(RUNNER, encoding="utf-8")
    batch = tmp_path / "cases.json"
    encoded = [[name, {k: _encode(v) for k, v in args.items()}] for name, args in cases]
    batch.write_text(json.dumps({"programs": PROGRAM_DATA, "cases": encoded}), encoding="utf-8")
    done = subprocess.run(
        [NODE, str(runner), str(DOSING_JS), str(library_file()), str(batch)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"node failed:\n{done.stderr}"
    return json.loads(done.stdout)


def python_view(name: str, args: dict[str, Any]) -> dict[str, Any]:
    """What the browser must show: the result's as_dict() with its table rows, or the refusal."""
    outcome = attempt(getattr(dosing, name), **args)
    if isinstance(outcome, Refusal):
        return outcome.as_dict()
    data = outcome.as_dict()
    del data["disclaimer"]
    data["rows"] = [[label, _cell(value)] for label, value in outcome.rows()]
    data["title"] = outcome.title
    return json.loads(json.dumps(data))  # tuples -> lists, as JSON carries them


def assert_same(case: tuple[str, dict[str, Any]], expected: dict[str, Any], got: dict[str, Any]) -> None:
    assert "crash" not in got, f"{case}: dosing.js crashed: {got['crash']}"
    for key, value in expected.items():
        if key in APPROXIMATE and isinstance(value, float):
            assert got.get(key) == pytest.approx(value, rel=1e-14, abs=1e-15), (case, key)
        else:
            assert got.get(key) == value, f"{case}: {key}\n python: {value!r}\n browser: {got.get(key)!r}"
    if expected["kind"] != "Refusal":
        extra = set(got) - set(expected)
        assert not extra, f"{case}: the browser result has fields Python lacks: {extra}"


# ---------------------------------------------------------------------------------------------- inputs


def _number_strategy(limit: dict[str, Any], whole: bool, valid: bool) -> st.SearchStrategy[Any]:
    low, high = limit["min"], limit["max"]
    span = max(high - low, 1.0)
    inside = st.integers(math.ceil(low), math.floor(high)) if whole else st.floats(low, high)
    edges = st.sampled_from([low, high, float(low), float(high), low + span / 2])
    if valid:
        return st.one_of(inside, inside, inside, edges)
    beyond = st.floats(high, high + span * 3) | st.floats(low - span * 3, low) | st.floats(-1e300, 1e300)
    odd = st.sampled_from([math.nan, math.inf, -math.inf, None, True, False, "70", "", "abc", "1e400"])
    fraction = st.integers(math.ceil(low), max(math.ceil(low), math.floor(high) - 1)).map(lambda i: i + 0.5)
    return st.one_of(inside, edges, beyond, odd, fraction)


def _input_strategy(step: dict[str, Any], valid: bool) -> st.SearchStrategy[Any]:
    """Values for one input: ``valid`` ones (inside and at the limits, known options), or anything at all
    (beyond the limits, NaN, infinities, text, None, unknown options)."""
    check = step["check"]
    if check in ("number", "whole"):
        strategy = _number_strategy(step["limit"], check == "whole", valid)
        return strategy | st.none() if step.get("optional") else strategy
    if step["arg"] == "schedule":
        return st.sampled_from(SCHEDULES) if valid else st.sampled_from([*SCHEDULES, "fortnightly", None])
    if check == "choice":
        options = st.sampled_from(step["options"])
        return options if valid else options | st.sampled_from(["bogus", "", None])
    if check == "flag":
        return st.booleans() if valid else st.booleans() | st.none()
    if check == "choices":
        ids = st.lists(st.sampled_from(step["options"]), max_size=len(step["options"]))
        return ids if valid else ids | st.sampled_from([["bogus"], "diabetes", None])
    raise AssertionError(f"no strategy for {step}")


REQUIRED = {
    "ivig_dose": {"weight_kg", "height_cm", "sex"},
    "plasma_exchange_plan": {"weight_kg", "hematocrit"},
    "prednisone_dose": {"weight_kg"},
    "methylprednisolone_pulse": {"weight_kg"},
    "azathioprine_dose": {"weight_kg"},
    "complement_inhibitor_dose": {"weight_kg"},
    "fcrn_inhibitor_dose": {"weight_kg"},
}


def _cases(name: str, valid: bool) -> st.SearchStrategy[tuple[str, dict[str, Any]]]:
    inputs: dict[str, st.SearchStrategy[Any]] = {}
    for step in PROGRAM_DATA[name]["steps"]:
        if step["do"] == "input" and step["check"] != "raw" and step["arg"] not in inputs:
            inputs[step["arg"]] = _input_strategy(step, valid)
    if name == "rituximab_dose":
        inputs["hbv_screened"] = st.just(True) | st.booleans() if valid else st.booleans() | st.none()
    must = REQUIRED.get(name, set())
    if valid and name in {"complement_inhibitor_dose", "fcrn_inhibitor_dose"}:
        must = must | {"age"}
    if valid and name == "rituximab_dose":
        must = must | {"hbv_screened", "height_cm", "weight_kg"}
    optional = {k: v for k, v in inputs.items() if k not in must}
    return st.tuples(st.just(name), st.fixed_dictionaries({k: inputs[k] for k in must}, optional=optional))


def case_strategy(name: str) -> st.SearchStrategy[tuple[str, dict[str, Any]]]:
    """Keyword arguments for one calculator from its program's inputs: half drawn from valid values (so most
    reach a result), half from anything (inputs beyond the ranges, wrong types); optional ones may be left
    out."""
    return _cases(name, valid=True) | _cases(name, valid=False)


def test_every_calculator_has_a_program() -> None:
    assert set(PROGRAMS) == {
        "ivig_dose",
        "plasma_exchange_plan",
        "prednisone_dose",
        "methylprednisolone_pulse",
        "rituximab_dose",
        "azathioprine_dose",
        "methotrexate_dose",
        "mycophenolate_dose",
        "complement_inhibitor_dose",
        "fcrn_inhibitor_dose",
    }


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(PROGRAMS))
@settings(
    max_examples=EXAMPLES_PER_CALCULATOR,
    deadline=None,
    # No shrinking: a batch of 300 shrinks for minutes; the first differing case is reported as it is.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
        HealthCheck.large_base_example,
    ],
)
@given(data=st.data())
def test_browser_calculators_match_python(name: str, data: st.DataObject, tmp_path: Path) -> None:
    cases = data.draw(st.lists(case_strategy(name), min_size=BATCH, max_size=BATCH))
    results = run_node(cases, tmp_path)
    for case, got in zip(cases, results, strict=True):
        assert_same(case, python_view(*case), got)


SHOWN = [
    ("ivig_dose", {"weight_kg": 70, "height_cm": 175, "sex": "male"}),
    (
        "ivig_dose",
        {
            "weight_kg": 118,
            "height_cm": 165,
            "sex": "female",
            "days": 2,
            "age": 68,
            "risk_factors": ["diabetes"],
        },
    ),
    ("ivig_dose", {"weight_kg": 400, "height_cm": 180, "sex": "male"}),
    ("plasma_exchange_plan", {"weight_kg": 80, "hematocrit": 38}),
    ("prednisone_dose", {"weight_kg": 95, "start": "full", "bulbar_or_respiratory": True}),
    ("rituximab_dose", {"height_cm": 250, "weight_kg": 290, "hbv_screened": True}),
    ("rituximab_dose", {"regimen": "1000_mg_x2", "hbv_screened": False}),
    ("azathioprine_dose", {"weight_kg": 60, "nudt15": "poor"}),
    ("methotrexate_dose", {"weekly_mg": 20, "schedule": "daily"}),
    ("mycophenolate_dose", {"daily_g": 2.0, "planning_pregnancy": True}),
    ("complement_inhibitor_dose", {"weight_kg": 52, "age": 15, "meningococcal_vaccination_days": 28}),
    ("fcrn_inhibitor_dose", {"weight_kg": 130, "age": 58}),
    ("fcrn_inhibitor_dose", {"weight_kg": 70, "age": 40, "drug": "efgartigimod_sc"}),
]


def test_the_chapter_examples_match(tmp_path: Path) -> None:
    """The cases the Dose calculators chapter shows, including its refusals, read the same in the browser."""
    kinds = []
    for case, got in zip(SHOWN, run_node(SHOWN, tmp_path), strict=True):
        expected = python_view(*case)
        assert_same(case, expected, got)
        kinds.append(expected["kind"])
    assert kinds.count("Refusal") == 7 and {"IvigDose", "SteroidDose", "RituximabDose", "FcrnDose"} <= set(
        kinds
    )


NUMBERS = [
    0.125,
    2.5,
    12.34375,
    1000.125,
    70.5,
    1e-5,
    123456789.0,
    5e-324,
    0.1 + 0.2,
    1e16,
    1e22,
    -0.0,
    -2.675,
    983.9999999999999,
    999999.5,
    0.00001234565,
    350.00000000000006,
    1.5,
    2.675,
    65.6,
]
SPECS = ["g", ".0f", ".1f", ".2f", ".0%", "r", "given"]


def python_text(value: float, spec: str) -> str:
    if spec == "r":
        return repr(value)
    if spec == "given":
        short = f"{value:g}"
        return short if float(short) == value else repr(value)
    return format(value, spec)


def test_number_text_follows_python(tmp_path: Path) -> None:
    """The formatter on exact ties (half to even), float noise and exponents, against Python's format()."""
    pairs = [[value, spec] for value in NUMBERS for spec in SPECS]
    script = tmp_path / "fmt.js"
    script.write_text(
        f"const d = require({json.dumps(str(DOSING_JS))});"
        f"const pairs = {json.dumps(pairs)};"
        "process.stdout.write(JSON.stringify(pairs.map(([v, s]) => d.format(v, s))));",
        encoding="utf-8",
    )
    done = subprocess.run([NODE, str(script)], capture_output=True, text=True, check=True)
    got = json.loads(done.stdout)
    wrong = [
        (v, s, python_text(v, s), g) for (v, s), g in zip(pairs, got, strict=True) if g != python_text(v, s)
    ]
    assert not wrong
