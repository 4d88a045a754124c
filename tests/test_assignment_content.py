"""Static checks on the five nbgrader assignment notebooks and their grader rubrics.

Why these checks: nbgrader trusts cell metadata blindly. A missing ``points``, a duplicated ``grade_id``, a
solution region in a cell not marked as a solution, or a hidden test outside a test cell does not fail loudly:
it leaks an answer to students or silently grades the wrong thing. So every notebook is checked here, cell by
cell, and the released version is produced in-process with nbgrader's own preprocessors to prove that no
solution code and no hidden test survives. The slow test at the end executes each notebook (solution: every
test cell passes; released stub: every test cell fails), which also catches drift in the package APIs the
assignments call.
"""

from __future__ import annotations

import ast
import copy
import operator
import re
from pathlib import Path

import nbformat
import pytest
from nbgrader.nbgraderformat import MetadataValidator
from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions

from nmd_immuno.content.bibliography import bibliography_keys

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "assignments" / "source"
RUBRICS = ROOT / "assignments" / "rubrics"
ASSIGNMENTS = (
    "a1-dosing-safety",
    "a2-myasthenia-gravis",
    "a3-inflammatory-neuropathies",
    "a4-inflammatory-myopathies",
    "a5-reading-evidence",
)
GRADE_ID = re.compile(r"^[A-Za-z0-9_-]+$")
RUBRIC_SECTION = re.compile(r"^## (\S+) \((\d+(?:\.\d+)?) points?\)\s*$", re.MULTILINE)
CRITERION = re.compile(r"^- \[(\d+(?:\.\d+)?)\]", re.MULTILINE)
TOTAL = re.compile(r"\*\*Total: (\d+) points\*\* \((\d+) autograded, (\d+) graded by hand")
TABLE_ROW = re.compile(r"^\| \d+ \| .+ \| (\d+) \|$", re.MULTILINE)
SOLUTION_REGION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.DOTALL)
HIDDEN_REGION = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.DOTALL)


def notebook_path(assignment: str) -> Path:
    return SOURCE / assignment / f"{assignment}.ipynb"


def load(assignment: str) -> nbformat.NotebookNode:
    return nbformat.read(notebook_path(assignment), as_version=4)


def meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def kind(cell) -> str:
    """The role of a cell in nbgrader terms: answer, tests, written, readonly (or other = a mistake)."""
    m = meta(cell)
    flags = (bool(m.get("grade")), bool(m.get("solution")), bool(m.get("locked")))
    if cell.cell_type == "code" and flags == (False, True, False):
        return "answer"
    if cell.cell_type == "code" and flags == (True, False, True):
        return "tests"
    if cell.cell_type == "markdown" and flags == (True, True, False):
        return "written"
    if flags == (False, False, True):
        return "readonly"
    return "other"


