"""Fast tests of the grading package's parts, without running nbgrader end to end."""

from __future__ import annotations

import copy
import math
from pathlib import Path

import grading_helpers as gh
import nbformat
import numpy as np
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from nmd_immuno.grading.cli import main as cli_main
from nmd_immuno.grading.course import ENV_COURSE_DIR, ENV_COURSE_ID, ENV_EXCHANGE, ENV_TIMEOUT, Course
from nmd_immuno.grading.integrity import compare_notebook
from nmd_immuno.grading.items import Thresholds, cronbach_alpha, item_analysis, score_matrix
from nmd_immuno.grading.leaks import find_leaks, html_text
from nmd_immuno.grading.notebooks import regions, secret_lines
from nmd_immuno.grading.outcomes import CODES, Outcome, load_outcomes, needs_review, ordered
from nmd_immuno.grading.preprocessors import FLOOD_MARKER, GuardedExecute, SanitiseFeedback

HIDDEN_CELL = (
    "def check(x):\n"  # line 1 (visible helper)
    "    assert x > 0\n"  # line 2
    "assert f(1) == 2\n"  # line 3 (visible test)
    "### BEGIN HIDDEN TESTS\n"  # line 4
    "assert f(7) == 49, 'expected 49 for seven'\n"  # line 5
    "check(f(-3))\n"  # line 6
    "### END HIDDEN TESTS"  # line 7
)


def _error(lines: list[int], ename: str = "AssertionError", evalue: str = "", count: int = 5) -> dict:
    frames = [f"\x1b[36mCell In[{count}], line {n}\x1b[39m\n----> {n} code" for n in lines]
    return new_output("error", ename=ename, evalue=evalue, traceback=["---", *frames, f"{ename}: {evalue}"])


def _sanitised(cell) -> nbformat.NotebookNode:
    nb = new_notebook(cells=[cell])
    out, _ = SanitiseFeedback().preprocess(nb, {})
    return out.cells[0]


# --- regions, secrets, leaks --------------------------------------------------------------------------------


def test_regions_find_each_kind_and_unterminated_regions() -> None:
    src = "a\n### BEGIN SOLUTION\nb\n### END SOLUTION\n### BEGIN HIDDEN TESTS\nc"
    found = regions(src)
    assert [(r.kind, r.lines) for r in found] == [("solution", ("b",)), ("hidden_tests", ("c",))]


def test_secret_lines_skip_text_that_students_see_anyway() -> None:
    nb = new_notebook(
        cells=[
            new_markdown_cell('Call `compute_total(weight_kg)` and keep `"rituximab",` in mind.'),
            new_code_cell(
                "### BEGIN SOLUTION\ncompute_total(weight_kg)\nanswer = 42 * weight_factor\n"
                '"rituximab",\nx = 1\n### END SOLUTION'
            ),
        ]
    )
    assert secret_lines(nb) == {"answer = 42 * weight_factor"}


def test_find_leaks_reads_highlighted_html(tmp_path: Path) -> None:
    page = tmp_path / "f.html"
    page.write_text(
        '<pre><span class="k">assert</span> <span class="n">f</span>(7) '
        '<span class="o">==</span> 49, &#39;expected 49 for seven&#39;</pre>'
    )
    secret = "assert f(7) == 49, 'expected 49 for seven'"
    assert [leak.secret for leak in find_leaks(page, {secret, "something else entirely"})] == [secret]
    assert "expected 49 for seven" in html_text(page.read_text())


# --- feedback sanitiser -------------------------------------------------------------------------------------


def _test_cell(*outputs: dict) -> nbformat.NotebookNode:
    cell = new_code_cell(HIDDEN_CELL, execution_count=5, outputs=list(outputs))
    cell.metadata["nbgrader"] = {
        "grade": True,
        "grade_id": "t",
        "locked": True,
        "points": 1,
        "solution": False,
    }
    return cell


def test_sanitiser_removes_hidden_tests_from_the_source() -> None:
    cell = _sanitised(_test_cell())
    assert "f(7)" not in cell.source and "check(f(-3))" not in cell.source
    assert "assert f(1) == 2" in cell.source and "hidden tests are not shown" in cell.source


def test_sanitiser_hides_a_failing_hidden_assert_and_its_message() -> None:
    cell = _sanitised(_test_cell(_error([5], evalue="expected 49 for seven")))
    text = str(cell.outputs)
    assert "f(7)" not in text and "expected 49" not in text
    assert cell.outputs[0]["ename"] == "AssertionError" and "Hidden tests are not shown" in text


