"""The in-browser algorithm explorer (``static/explorer.js``) gives exactly what the Python engine gives.

Both run the same program (:mod:`nmd_immuno.engine.program`): the Python walker interprets it in
:func:`nmd_immuno.recommend`, explorer.js in the browser.

1. Conformance, in node: the JavaScript interpreter of the program, with json-logic-js from ``node_modules``
   (``make vendor``), on every preset, the pathway tests' hand-written clinical cases (which together walk
   every edge of the graph) and a few hundred random patients per disorder (drawn from
   ``data/patient_fields.yaml`` with random histories, seeded), compared with :func:`nmd_immuno.recommend`:
   therapies, avoid, warnings, the path (ids, titles, kinds, branch labels, rationale, references),
   references, not offered; every edge of the pathway must be among the walks compared; invalid patients
   must give the same PatientError message. Skipped only when node is not installed.
2. The fragment itself: data only (no script of its own), the payload is the program of the loaded pathway.
3. In a real browser (Debian chromium, the ``page`` fixture fails on any console error or failed/external
   request): a standalone page laid out as the book's (the vendored json-logic-js, explorer.js and its
   stylesheet loaded once in <head>), once plain and once with require.js loaded as on the book's widget
   pages; MG antibody AChR -> MuSK changes
   the offered therapies to what ``recommend`` says, an invalid combination shows the engine's message.
"""

from __future__ import annotations

import copy
import functools
import http.server
import json
import random
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from buildtools import REPO_ROOT
from pathway_helpers import pathway_edges, random_patient, refusal, walked_edges
from test_pathways_common import CASES

from nmd_immuno.content.algorithms import available_algorithms
from nmd_immuno.engine import load_pathway, recommend
from nmd_immuno.engine.program import program_for, typos
from nmd_immuno.errors import PatientError
from nmd_immuno.quiz.static_html import static_asset
from nmd_immuno.sphinxext.explorer_assets import explorer_stylesheet
from nmd_immuno.widgets.static_explorer import LIBRARY_PATH, explorer_payload, static_explorer_html

EXPLORER_JS = REPO_ROOT / "src" / "nmd_immuno" / "static" / "explorer.js"
NODE = shutil.which("node")
RANDOM_VALID_PER_DISORDER = 300
COMPARED = ("therapies", "avoid", "warnings", "path", "references", "not_offered")
SEED = 20260515

# Runs the program on a batch: argv = explorer.js, json-logic-js, input file ({program, patients}).
NODE_RUNNER = r"""
const fs = require("fs");
const [explorerPath, libraryPath, inputPath] = process.argv.slice(2);
const explorer = require(explorerPath);
const jsonLogic = require(libraryPath);
const {program, patients} = JSON.parse(fs.readFileSync(inputPath, "utf8"));
const results = patients.map((patient) => {
  try {
    return {ok: explorer.recommend(program, patient, jsonLogic)};
  } catch (error) {
    return {error: error.name + ": " + error.message};
  }
});
process.stdout.write(JSON.stringify(results));
"""


def library_file() -> Path:
    """json-logic-js as npm installed it (``make vendor`` runs ``npm ci``), else the book's vendored copy."""
    for candidate in (
        REPO_ROOT / "node_modules" / "json-logic-js" / "logic.js",
        REPO_ROOT / "book" / "_vendor" / LIBRARY_PATH,
    ):
        if candidate.is_file():
            return candidate
    pytest.fail("json-logic-js is not installed: run `make vendor` (npm ci from package-lock.json)")


def python_result(disorder: str, patient: Any) -> dict[str, Any]:
    """What the JavaScript walker must return: the engine's answer minus the echoed patient, or its error."""
    try:
        data = recommend(disorder, patient).to_dict()
    except PatientError as exc:
        return {"error": f"PatientError: {exc}"}
    return {"ok": {key: data[key] for key in COMPARED}}