def release(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """What students receive: nbgrader's own solution and hidden-test clearing, run in-process."""
    released = copy.deepcopy(nb)
    released, _ = ClearSolutions().preprocess(released, {})
    released, _ = ClearHiddenTests().preprocess(released, {})
    return released


def rubric_sections(assignment: str) -> dict[str, tuple[float, str]]:
    """grade_id -> (points, section text) from the assignment's rubric file."""
    text = (RUBRICS / f"{assignment}.md").read_text(encoding="utf-8")
    matches = list(RUBRIC_SECTION.finditer(text))
    sections: dict[str, tuple[float, str]] = {}
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        assert match.group(1) not in sections, f"{assignment}: rubric section {match.group(1)} appears twice"
        sections[match.group(1)] = (float(match.group(2)), text[match.end() : end])
    return sections


@pytest.fixture(params=ASSIGNMENTS)
def assignment(request) -> str:
    return request.param


def test_one_notebook_per_assignment_and_valid_format(assignment):
    folder = SOURCE / assignment
    assert sorted(p.name for p in folder.glob("*.ipynb")) == [f"{assignment}.ipynb"]
    nb = load(assignment)
    nbformat.validate(nb)
    MetadataValidator().validate_nb(nb)  # nbgrader's own check (raises on duplicate ids, missing points)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert nb.metadata["kernelspec"]["language"] == "python"


def test_no_outputs_saved(assignment):
    for cell in load(assignment).cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, meta(cell).get("grade_id")


def test_every_cell_has_complete_nbgrader_metadata(assignment):
    prefix = assignment.split("-")[0] + "-"
    ids = []
    for cell in load(assignment).cells:
        m = meta(cell)
        assert m, f"{assignment}: a cell without nbgrader metadata:\n{cell.source[:120]}"
        assert m.get("schema_version") == 3
        for key in ("grade", "solution", "locked"):
            assert isinstance(m.get(key), bool), f"{m.get('grade_id')}: {key} must be a boolean"
        gid = m.get("grade_id")
        assert isinstance(gid, str) and GRADE_ID.match(gid), f"bad grade_id {gid!r}"
        assert gid.startswith(prefix), f"{gid}: grade ids start with {prefix!r}"
        ids.append(gid)
        assert kind(cell) != "other", (
            f"{gid}: unexpected combination of grade/solution/locked for a {cell.cell_type} cell"
        )
        if m["grade"]:
            assert isinstance(m.get("points"), (int, float)) and m["points"] > 0, (
                f"{gid}: points must be positive"
            )
        else:
            assert "points" not in m, f"{gid}: points on a cell that is not graded"
    assert len(ids) == len(set(ids)), f"duplicate grade ids in {assignment}"


def test_each_answer_cell_is_followed_by_its_tests(assignment):
    """An answer is followed directly by one or more test cells (several when a large answer is graded in
    parts, so one mistake does not cost all its points); a test cell never stands apart from an answer."""
    cells = load(assignment).cells
    kinds = [kind(c) for c in cells]
    assert "answer" in kinds and "written" in kinds, "each assignment mixes autograded and written answers"
    for index, k in enumerate(kinds):
        if k == "answer":
            assert index + 1 < len(cells) and kinds[index + 1] == "tests", (
                f"{meta(cells[index])['grade_id']} must be followed directly by its test cell"
            )
        if k == "tests":
            assert index > 0 and kinds[index - 1] in ("answer", "tests"), (
                f"{meta(cells[index])['grade_id']} tests no answer"
            )


def test_solution_regions_are_well_formed_and_only_in_answer_cells(assignment):
    for cell in load(assignment).cells:
        gid, source = meta(cell)["grade_id"], cell.source
        begins, ends = source.count("BEGIN SOLUTION"), source.count("END SOLUTION")
        if kind(cell) == "answer":
            assert begins >= 1 and begins == ends, f"{gid}: unbalanced or missing solution region"
            for region in SOLUTION_REGION.findall(source):
                assert region.strip(), f"{gid}: empty solution region"
        else:
            assert begins == ends == 0, f"{gid}: a solution region outside an answer cell"


def test_test_cells_have_visible_and_hidden_tests(assignment):
    for cell in load(assignment).cells:
        gid, source = meta(cell)["grade_id"], cell.source
        if kind(cell) != "tests":
            assert "HIDDEN TESTS" not in source, f"{gid}: hidden tests outside a test cell"
            continue
        assert source.count("### BEGIN HIDDEN TESTS") == 1 and source.count("### END HIDDEN TESTS") == 1, gid
        visible, rest = source.split("### BEGIN HIDDEN TESTS")
        hidden = rest.split("### END HIDDEN TESTS")[0]
        assert "assert" in visible, f"{gid}: no visible test"
        assert "assert" in hidden or "raise AssertionError" in hidden, f"{gid}: no hidden test"


def test_code_parses_and_test_cells_end_in_a_statement(assignment):
    """A test cell whose last line is an expression would hand out partial credit from its value."""
    nb = load(assignment)
    for version in (nb, release(nb)):
        for cell in version.cells:
            if cell.cell_type != "code":
                continue
            tree = ast.parse(cell.source)
            if kind(cell) == "tests":
                assert not isinstance(tree.body[-1], ast.Expr), (
                    f"{meta(cell)['grade_id']}: ends in an expression"
                )


def test_points_add_up_to_the_declared_total(assignment):
    cells = load(assignment).cells
    intro = cells[0].source
    match = TOTAL.search(intro)
    assert match, "the intro states '**Total: N points** (A autograded, M graded by hand'"
    total, auto, manual = (int(g) for g in match.groups())
    auto_points = sum(meta(c)["points"] for c in cells if kind(c) == "tests")
    manual_points = sum(meta(c)["points"] for c in cells if kind(c) == "written")
    assert total == 100
    assert (auto_points, manual_points) == (auto, manual)
    assert auto + manual == total
    graded_in_order = [meta(c)["points"] for c in cells if kind(c) in ("tests", "written")]
    assert [int(p) for p in TABLE_ROW.findall(intro)] == graded_in_order, (
        "the intro's points table matches the cells"
    )


def test_intro_states_objectives_disclaimer_and_rules(assignment):
    intro = load(assignment).cells[0].source
    assert intro.startswith("# Assignment ")
    assert "**Educational use only.**" in intro and "Do not use" in intro
    assert "Learning objectives" in intro
    assert "hidden tests" in intro and "Restart" in intro


def test_every_written_answer_has_a_rubric_entry(assignment):
    cells = load(assignment).cells
    written = {meta(c)["grade_id"]: float(meta(c)["points"]) for c in cells if kind(c) == "written"}
    sections = rubric_sections(assignment)
    assert set(sections) == set(written), "rubric sections and written cells must match one to one"
    known = bibliography_keys()
    text = (RUBRICS / f"{assignment}.md").read_text(encoding="utf-8")
    assert "never release" in text
    for gid, (points, body) in sections.items():
        assert points == written[gid], f"{gid}: rubric says {points} points, the notebook {written[gid]}"
        criteria = [float(p) for p in CRITERION.findall(body)]
        assert criteria and sum(criteria) == points, (
            f"{gid}: criteria add up to {sum(criteria)}, not {points}"
        )
        refs = re.search(r"^References: (.+)$", body, re.MULTILINE)
        assert refs, f"{gid}: no References line"
        keys = re.findall(r"`([^`]+)`", refs.group(1))
        assert keys and not set(keys) - known, f"{gid}: unknown bibliography keys {set(keys) - known}"


def test_release_contains_no_solution_and_no_hidden_test(assignment):
    nb = load(assignment)
    secret_lines, public_lines = set(), set()
    for cell in nb.cells:
        regions = SOLUTION_REGION.findall(cell.source) if kind(cell) == "answer" else []
        regions += HIDDEN_REGION.findall(cell.source) if kind(cell) == "tests" else []
        for region in regions:
            secret_lines |= {line.strip() for line in region.splitlines() if len(line.strip()) >= 12}
        if kind(cell) == "written":
            secret_lines |= {line.strip() for line in cell.source.splitlines() if len(line.strip()) >= 12}
        else:
            outside = HIDDEN_REGION.sub("", SOLUTION_REGION.sub("", cell.source))
            public_lines |= {line.strip() for line in outside.splitlines()}
    secret_lines -= public_lines  # a line shown anyway (e.g. plt.close) reveals nothing
    released = release(nb)
    for cell in released.cells:
        gid = meta(cell)["grade_id"]
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS"):
            assert marker not in cell.source, f"{gid}: {marker!r} left in the release"
        if kind(cell) == "answer":
            assert "raise NotImplementedError()" in cell.source, (
                f"{gid}: the stub must raise NotImplementedError"
            )
        if kind(cell) == "written":
            assert cell.source.strip() == "YOUR ANSWER HERE", f"{gid}: the model answer must be cleared"
        leaked = {line.strip() for line in cell.source.splitlines()} & secret_lines
        assert not leaked, f"{gid}: solution or hidden-test text in the release: {sorted(leaked)[:3]}"


def test_stub_variables_start_as_none(assignment):
    """Outside solution regions an answer cell only declares names (as None) or defines functions."""
    for cell in load(assignment).cells:
        if kind(cell) != "answer":
            continue
        outside = SOLUTION_REGION.sub("", cell.source)
        for node in ast.parse(outside).body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                assert node.value.value is None, (
                    f"{meta(cell)['grade_id']}: a stub assigns a value outside the solution"
                )


def test_no_widgets_and_no_network(assignment):
    for cell in load(assignment).cells:
        if cell.cell_type != "code":
            continue
        for forbidden in ("ipywidgets", "interact(", "http://", "https://", "urllib", "requests", "input("):
            assert forbidden not in cell.source, (
                f"{meta(cell)['grade_id']}: {forbidden!r} (autograding must not hang)"
            )


def test_a5_trials_still_offer_each_comparison():
    """Assignment 5 needs, for each trial it names, one control and one treatment row with event counts."""
    from nmd_immuno.simulate.trials import load_trials

    setup = next(c.source for c in load("a5-reading-evidence").cells if meta(c)["grade_id"] == "a5-setup")
    trial_ids = ast.literal_eval(re.search(r"TRIAL_IDS = (\(.*?\))", setup).group(1))
    trials = load_trials()
    for trial_id in trial_ids:
        rows = trials[
            (trials["trial_id"] == trial_id)
            & (trials["outcome_type"] == "proportion")
            & trials["primary"]
            & trials["events"].notna()
        ]
        control = rows["arm"].str.contains("placebo|control", case=False)
        assert int(control.sum()) == 1, f"{trial_id}: one control row with events"
        outcome = rows[control].iloc[0]["outcome"]
        assert int((~control & (rows["outcome"] == outcome)).sum()) == 1, f"{trial_id}: one treatment row"


def _execute(nb: nbformat.NotebookNode, cwd: Path) -> nbformat.NotebookNode:
    from nbclient import NotebookClient

    client = NotebookClient(
        nb, timeout=60, kernel_name="python3", allow_errors=True, resources={"metadata": {"path": str(cwd)}}
    )
    client.execute()
    return nb


def _failure(cell) -> str:
    """The first error (or stderr text) of a code cell, empty when it ran cleanly."""
    if cell.cell_type != "code":
        return ""
    for output in cell.outputs:
        if output.output_type == "error":
            return f"{output.ename}: {output.evalue}"[:300] or "error"
        if output.output_type == "stream" and output.name == "stderr":
            return f"stderr: {output.text}"[:300]
    return ""


@pytest.mark.slow
def test_solution_passes_and_release_fails_every_test_cell(assignment):
    """Full marks for the instructor's version, zero for the blank one (stderr counts as a failure)."""
    nb = load(assignment)
    solved = _execute(copy.deepcopy(nb), notebook_path(assignment).parent)
    failing = {meta(c)["grade_id"]: _failure(c) for c in solved.cells if _failure(c)}
    assert not failing, f"the solution notebook has failing cells: {failing}"
    blank = _execute(release(nb), notebook_path(assignment).parent)
    passing = [meta(c)["grade_id"] for c in blank.cells if kind(c) == "tests" and not _failure(c)]
    assert not passing, f"the blank notebook earns points on {passing}"


# ---------------------------------------------------------------- hidden expectations stay hidden

VISIBLE_NUMBER = re.compile(r"(?<![\w.])-?\d+\.\d+(?![\w.])")


# Operands are floats here, so ** with huge constants overflows (an ArithmeticError) instead of hanging.
_ARITHMETIC = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}