def test_sanitiser_hides_a_hidden_call_that_fails_in_a_visible_helper() -> None:
    cell = _sanitised(_test_cell(_error([6, 2])))
    assert "check(f(-3))" not in str(cell.outputs) and "a visible test" not in str(cell.outputs)


def test_sanitiser_keeps_a_failing_visible_test_readable() -> None:
    cell = _sanitised(_test_cell(_error([3], evalue="f(1) should be 2")))
    text = "\n".join(cell.outputs[0]["traceback"])
    assert "line 3" in text and "assert f(1) == 2" in text and "f(1) should be 2" in text
    assert "f(7)" not in text


def test_sanitiser_drops_printed_output_of_hidden_tests() -> None:
    cell = _sanitised(_test_cell(new_output("stream", name="stdout", text="hidden test says 49\n")))
    assert cell.outputs == []


def test_sanitiser_withholds_other_outputs_quoting_hidden_text() -> None:
    quoting = new_code_cell(
        "print(x)",
        outputs=[new_output("stream", name="stdout", text="assert f(7) == 49, 'expected 49 for seven'\n")],
    )
    innocent = new_code_cell("print(1)", outputs=[new_output("stream", name="stdout", text="1\n")])
    nb = new_notebook(cells=[_test_cell(), quoting, innocent])
    out, _ = SanitiseFeedback().preprocess(nb, {})
    assert "f(7)" not in str(out.cells[1].outputs) and "withheld" in str(out.cells[1].outputs)
    assert out.cells[2].outputs[0]["text"] == "1\n"


def test_sanitiser_removes_mark_schemes_from_markdown() -> None:
    cell = _sanitised(
        new_markdown_cell("Task\n=== BEGIN MARK SCHEME ===\nGive 2 points for X.\n=== END MARK SCHEME ===")
    )
    assert "Give 2 points" not in cell.source and cell.source.startswith("Task")


# --- output cap ---------------------------------------------------------------------------------------------


def _stream(text: str) -> dict:
    return {
        "msg_type": "stream",
        "content": {"name": "stdout", "text": text},
        "parent_header": {"msg_id": "m"},
        "header": {"msg_type": "stream"},
    }


def test_guarded_execute_caps_output_while_it_arrives() -> None:
    ep = GuardedExecute(max_output_chars=100)
    ep.reset_execution_trackers()
    ep.clear_before_next_output = False  # set by nbclient when a cell starts
    ep._output_chars, ep._flooded = {}, set()
    outs: list = []
    for _ in range(50):
        ep.output(outs, _stream("x" * 30), None, 0)
    kept = "".join(o["text"] for o in outs)
    assert kept.count("x") <= 100 and FLOOD_MARKER in kept and len(outs) <= 5
    other: list = []
    ep.output(other, _stream("fine"), None, 1)  # another cell is not affected
    assert other[0]["text"] == "fine"


# --- integrity ----------------------------------------------------------------------------------------------


def _released() -> nbformat.NotebookNode:
    nb = gh.fixture_source_notebook()
    for cell in nb.cells:  # a stand-in for the released version: solutions blanked
        if cell.metadata["nbgrader"].get("solution"):
            cell.source = "# YOUR CODE HERE"
        cell.source = cell.source.split("### BEGIN HIDDEN TESTS")[0]
    return nb


def test_integrity_sees_nothing_in_an_answered_notebook() -> None:
    rel = _released()
    assert compare_notebook(rel, gh.fill(rel, gh.CORRECT), "fx.ipynb") == []


def test_integrity_reports_deleted_edited_and_changed_cells() -> None:
    rel = _released()
    sub = copy.deepcopy(rel)
    sub.cells = [c for c in sub.cells if gh.grade_id(c) != "q3_tests"]
    for cell in sub.cells:
        if gh.grade_id(cell) == "q1_tests":
            cell.source = "pass"
        if gh.grade_id(cell) == "q2_tests":
            cell.metadata.nbgrader["points"] = 9
    found = {f.code: f.detail for f in compare_notebook(rel, sub, "fx.ipynb")}
    assert "q3_tests (test)" in found["deleted_cells"]
    assert "q1_tests" in found["edited_locked_cells"]
    assert "q2_tests: points" in found["edited_metadata"]


