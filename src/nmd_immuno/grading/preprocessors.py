"""nbgrader preprocessors that close three gaps in nbgrader's default pipeline (configured in
``assignments/nbgrader_config.py``; each class does one step, like nbgrader's own).

* ``RestoreCells`` (sanitising step of autograde): nbgrader already restores edited test and read-only cells,
  but a deleted test cell simply vanishes and scores nothing without a word, and changed cell roles (a test
  cell turned into an answer) are not reset. This re-inserts deleted test cells from the gradebook, so the
  student's answers are still tested, and resets every cell's role to the source's.
* ``GuardedExecute`` (autograding step): nbgrader's ``LimitOutput`` trims lines only after the whole notebook
  ran, so a flood of output is first held in memory in full. This caps output per cell while it arrives.
* ``SanitiseFeedback`` (feedback step; only cells the instructor wrote, never a student's answer cell):
  nbgrader's feedback shows hidden tests, and clearing them
  (``ClearHiddenTests``) still leaves the failing assert line, its neighbours and its message in the
  traceback. This removes hidden-test and mark-scheme regions, replaces the outputs of cells that held hidden
  tests by a summary that only names a failing *visible* line, and withholds any other output quoting hidden
  text.
"""

from __future__ import annotations

import re
from typing import Any

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbgrader.api import Gradebook
from nbgrader.preprocessors import NbGraderPreprocessor, OverwriteCells
from nbgrader.preprocessors.execute import Execute
from traitlets import Integer, Unicode

from nmd_immuno.grading.notebooks import (
    MIN_SECRET_CHARS,
    cell_source,
    grade_id,
    is_answer_cell,
    normalise,
    regions,
)

#: Written into a cell whose output was cut; ``outcomes`` looks for it to report an output flood.
FLOOD_MARKER = "[nmd-immuno grader] output truncated: this cell printed more than the limit"
#: nbgrader's ``LimitOutput`` marker (too many lines).
NBGRADER_TRUNCATION_MARKER = "... Output truncated ..."


class RestoreCells(OverwriteCells):
    """Restore locked cells (nbgrader), re-insert deleted test cells and reset cell roles from the
    gradebook."""

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict) -> tuple[NotebookNode, ResourcesDict]:
        self.notebook_id = resources["nbgrader"]["notebook"]
        self.assignment_id = resources["nbgrader"]["assignment"]
        self.db_url = resources["nbgrader"]["db_url"]
        self.gradebook = Gradebook(self.db_url)
        with self.gradebook:
            source_nb = self.gradebook.find_notebook(self.notebook_id, self.assignment_id)
            self._grades = {c.name: float(c.max_score) for c in source_nb.grade_cells}
            self._solutions = {c.name for c in source_nb.solution_cells}
            self._tasks = {c.name for c in source_nb.task_cells}
            nb, resources = NbGraderPreprocessor.preprocess(self, nb, resources)
            self._reinsert_tests(nb, source_nb)
        return nb, resources

    def preprocess_cell(
        self, cell: NotebookNode, resources: ResourcesDict, cell_index: int
    ) -> tuple[NotebookNode, ResourcesDict]:
        self._reset_role(cell)  # first: nbgrader's checksum check below depends on the role flags
        return super().preprocess_cell(cell, resources, cell_index)

    def _reset_role(self, cell: NotebookNode) -> None:
        gid = grade_id(cell)
        if gid is None:
            return
        meta = cell.metadata.nbgrader
        want = {"grade": gid in self._grades, "solution": gid in self._solutions, "task": gid in self._tasks}
        for key, value in want.items():
            if bool(meta.get(key, False)) != value:
                self.report_change(gid, key, value, meta.get(key))
                meta[key] = value
        if gid in self._grades:
            meta["points"] = self._grades[gid]

    def _reinsert_tests(self, nb: NotebookNode, source_nb: Any) -> None:
        order = [c.name for c in source_nb.source_cells]
        sources = {c.name: c for c in source_nb.source_cells}
        solutions = {c.name for c in source_nb.solution_cells}
        for gcell in source_nb.grade_cells:
            name = gcell.name
            present = [grade_id(c) for c in nb.cells]
            if name in present or name in solutions or name not in sources:
                continue
            if sources[name].cell_type != "code":
                continue
            position = 0
            if name in order:
                for prev in reversed(order[: order.index(name)]):
                    if prev in present:
                        position = present.index(prev) + 1
                        break
            self.log.warning(
                "Test cell %s was deleted from the submission; restoring it from the source", name
            )
            nb.cells.insert(position, self.missing_cell_transform(sources[name], gcell.max_score))


class GuardedExecute(Execute):
    """nbgrader's ``Execute`` with a cap on the output a cell may produce while it runs."""

    max_output_chars = Integer(
        200_000, help="Characters of output kept per cell; the rest is dropped and the cell is marked."
    ).tag(config=True)
    max_outputs = Integer(500, help="Output messages kept per cell.").tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: Any = None, km: Any = None) -> Any:
        self._output_chars: dict[int, int] = {}
        self._flooded: set[int] = set()
        return super().preprocess(nb, resources, km)

    def output(self, outs: list, msg: dict, display_id: str | None, cell_index: int) -> NotebookNode | None:
        if cell_index in self._flooded:
            return None
        size = _message_size(msg.get("content", {}))
        total = self._output_chars.get(cell_index, 0) + size
        if total > self.max_output_chars or len(outs) >= self.max_outputs:
            self._flooded.add(cell_index)
            note = NotebookNode(output_type="stream", name="stdout", text=f"\n{FLOOD_MARKER}\n")
            outs.append(note)
            self.log.warning("Cell %s produced too much output; the rest was dropped", cell_index)
            return None
        self._output_chars[cell_index] = total
        return super().output(outs, msg, display_id, cell_index)

    def clear_output(self, outs: list, msg: dict, cell_index: int) -> None:
        if cell_index not in self._flooded:
            self._output_chars[cell_index] = 0
        super().clear_output(outs, msg, cell_index)