def _constant_value(node: ast.AST) -> float | None:
    """The value of an arithmetic expression made only of number literals (``(7.8 - 2.9) / 7.8 * 100``)."""
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = _constant_value(node.operand)
        return None if inner is None else (-inner if isinstance(node.op, ast.USub) else inner)
    operation = _ARITHMETIC.get(type(node.op)) if isinstance(node, ast.BinOp) else None
    if operation is not None:
        left, right = _constant_value(node.left), _constant_value(node.right)
        if left is None or right is None:
            return None
        try:
            return float(operation(left, right))
        except (ArithmeticError, ValueError):
            return None
    return None


def _call_name(node: ast.AST) -> str:
    if not isinstance(node, ast.Call):
        return ""
    return node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")


def _expected_values(operand: ast.AST) -> list[float]:
    """The numbers an answer is compared with in one operand: a number-only expression itself, either side of
    ``abs(a - b)``, or the target of ``pytest.approx(x)``. Constants inside a formula with variables
    (``p - 1.96 * se``) are parameters of the formula, not expected answers."""
    value = _constant_value(operand)
    if value is not None:
        return [value]
    if _call_name(operand) == "abs" and len(operand.args) == 1:
        inner = operand.args[0]
        if isinstance(inner, ast.BinOp) and isinstance(inner.op, ast.Sub):
            return _expected_values(inner.left) + _expected_values(inner.right)
    if _call_name(operand) == "approx" and operand.args:
        return _expected_values(operand.args[0])
    if _call_name(operand) == "float" and len(operand.args) == 1:
        return _expected_values(operand.args[0])
    return []