def test_integrity_ignores_whitespace_only_changes() -> None:
    rel = _released()
    sub = copy.deepcopy(rel)
    for cell in sub.cells:
        if gh.grade_id(cell) == "q1_tests":
            cell.source = cell.source + "\n\n   "
    assert compare_notebook(rel, sub, "fx.ipynb") == []


# --- outcomes -----------------------------------------------------------------------------------------------


def test_outcome_codes_order_by_severity_and_round_trip(tmp_path: Path) -> None:
    assert ordered(["late", "kernel_died", "ok"]) == ["kernel_died", "late"]
    assert ordered([]) == ["ok"]
    with pytest.raises(ValueError, match="allowed"):
        ordered(["exploded"])
    o = Outcome("a1", "s1")
    o.add("timeout", "cell 3")
    o.add("timeout", "cell 5")
    o.save(tmp_path)
    back = load_outcomes(tmp_path)["s1"]
    assert back.status == ["timeout"] and back.details["timeout"] == "cell 3; cell 5"
    assert needs_review(back.status) and not needs_review(["late"]) and not needs_review(["ok"])
    assert len({c.name for c in CODES}) == len(CODES)


# --- item analysis ------------------------------------------------------------------------------------------


def _matrix() -> tuple[pd.DataFrame, dict[str, float]]:
    rng = np.random.default_rng(7)
    ability = rng.normal(size=40)
    data = {
        "easy": (ability > -2.5).astype(float),
        "hard": (ability > 1.8).astype(float) * 2,
        "good": (ability + rng.normal(scale=0.5, size=40) > 0).astype(float),
        "inverse": (ability < -0.3).astype(float),
        "partial": np.clip(np.round(ability + 1.5), 0, 3),
    }
    frame = pd.DataFrame(data, index=[f"s{i:02d}" for i in range(40)])
    return frame, {"easy": 1, "hard": 2, "good": 1, "inverse": 1, "partial": 3}


def test_item_analysis_matches_textbook_formulas() -> None:
    scores, maxp = _matrix()
    a = item_analysis(scores, maxp).set_index("item")
    total = scores.sum(axis=1)
    for item in ("good", "inverse"):
        x = scores[item].to_numpy()
        rest = (total - scores[item]).to_numpy()
        p = x.mean()
        rpb = (rest[x == 1].mean() - rest[x == 0].mean()) / rest.std() * math.sqrt(p * (1 - p))
        assert a.loc[item, "difficulty"] == pytest.approx(p)
        assert a.loc[item, "point_biserial"] == pytest.approx(rpb)
    ranked = sorted(scores.index, key=lambda s: (-total[s], s))
    k = round(0.27 * 40)
    d = scores.loc[ranked[:k], "partial"].mean() / 3 - scores.loc[ranked[-k:], "partial"].mean() / 3
    assert a.loc["partial", "discrimination_ul"] == pytest.approx(d)
    assert a.loc["partial", "difficulty"] == pytest.approx(scores["partial"].mean() / 3)


def test_item_analysis_flags() -> None:
    scores, maxp = _matrix()
    flags = item_analysis(scores, maxp).set_index("item")["flags"].to_dict()
    assert "too_easy" in flags["easy"]
    assert "too_hard" in flags["hard"]
    assert "negative_discrimination" in flags["inverse"]
    assert flags["good"] == ""


def test_item_analysis_treats_pending_manual_grades_as_missing() -> None:
    grades = pd.DataFrame(
        [
            {
                "assignment": "a",
                "student": s,
                "notebook": "nb",
                "item": "w",
                "kind": "manual",
                "cell_type": "markdown",
                "max_score": 2.0,
                "auto_score": None,
                "manual_score": m,
                "score": m or 0.0,
                "needs_manual_grade": m is None,
            }
            for s, m in (("s1", 2.0), ("s2", None), ("s3", 0.0))
        ]
    )
    scores, maxp, kinds = score_matrix(grades)
    assert math.isnan(scores.loc["s2", "w"]) and kinds == {"w": "manual"}
    row = item_analysis(scores, maxp).iloc[0]
    assert row["n"] == 2 and row["flags"] == "not_enough_data"