def _message_size(content: dict) -> int:
    if "text" in content:
        return len(str(content["text"]))
    if "data" in content:
        return sum(len(str(v)) for v in content["data"].values())
    if "traceback" in content:
        return sum(len(str(x)) for x in content["traceback"])
    return 0


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_CELL_FRAME = re.compile(r"(?:Cell In ?\[(\d*)\]|<ipython-input-(\d+)-[0-9a-f]+>), line (\d+)")


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


class SanitiseFeedback(NbGraderPreprocessor):
    """Remove hidden tests, mark schemes and any output quoting them from a notebook before it becomes
    feedback."""

    code_placeholder = Unicode(
        "# (hidden tests are not shown; their result is included in this cell's score)"
    ).tag(config=True)
    text_placeholder = Unicode("(not shown)").tag(config=True)
    withheld_note = Unicode("[output withheld: it quoted a hidden test]").tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict) -> tuple[NotebookNode, ResourcesDict]:
        secrets: set[str] = set()
        for cell in nb.cells:
            for reg in _instructor_regions(cell):
                secrets.update(s for s in (normalise(x) for x in reg.lines) if len(s) >= MIN_SECRET_CHARS)
        self._secrets = secrets
        nb, resources = super().preprocess(nb, resources)
        nb.metadata.pop("celltoolbar", None)
        return nb, resources

    def preprocess_cell(
        self, cell: NotebookNode, resources: ResourcesDict, cell_index: int
    ) -> tuple[NotebookNode, ResourcesDict]:
        source = cell_source(cell)
        regs = _instructor_regions(cell)
        if regs:
            lines = source.split("\n")
            hidden_lines = set()  # 1-based line numbers as the kernel reports them
            kept: list[str] = []
            cursor = 0
            placeholder = self.code_placeholder if cell.cell_type == "code" else self.text_placeholder
            for reg in regs:
                kept.extend(lines[cursor : reg.start])
                indent = re.match(r"\s*", lines[reg.start]).group(0)
                kept.append(indent + placeholder)
                hidden_lines.update(range(reg.start + 1, reg.end + 2))
                cursor = reg.end + 1
            kept.extend(lines[cursor:])
            cell.source = "\n".join(kept)
            if cell.cell_type == "code":
                cell.outputs = self._summaries(cell, lines, hidden_lines)
        if cell.cell_type == "code":
            cell.outputs = [self._withhold_if_secret(o) for o in cell.get("outputs", [])]
        return cell, resources

    def _summaries(self, cell: NotebookNode, lines: list[str], hidden: set[int]) -> list[NotebookNode]:
        """Replace every output of a cell that held hidden tests by a one-line summary of its errors."""
        out: list[NotebookNode] = []
        for o in cell.get("outputs", []):
            if o.get("output_type") != "error":
                continue  # printed output may come from hidden code: not shown
            ename = str(o.get("ename", "Error"))
            frames = _failing_lines(o, cell.get("execution_count"))
            line_no = frames[-1] if frames else None
            visible = bool(frames) and all(n not in hidden and 1 <= n <= len(lines) for n in frames)
            if line_no is not None and visible:
                text = [
                    f"{ename} at line {line_no} of this cell (a visible test):",
                    lines[line_no - 1].strip(),
                ]
                evalue = str(o.get("evalue", ""))
                if evalue:
                    text.append(f"{ename}: {evalue}")
            else:
                evalue = ""
                text = [f"{ename}: a test failed. Hidden tests are not shown; see the score of this cell."]
            out.append(NotebookNode(output_type="error", ename=ename, evalue=evalue, traceback=text))
        return out

    def _withhold_if_secret(self, output: NotebookNode) -> NotebookNode:
        if not self._secrets:
            return output
        text = normalise(strip_ansi("\n".join(_output_strings(output))))
        if any(s in text for s in self._secrets):
            return NotebookNode(output_type="stream", name="stdout", text=self.withheld_note + "\n")
        return output


def _instructor_regions(cell: Any) -> list:
    """Hidden-test and mark-scheme regions of a cell the instructor wrote. In a student's answer cell a marker
    is the student's own text: treating it as a region would blank their answer and its outputs."""
    if is_answer_cell(cell):
        return []
    return regions(cell_source(cell), ("hidden_tests", "mark_scheme"))


def _output_strings(output: Any) -> list[str]:
    found: list[str] = []
    if isinstance(output, str):
        found.append(output)
    elif isinstance(output, dict):
        for v in output.values():
            found.extend(_output_strings(v))
    elif isinstance(output, list):
        for v in output:
            found.extend(_output_strings(v))
    return found


def _failing_lines(error: NotebookNode, execution_count: Any) -> list[int]:
    """Lines of *this* cell on the error's call stack, read from the IPython traceback (empty if unknown).

    Every frame in the cell counts: a hidden test that calls a visible helper fails "in" the visible line, but
    the call site is hidden and must decide.
    """
    candidates: list[tuple[str, int]] = []
    for entry in error.get("traceback", []):
        for m in _CELL_FRAME.finditer(strip_ansi(str(entry))):
            candidates.append((m.group(1) or m.group(2) or "", int(m.group(3))))
    if not candidates:
        return []
    own = str(execution_count) if execution_count is not None else candidates[0][0]
    lines = [line for count, line in candidates if count == own]
    return lines or [candidates[0][1]]