def hidden_expectations(source: str) -> set[float]:
    """Numbers a hidden test compares an answer with: operands of comparisons and of ``isclose`` calls.

    Tolerances are left out (``abs_tol=``/``rel=`` keywords and the bound of ``abs(answer - x) <= bound``),
    and so are trivial values: whole numbers up to 100 and numbers that round to 0.000. Inputs passed to the
    student's function (``effect_measures(32, 59, ...)``) are not expectations.
    """
    found: list[float] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            for index, operand in enumerate(operands):
                if not (index > 0 and _call_name(operands[index - 1]) == "abs"):  # a tolerance bound
                    found += _expected_values(operand)
        elif _call_name(node) in ("isclose", "allclose"):
            for arg in node.args:
                found += _expected_values(arg)
    return {
        value for value in found if abs(value) >= 0.0005 and not (value == int(value) and abs(value) <= 100)
    }


def visible_numbers(nb: nbformat.NotebookNode) -> set[str]:
    """Every decimal literal a student can read in the released notebook, as written."""
    return {
        match.group().lstrip("-")
        for cell in release(nb).cells
        for match in VISIBLE_NUMBER.finditer(cell.source)
    }


def test_hidden_expectations_are_not_shown_in_the_release(assignment):
    """A number a hidden test expects must not be printed in the student's copy (a demo, a hint, a comment):
    matching it to 2 or 3 decimals hands out the answer."""
    nb = load(assignment)
    shown = visible_numbers(nb)
    for cell in nb.cells:
        if kind(cell) != "tests":
            continue
        for region in HIDDEN_REGION.findall(cell.source):
            for value in hidden_expectations(region):
                rounded = {f"{abs(value):.2f}", f"{abs(value):.3f}"}
                leaked = rounded & shown
                assert not leaked, (
                    f"{meta(cell)['grade_id']}: the hidden expectation {value:g} appears in the release "
                    f"as {sorted(leaked)}"
                )