def run_node(program: dict[str, Any], patients: list[Any], tmp_path: Path) -> list[dict[str, Any]]:
    runner = tmp_path / "runner.js"
    runner.write_text(NODE_RUNNER, encoding="utf-8")
    batch = tmp_path / f"{program['disorder']}.json"
    batch.write_text(json.dumps({"program": program, "patients": patients}), encoding="utf-8")
    done = subprocess.run(
        [NODE, str(runner), str(EXPLORER_JS), str(library_file()), str(batch)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"node failed:\n{done.stderr}"
    return json.loads(done.stdout)


# ------------------------------------------------------------------------------------------- patients


def invalid_patients(payload: dict[str, Any]) -> list[Any]:
    """One of each refusal of engine/patient.py, built from the specs (never from the expected message)."""
    fields, start = payload["program"]["patient"]["fields"], payload["start"]
    cases: list[Any] = [[], "patient", None]
    for name, spec in fields.items():
        cases.append({**start, name[:-1]: start.get(name)})  # misspelt field: "did you mean"
        if spec["required"]:
            cases.append({k: v for k, v in start.items() if k != name})
        if spec["type"] == "choice":
            cases += [{**start, name: "zzz"}, {**start, name: "o'clock"}, {**start, name: 3}]
        elif spec["type"] == "bool":
            cases += [{**start, name: "yes"}, {**start, name: 1}]
        elif spec["type"] == "number":
            top = int(spec["max"])
            cases += [{**start, name: top + 1}, {**start, name: top + 0.5}, {**start, name: -1}]
            cases += [{**start, name: "abc"}, {**start, name: True}, {**start, name: [1, 2]}]
    cases.append({**start, "unknown_field_xyz": 1})
    therapy = payload["history_therapies"][0]
    for history in (["a"], "x", {therapy[:-1]: "response"}, {"qq": "response"}, {therapy: "great"}):
        cases.append({**start, "history": history})
    cases.append({**start, "history": {therapy: None}})
    if "sex" in fields and "pregnant" in fields:
        cases.append({**start, "sex": "male", "pregnant": True})
    return cases


def patients_for(disorder: str) -> tuple[list[Any], int]:
    """Presets, the pathway tests' clinical cases, random patients until RANDOM_VALID_PER_DISORDER are valid,
    invalid ones; (list, random valid)."""
    payload = explorer_payload(disorder)
    rng = random.Random(f"{SEED}-{disorder}")
    patients: list[Any] = [p["patient"] for p in payload["presets"]]
    patients += [copy.deepcopy(case.patient) for case in CASES[disorder].values()]
    valid = 0
    for _ in range(RANDOM_VALID_PER_DISORDER * 5):
        patient = random_patient(rng, disorder)
        patients.append(patient)
        try:
            recommend(disorder, patient)
            valid += 1
        except PatientError:
            pass
        if valid >= RANDOM_VALID_PER_DISORDER:
            break
    return patients + invalid_patients(payload), valid


# ------------------------------------------------------------------------------------------- conformance


@pytest.mark.skipif(NODE is None, reason="node is not installed (make system-deps installs nodejs and npm)")
@pytest.mark.parametrize("disorder", available_algorithms())
def test_javascript_walker_matches_recommend(disorder: str, tmp_path: Path) -> None:
    patients, valid = patients_for(disorder)
    assert valid >= RANDOM_VALID_PER_DISORDER, f"only {valid} random valid patients for {disorder}"
    got = run_node(program_for(disorder), patients, tmp_path)
    assert len(got) == len(patients)
    compared = []
    for patient, js in zip(patients, got, strict=True):
        expected = python_result(disorder, patient)
        assert js == expected, f"{disorder}: JavaScript and Python differ for patient {patient!r}"
        if "ok" in expected:
            compared.append(recommend(disorder, patient))
    # The comparison must cover the whole pathway: every edge of the graph walked by some compared patient.
    missed = pathway_edges(disorder) - walked_edges(disorder, compared)
    assert not missed, f"{disorder}: edges no compared walk took: {sorted(missed)}"


@pytest.mark.skipif(NODE is None, reason="node is not installed (make system-deps installs nodejs and npm)")
def test_conformance_comparison_can_fail(tmp_path: Path) -> None:
    """A program whose walk differs from the engine's must be caught by the comparison above."""
    program = copy.deepcopy(program_for("myasthenia_gravis"))
    patient = explorer_payload("myasthenia_gravis")["start"]
    for node in program["walk"]["nodes"].values():
        node["offer"] = []
    (js,) = run_node(program, [patient], tmp_path)
    assert js != python_result("myasthenia_gravis", patient)


@pytest.mark.skipif(NODE is None, reason="node is not installed (make system-deps installs nodejs and npm)")
def test_messages_quote_values_and_suggest_as_the_engine(tmp_path: Path) -> None:
    """The messages come from the program's templates: values quoted as the engine quotes them, and "did you
    mean" from the program's table, which holds every typo model word the engine answers; for a word outside
    it the browser leaves the suggestion out (a form never sends one: its fields are fixed)."""
    disorder = "myasthenia_gravis"
    program = program_for(disorder)
    start = explorer_payload(disorder)["start"]
    values = ["a", "o'clock", 'say "x"', "both ' and \"", "back\\slash\n\t\x01", 3, 2.5, 1e-7, 1e22, 123.25]
    values += [True, False, [1, "a", None], {"k": [False]}, 0.0001, -1e-5, 1e16 + 2.5]
    patients: list[Any] = [{**start, "antibody": value} for value in values]
    fields = [name for name in program["patient"]["fields"] if name != "history"]
    typo_words = sorted({typo for name in fields for typo in typos(name)} - set(fields))
    patients += [{**start, word: 1} for word in typo_words]
    therapies = program["patient"]["therapy_ids"]
    therapy_typos = sorted({typo for t in therapies[:8] for typo in typos(t)} - set(therapies))
    patients += [{**start, "history": {word: "response"}} for word in therapy_typos]
    got = run_node(program, patients, tmp_path)
    for patient, js in zip(patients, got, strict=True):
        assert js == python_result(disorder, patient), f"differs for {patient!r}"
    assert any("did you mean" in js.get("error", "") for js in got)
    assert {"error": f"PatientError: {refusal(disorder, {**start, 'antibody': 'back'})}"} in run_node(
        program, [{**start, "antibody": "back"}], tmp_path
    )
    # Outside the typo model: the engine's message without its suggestion.
    far = ["mgfa", "thymo", "agee_x"]
    far_patients = [{**start, word: 1} for word in far]
    for word, js in zip(far, run_node(program, far_patients, tmp_path), strict=True):
        python = python_result(disorder, {**start, word: 1})["error"]
        assert js["error"] == re.sub(r" \(did you mean '[^']+'\?\)", "", python)
    assert any("did you mean" in python_result(disorder, p)["error"] for p in far_patients), "no far hint"


@pytest.mark.skipif(NODE is None, reason="node is not installed (make system-deps installs nodejs and npm)")
def test_every_operator_the_loader_accepts_exists_in_the_vendored_json_logic_js(tmp_path: Path) -> None:
    from nmd_immuno.content.logic_check import JSONLOGIC_OPERATORS

    script = tmp_path / "ops.js"
    script.write_text(
        "const jl = require(process.argv[2]); const missing = [];"
        "for (const op of JSON.parse(process.argv[3])) {"
        "  try { jl.apply({[op]: []}, {}); } catch (e) {"
        "    if (String(e).includes('Unrecognized operation')) missing.push(op); } }"
        "process.stdout.write(JSON.stringify(missing));",
        encoding="utf-8",
    )
    ops = json.dumps([*sorted(JSONLOGIC_OPERATORS), "no_such_operator"])
    done = subprocess.run(
        [NODE, str(script), str(library_file()), ops], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(done.stdout) == ["no_such_operator"]


# ------------------------------------------------------------------------------------------- the fragment


def test_fragment_carries_data_only_and_the_pathway_program() -> None:
    fragment = static_explorer_html("myasthenia_gravis")
    assert 'src="' not in fragment and not re.search(r'href="(https?:)?//', fragment), "loads nothing"
    assert fragment.count("<script") == 1 and fragment.count('<script type="application/json"') == 1
    assert "<style" not in fragment.split('class="nmdx-result"')[0], "the stylesheet is the page's, once"
    data = fragment.split('class="nmdx-data">', 1)[1].split("</script>", 1)[0]
    payload = json.loads(data)
    algorithm = load_pathway("myasthenia_gravis")
    nodes = payload["program"]["walk"]["nodes"]
    assert list(nodes) == [n.id for n in algorithm.nodes]
    assert {k: n["step"]["kind"] for k, n in nodes.items()} == {n.id: n.kind for n in algorithm.nodes}
    assert payload["program"] == json.loads(json.dumps(program_for("myasthenia_gravis")))
    assert payload["presets"][0]["patient"] == payload["start"]
    # Without JavaScript the reader sees the first preset's result and path, rendered by the engine.
    first = recommend("myasthenia_gravis", payload["start"])
    for therapy in first.therapies:
        assert f'data-therapy="{therapy}"' in fragment
    root = fragment.split('id="', 1)[1].split('"', 1)[0]
    chart = fragment.split('class="nmdx-chart">', 1)[1]
    on_path = re.findall(rf'<g id="{root}-node&#45;([^"]+)" class="[^"]*nmd&#45;on&#45;path', chart)
    assert on_path and set(on_path) == {step.id for step in first.path}
    # Two renders on one page never share ids, nor with the chapter's own flowchart (ids node-...).
    again = static_explorer_html("myasthenia_gravis")
    ids = re.findall(r'\bid="([^"]+)"', fragment)
    assert not set(ids) & set(re.findall(r'\bid="([^"]+)"', again))
    assert all(i.startswith(root) for i in ids)


def test_payload_json_cannot_close_its_script_tag() -> None:
    from nmd_immuno.widgets.static_explorer import _script_json

    text = _script_json({"x": "</script><!-- & -->"})
    assert "</" not in text and "<!--" not in text and json.loads(text) == {"x": "</script><!-- & -->"}


def test_unknown_disorder_is_refused_with_the_allowed_ones() -> None:
    with pytest.raises(PatientError, match="disorder: 'mg' is not a known disorder; allowed: cidp"):
        static_explorer_html("mg")


# ------------------------------------------------------------------------------------------- browser


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def explorer_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Two pages laid out like the book (json-logic-js at ``vendor/``, ``data-content_root``), served on
    127.0.0.1: ``plain.html`` and ``amd.html``, which loads require.js first as the widget pages do."""
    folder = tmp_path_factory.mktemp("explorer-site")
    (folder / LIBRARY_PATH).parent.mkdir(parents=True)
    shutil.copy(library_file(), folder / LIBRARY_PATH)
    require_js = REPO_ROOT / "book" / "_vendor" / "vendor" / "requirejs" / "require.js"
    if not require_js.is_file():
        require_js = REPO_ROOT / "node_modules" / "requirejs" / "require.js"
    (folder / "vendor" / "requirejs").mkdir(parents=True)
    shutil.copy(require_js, folder / "vendor" / "requirejs" / "require.js")
    (folder / "explorer.js").write_text(static_asset("explorer.js"), encoding="utf-8")
    (folder / "explorer.css").write_text(explorer_stylesheet(), encoding="utf-8")
    body = static_explorer_html("myasthenia_gravis")
    for name, extra in [("plain", ""), ("amd", '<script src="./vendor/requirejs/require.js"></script>')]:
        # As the book's pages: json-logic-js before require.js, explorer.js after, once, in <head>.
        assets = (
            f'<link rel="stylesheet" href="explorer.css"><script src="{LIBRARY_PATH}"></script>{extra}'
            '<script src="explorer.js"></script>'
        )
        head = f'<head><meta charset="utf-8"><title>Explorer</title>{assets}</head>'
        page = f'<!DOCTYPE html>\n<html lang="en" data-content_root="./">{head}<body>{body}</body></html>'
        (folder / f"{name}.html").write_text(page, encoding="utf-8")
    (folder / "favicon.ico").write_bytes(b"")
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def chart_path(explorer: Any) -> set[str]:
    """The flowchart groups the explorer marks as on the path: ``node-<id>`` and ``edge-<a>-<b>``."""
    prefix = explorer.get_attribute("id")
    ids = explorer.locator(".nmdx-chart g.nmd-on-path").evaluate_all("gs => gs.map(g => g.id)")
    return {i.removeprefix(prefix + "-") for i in ids}


def expected_chart_path(disorder: str, rec: Any) -> set[str]:
    """What :func:`nmd_immuno.flowchart.build_graph` highlights for ``rec``: every step, every walked edge."""
    (edges,) = [walked_edges(disorder, [rec])]
    return {f"node-{step.id}" for step in rec.path} | {f"edge-{a}-{b}" for a, b in edges}


def offered(page: Any) -> list[str]:
    return page.locator(".nmdx-result .nmd-therapies li").evaluate_all(
        "items => items.map(li => li.getAttribute('data-therapy'))"
    )


def wait_for_offered(page: Any, therapies: list[str]) -> None:
    page.wait_for_function(
        "want => JSON.stringify(Array.from(document.querySelectorAll('.nmdx-result .nmd-therapies li'))"
        ".map(li => li.getAttribute('data-therapy'))) === JSON.stringify(want)",
        arg=therapies,
        timeout=5000,
    )


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("page_name", ["plain", "amd"])
def test_browser_explorer_follows_the_antibody(page: Any, explorer_site: str, page_name: str) -> None:
    start = explorer_payload("myasthenia_gravis")["start"]
    assert start["antibody"] == "achr"
    achr = recommend("myasthenia_gravis", start).therapies
    musk = recommend("myasthenia_gravis", {**start, "antibody": "musk"}).therapies
    assert achr != musk, "the test needs a preset whose offers depend on the antibody"

    page.goto(explorer_site + f"{page_name}.html", wait_until="load")
    page.wait_for_selector('.nmdx[data-ready="yes"]', timeout=10000)
    assert offered(page) == achr
    antibody = page.locator('.nmdx-form select[name="antibody"]')
    assert antibody.input_value() == "achr"

    antibody.select_option("musk")
    wait_for_offered(page, musk)
    path_ids = page.locator(".nmdx-result .nmd-path li").evaluate_all(
        "items => items.map(li => li.getAttribute('data-step'))"
    )
    expected_rec = recommend("myasthenia_gravis", {**start, "antibody": "musk"})
    assert path_ids == [step.id for step in expected_rec.path]
    # The flowchart follows: its highlighted nodes, rules and edges are Python's path, in the path colour.
    assert chart_path(page.locator(".nmdx")) == expected_chart_path("myasthenia_gravis", expected_rec)
    assert chart_path(page.locator(".nmdx")) != expected_chart_path(
        "myasthenia_gravis", recommend("myasthenia_gravis", start)
    )
    colours = page.locator(".nmdx-chart g.nmd-node").evaluate_all(
        "gs => gs.map(g => [g.classList.contains('nmd-on-path'),"
        " getComputedStyle(g.querySelector('polygon, path')).stroke])"
    )
    assert {stroke for on, stroke in colours if on} == {"rgb(192, 57, 43)"}
    assert "rgb(192, 57, 43)" not in {stroke for on, stroke in colours if not on}

    # An impossible patient: the engine's message, no result.
    page.locator('.nmdx-form select[name="sex"]').select_option("male")
    page.locator('.nmdx-form input[name="pregnant"]').check()
    with pytest.raises(PatientError) as refused:
        recommend("myasthenia_gravis", {**start, "antibody": "musk", "sex": "male", "pregnant": True})
    message = page.locator(".nmdx-message")
    message.wait_for(state="visible", timeout=5000)
    assert message.inner_text().strip() == str(refused.value)
    assert page.locator(".nmdx-result .nmd-rec").count() == 0

    page.locator(".nmdx-reset").click()
    wait_for_offered(page, achr)
    assert not message.is_visible()
