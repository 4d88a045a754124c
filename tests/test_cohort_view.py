"""The static cohort view's data are the Python runs they were built from, and cohort.js shows exactly them.

Why these tests: the browser view computes nothing; it can only be right if (1) every stored curve and table
column equals what the package's public functions return for the same disorder, strategy, size, seed and
follow-up, run separately (which also proves that a shorter follow-up is the first months of the longest
run), and (2) ``cohort.js`` picks the right entries for every state. (2) runs the page's own script under
node on every state of a small grid and on random states of the largest (myasthenia gravis).
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from nmd_immuno.simulate import (
    SimulationInputError,
    compare_strategies,
    comparison_caveats,
    describe_strategy,
    list_strategies,
    summarize_cohorts,
    summary_table,
)
from nmd_immuno.simulate.plotting import trajectory_table
from nmd_immuno.widgets.static_cohort import (
    DECIMALS,
    cohort_simulator_tool,
    cohort_view_payload,
    static_cohort_html,
    summary_texts,
)

COHORT_JS = Path(__file__).resolve().parents[1] / "src" / "nmd_immuno" / "static" / "cohort.js"
NODE = shutil.which("node")
SMALL = {"months": [2, 4], "sizes": [20, 60], "seeds": [0, 3]}


@pytest.fixture(scope="module")
def cidp() -> dict[str, Any]:
    return cohort_view_payload("cidp", **SMALL)


def _rounded(values: Any) -> list[float]:
    return [round(float(value), DECIMALS) for value in values]


def test_every_curve_and_column_equals_a_separate_python_run(cidp: dict[str, Any]) -> None:
    names = list(list_strategies("cidp"))
    assert [s["id"] for s in cidp["strategies"]] == names
    for i, n in enumerate(SMALL["sizes"]):
        for j, seed in enumerate(SMALL["seeds"]):
            for months in SMALL["months"]:
                cohorts = compare_strategies("cidp", names, n_patients=n, months=months, seed=seed)
                measures, columns = summary_texts(summarize_cohorts(cohorts))
                assert cidp["measures"][str(months)] == measures
                for k, name in enumerate(names):
                    entry = cidp["runs"][i][j][k]
                    assert entry["summary"][str(months)] == columns[name]
                    table = trajectory_table(cohorts[name])
                    for key in ("mean", "q25", "q75", "responders"):
                        assert entry["curve"][key][: months + 1] == _rounded(table[key]), (n, seed, name, key)


def test_summary_texts_are_what_summary_table_prints(cidp: dict[str, Any]) -> None:
    cohorts = compare_strategies("cidp", ["ivig", "placebo"], n_patients=60, months=4, seed=3)
    table = str(summary_table(summarize_cohorts(cohorts)))
    measures, columns = summary_texts(summarize_cohorts(cohorts))
    for row, measure in enumerate(measures):
        cells = f"{measure}</td><td"
        assert cells in table, measure
        for name in ("ivig", "placebo"):
            assert f">{columns[name][row]}</td>" in table


def test_caveats_and_descriptions_come_from_the_package(cidp: dict[str, Any]) -> None:
    texts = cidp["caveats"]["texts"]
    for a in list_strategies("cidp"):
        for b in list_strategies("cidp"):
            chosen = [a] if a == b else [a, b]
            shown = [texts[i] for i in cidp["caveats"]["pairs"][f"{a}|{b}"]]
            assert shown == comparison_caveats("cidp", chosen)
    for strategy in cidp["strategies"]:
        assert strategy["description"] == describe_strategy("cidp", strategy["id"])
        assert strategy["colour"].startswith("#")


def test_myasthenia_gravis_sample_run_equals_python() -> None:
    payload = cohort_view_payload("myasthenia_gravis", months=[3, 6], sizes=[40], seeds=[5])
    names = list(list_strategies("myasthenia_gravis"))
    cohorts = compare_strategies("myasthenia_gravis", names, n_patients=40, months=3, seed=5)
    _, columns = summary_texts(summarize_cohorts(cohorts))
    for k, name in enumerate(names):
        assert payload["runs"][0][0][k]["summary"]["3"] == columns[name]
    # Different backgrounds are named for a biologic against a prednisone strategy.
    pair = payload["caveats"]["pairs"]["efgartigimod|prednisone_alone"]
    assert any("Different backgrounds" in payload["caveats"]["texts"][i] for i in pair)


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"months": [0]}, "months"),
        ({"months": [6, 6]}, "months"),
        ({"months": "6"}, "months"),
        ({"months": [6], "sizes": [0]}, "sizes"),
        ({"months": [6], "seeds": [-1]}, "seeds"),
        ({"months": [6], "default": ("ivig", "steroids")}, "default B"),
        ({"months": [6], "default_size": 7}, "default_size"),
        ({"months": [6], "sizes": list(range(1, 30)), "seeds": list(range(30))}, "sizes x seeds"),
    ],
)
def test_bad_options_are_refused_with_the_field(options: dict[str, Any], field: str) -> None:
    with pytest.raises(SimulationInputError, match=field):
        cohort_view_payload("cidp", **options)


def test_unknown_disorder_is_refused() -> None:
    with pytest.raises(SimulationInputError, match="disorder"):
        cohort_view_payload("gbs", months=[6])


def test_fragment_embeds_the_payload_script_and_a_fallback_table() -> None:
    fragment = static_cohort_html("cidp", **SMALL)
    payload = json.loads(fragment.split('class="nmdc-data">', 1)[1].split("</script>", 1)[0])
    assert payload == cohort_view_payload("cidp", **SMALL)
    # The live widget's defaults (first and last strategy where MG's pair does not exist), middle size.
    assert payload["defaults"] == {"a": "placebo", "b": "ivig", "size": 60, "seed": 0, "months": 4}
    cohorts = compare_strategies("cidp", ["placebo", "ivig"], n_patients=60, months=4, seed=0)
    assert str(summary_table(summarize_cohorts(cohorts))) in fragment
    assert "simulated when this page was built" in fragment and "make lab" in fragment
    assert fragment.count("<script") == 2  # the payload and cohort.js with its start-up line, nothing loaded


def test_tool_has_a_live_widget_view_and_the_browser_view() -> None:
    tool = cohort_simulator_tool("cidp", **SMALL)
    bundle = tool._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/html"].startswith('<div class="nmdc"')


# ------------------------------------------------------------------------------------- cohort.js under node

RUNNER = """
const api = require(process.argv[2]);
const fs = require("fs");
const payload = JSON.parse(fs.readFileSync(process.argv[3], "utf8"));
const states = JSON.parse(fs.readFileSync(process.argv[4], "utf8"));
const out = states.map((s) => {
  try { return api.view(payload, s); } catch (e) { return {error: e.message}; }
});
process.stdout.write(JSON.stringify(out));
"""


def run_views(payload: dict[str, Any], states: list[dict[str, Any]], tmp_path: Path) -> list[dict[str, Any]]:
    (tmp_path / "run.js").write_text(RUNNER)
    (tmp_path / "payload.json").write_text(json.dumps(payload))
    (tmp_path / "states.json").write_text(json.dumps(states))
    done = subprocess.run(
        [
            NODE,
            str(tmp_path / "run.js"),
            str(COHORT_JS),
            str(tmp_path / "payload.json"),
            str(tmp_path / "states.json"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def expected_view(disorder: str, state: dict[str, Any]) -> dict[str, Any]:
    ids = [state["a"]] if state["a"] == state["b"] else [state["a"], state["b"]]
    cohorts = compare_strategies(
        disorder, ids, n_patients=state["size"], months=state["months"], seed=state["seed"]
    )
    measures, columns = summary_texts(summarize_cohorts(cohorts))
    return {
        "ids": ids,
        "measures": measures,
        "columns": [columns[name] for name in ids],
        "curves": [
            {
                key: _rounded(trajectory_table(cohorts[name])[key])
                for key in ("mean", "q25", "q75", "responders")
            }
            for name in ids
        ],
        "caveats": comparison_caveats(disorder, ids),
    }


@pytest.mark.skipif(NODE is None, reason="node is not installed (make system-deps installs it)")
def test_cohort_js_shows_python_runs_for_every_state(cidp: dict[str, Any], tmp_path: Path) -> None:
    names = list(list_strategies("cidp"))
    states = [
        {"a": a, "b": b, "size": n, "seed": seed, "months": months}
        for a in names
        for b in names
        for n in SMALL["sizes"]
        for seed in SMALL["seeds"]
        for months in SMALL["months"]
    ]
    views = run_views(cidp, states, tmp_path)
    for state, shown in zip(states, views, strict=True):
        want = expected_view("cidp", state)
        assert shown["ids"] == want["ids"]
        assert shown["measures"] == want["measures"]
        assert [s["summary"] for s in shown["strategies"]] == want["columns"]
        assert [s["curve"] for s in shown["strategies"]] == want["curves"]
        assert shown["caveats"] == want["caveats"]
        assert shown["measures"][shown["headline"]].startswith("responders at month")
        ids = ", ".join(repr(name) for name in want["ids"])
        assert shown["call"] == (
            f"compare_strategies('cidp', [{ids}], n_patients={state['size']}, months={state['months']}, "
            f"seed={state['seed']})"
        )


@pytest.mark.skipif(NODE is None, reason="node is not installed (make system-deps installs it)")
def test_cohort_js_myasthenia_gravis_random_states(tmp_path: Path) -> None:
    options = {"months": [3, 9], "sizes": [30, 80], "seeds": [0, 1]}
    payload = cohort_view_payload("myasthenia_gravis", **options)
    names = list(list_strategies("myasthenia_gravis"))
    rng = random.Random(11)
    states = [
        {
            "a": rng.choice(names),
            "b": rng.choice(names),
            "size": rng.choice(options["sizes"]),
            "seed": rng.choice(options["seeds"]),
            "months": rng.choice(options["months"]),
        }
        for _ in range(25)
    ]
    for state, shown in zip(states, run_views(payload, states, tmp_path), strict=True):
        want = expected_view("myasthenia_gravis", state)
        assert [s["summary"] for s in shown["strategies"]] == want["columns"], state
        assert [s["curve"] for s in shown["strategies"]] == want["curves"], state
        assert shown["caveats"] == want["caveats"], state


@pytest.mark.skipif(NODE is None, reason="node is not installed (make system-deps installs it)")
def test_cohort_js_refuses_a_state_that_was_not_precomputed(cidp: dict[str, Any], tmp_path: Path) -> None:
    bad = [
        {"a": "ivig", "b": "placebo", "size": 21, "seed": 0, "months": 2},
        {"a": "ivig", "b": "placebo", "size": 20, "seed": 1, "months": 2},
        {"a": "ivig", "b": "placebo", "size": 20, "seed": 0, "months": 3},
        {"a": "ivig", "b": "steroids", "size": 20, "seed": 0, "months": 2},
    ]
    for shown in run_views(cidp, bad, tmp_path):
        assert shown["error"].startswith("no precomputed run for")