def test_hidden_expectation_parser_sees_comparisons_not_inputs_or_tolerances():
    source = (
        "x = f(32, 59, 12, 58)\n"
        "assert math.isclose(x['a'], 0.33548, abs_tol=1e-4)\n"
        "assert abs(y - 0.3355) <= 0.002\n"
        "assert abs(z - (7.8 - 2.9) / 7.8 * 100) <= 0.5\n"
        "assert n == 3 and w == 512\n"
        "assert v == pytest.approx(24.8, abs=0.2)\n"
    )
    assert hidden_expectations(source) == {0.33548, 0.3355, (7.8 - 2.9) / 7.8 * 100, 512.0, 24.8}


TOLERANCE_CHECK = re.compile(r"\bisclose\(|\babs\([^\n]*\)\s*<=?|\bapprox\(")


def test_every_assignment_has_a_tolerance_checked_numeric_answer(assignment):
    """Numeric answers are graded within a tolerance (float rounding must not cost points), and each
    assignment has at least one such answer."""
    checked = [
        meta(c)["grade_id"]
        for c in load(assignment).cells
        if kind(c) == "tests" and any(TOLERANCE_CHECK.search(r) for r in HIDDEN_REGION.findall(c.source))
    ]
    assert checked, f"{assignment}: no test cell checks a numeric answer with isclose, abs(...) <= or approx"