def test_cronbach_alpha_matches_its_definition() -> None:
    scores, _ = _matrix()
    k = scores.shape[1]
    expected = k / (k - 1) * (1 - scores.var(ddof=1).sum() / scores.sum(axis=1).var(ddof=1))
    assert cronbach_alpha(scores) == pytest.approx(expected)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"easy": 1.5},
        {"hard": -0.1},
        {"hard": 0.9, "easy": 0.8},
        {"group_fraction": 0.0},
        {"low": float("nan")},
    ],
)
def test_thresholds_refuse_impossible_values(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        Thresholds(**kwargs)


def test_item_analysis_refuses_missing_or_zero_maxima() -> None:
    scores, maxp = _matrix()
    with pytest.raises(ValueError, match="easy"):
        item_analysis(scores, {k: v for k, v in maxp.items() if k != "easy"})
    with pytest.raises(ValueError, match="points > 0"):
        item_analysis(scores, {**maxp, "good": 0})


# --- course and command line --------------------------------------------------------------------------------


def test_course_resolution_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(ENV_COURSE_DIR, str(tmp_path / "env-course"))
    monkeypatch.setenv(ENV_EXCHANGE, str(tmp_path / "env-exchange"))
    monkeypatch.setenv(ENV_COURSE_ID, "env-id")
    monkeypatch.setenv(ENV_TIMEOUT, "7")
    c = Course.resolve()
    assert (c.root.name, c.exchange.name, c.course_id, c.cell_timeout_s) == (
        "env-course",
        "env-exchange",
        "env-id",
        7,
    )
    c = Course.resolve(tmp_path / "arg", course_id="arg-id", cell_timeout_s=3)
    assert (c.root.name, c.course_id, c.cell_timeout_s) == ("arg", "arg-id", 3)
    assert "?timeout=" in c.db_url and f"--Exchange.root={c.exchange}" in c.nbgrader_options()
    monkeypatch.setenv(ENV_TIMEOUT, "soon")
    with pytest.raises(ValueError, match="NMD_GRADING_TIMEOUT"):
        Course.resolve()


def test_cli_lists_outcome_codes(capsys: pytest.CaptureFixture) -> None:
    assert cli_main(["codes"]) == 0
    out = capsys.readouterr().out
    assert all(c.name in out for c in CODES)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["generate", "--duedate", "next tuesday"], "--duedate: got 'next tuesday'"),
        (["generate", "no-such-assignment"], "assignment: got ['no-such-assignment']"),
        (["autograde", "fx"], "not in the gradebook"),
        (["export"], "does not exist"),
    ],
)
def test_cli_reports_bad_input_in_one_line(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    gh.make_course(tmp_path / "course")
    code = cli_main(["--course-dir", str(tmp_path / "course"), *argv])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err


# --- isolated runner (starts real nbgrader processes) -------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["forkserver", "subprocess"])
def test_runner_runs_real_nbgrader_in_both_modes(
    mode: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import nbgrader

    from nmd_immuno.grading.runner import ENV_ISOLATION, run_nbgrader

    monkeypatch.setenv(ENV_ISOLATION, mode)
    result = run_nbgrader(["--version"], cwd=tmp_path, log_path=tmp_path / "version.log", deadline_s=120)
    assert result.ok and nbgrader.__version__ in result.log


@pytest.mark.slow
def test_runner_kills_only_the_job_that_overruns(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from nmd_immuno.grading import runner
    from nmd_immuno.grading.runner import ENV_ISOLATION, Job, run_jobs

    monkeypatch.setenv(ENV_ISOLATION, "subprocess")  # a cold start takes seconds: longer than 0.2 s
    slow = Job(("--version",), tmp_path, tmp_path / "a.log", deadline_s=0.2)
    fine = Job(("--version",), tmp_path, tmp_path / "b.log", deadline_s=120)
    made: list[Path] = []
    real_mkdtemp = runner.tempfile.mkdtemp

    def recording_mkdtemp(*args, **kwargs) -> str:
        made.append(Path(real_mkdtemp(*args, **kwargs)))
        return str(made[-1])

    monkeypatch.setattr(runner.tempfile, "mkdtemp", recording_mkdtemp)
    first, second = run_jobs([slow, fine], workers=2)
    assert first.killed_at_deadline and first.returncode is None
    assert second.ok and not second.killed_at_deadline
    # each job's scratch folder (TMPDIR: the sandboxed kernels' private folders) is gone, killed or not
    assert len(made) == 2 and not [folder for folder in made if folder.exists()]


def test_item_analysis_notebook_is_committed_without_outputs() -> None:
    nb = nbformat.read(gh.REPO_ROOT / "notebooks" / "item-analysis.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)
    assert "nmd_immuno.grading" in "".join(c.source for c in code)  # thin: the package does the work
