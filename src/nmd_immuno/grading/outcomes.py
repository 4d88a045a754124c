"""Outcome codes: what happened to one student's submission of one assignment.

nbgrader reports a broken submission as an ordinary zero (a notebook that is not JSON, a deleted test cell) or
stops with a log message. Every grading step here records instead a list of codes per student and assignment,
so the grade export can tell an honest zero (``ok`` with score 0) from a problem, and the instructor can see
what to look at. Codes are stored as one small JSON file per student under ``reports/outcomes/<assignment>/``,
overwritten at each autograde, so re-grading is idempotent.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Code:
    name: str
    meaning: str
    needs_review: bool  # the score may not reflect the student's work: an instructor should look


#: Ordered from most to least severe; the export's ``status`` lists codes in this order.
CODES: tuple[Code, ...] = (
    Code(
        "grader_killed",
        "grading overran its hard deadline (unresponsive kernel) and was stopped; autograded cells score 0",
        True,
    ),
    Code(
        "wrong_assignment",
        "the submission holds the notebook of another assignment; it was not run and scores 0 "
        "(ask the student for the right notebook)",
        True,
    ),
    Code("kernel_died", "the kernel died while the notebook ran; autograded cells score 0", True),
    Code("invalid_notebook", "a notebook is not valid notebook JSON; it was not graded and scores 0", True),
    Code(
        "renamed_notebook",
        "the expected notebook is missing but another notebook was submitted; not graded "
        "(rename it, then autograde this student again)",
        True,
    ),
    Code(
        "missing_notebook", "a notebook of the assignment is missing from the submission; it scores 0", True
    ),
    Code("grading_error", "nbgrader failed on this submission for another reason; see the log", True),
    Code(
        "timeout",
        "a cell ran longer than the execution timeout and was interrupted; that cell's tests "
        "score 0 and the rest was graded",
        True,
    ),
    Code(
        "sandbox_limit",
        "the code hit a limit of the grading sandbox (memory, processes, disk or CPU time; see detail); "
        "what ran until then was graded",
        True,
    ),
    Code(
        "output_flood", "a cell printed more output than allowed; it was truncated and grading went on", True
    ),
    Code(
        "deleted_cells",
        "answer or test cells were deleted; deleted test cells were put back from the source and graded",
        True,
    ),
    Code(
        "edited_metadata",
        "nbgrader cell metadata (role, points, type) was changed; restored before grading",
        True,
    ),
    Code(
        "edited_locked_cells",
        "test or read-only cells were edited; restored from the source before grading",
        True,
    ),
    Code("late", "submitted after the due date; graded normally (see seconds_late)", False),
    Code("not_submitted", "no submission for this assignment", False),
    Code("ok", "graded normally: a score of 0 here is an honest zero", False),
)
CODE_BY_NAME: dict[str, Code] = {c.name: c for c in CODES}
_RANK = {c.name: i for i, c in enumerate(CODES)}


def ordered(codes: set[str] | list[str]) -> list[str]:
    """Codes sorted by severity, ``ok`` only when nothing else applies; unknown codes are an error."""
    unknown = set(codes) - set(CODE_BY_NAME)
    if unknown:
        raise ValueError(f"outcome codes: got {sorted(unknown)}; allowed: {sorted(CODE_BY_NAME)}")
    real = {c for c in codes if c != "ok"}
    return sorted(real, key=_RANK.__getitem__) if real else ["ok"]


def needs_review(codes: list[str]) -> bool:
    return any(CODE_BY_NAME[c].needs_review for c in codes)


@dataclass
class Outcome:
    """The record of one autograde of one student's submission."""

    assignment: str
    student: str
    codes: list[str] = field(default_factory=list)
    details: dict[str, str] = field(default_factory=dict)
    returncode: int | None = 0
    seconds: float = 0.0
    log: str = ""
    sandboxed: bool | None = None  # None: recorded before the sandbox existed

    def add(self, code: str, detail: str = "") -> None:
        if code not in CODE_BY_NAME:
            raise ValueError(f"outcome code: got {code!r}; allowed: {sorted(CODE_BY_NAME)}")
        if code not in self.codes:
            self.codes.append(code)
        if detail:
            self.details[code] = (self.details[code] + "; " + detail) if code in self.details else detail

    @property
    def status(self) -> list[str]:
        return ordered(self.codes or ["ok"])

    @property
    def failed(self) -> bool:
        """nbgrader produced no graded notebook for this student (scores were set to 0)."""
        return self.returncode != 0

    def save(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{self.student}.json"
        data = asdict(self) | {"status": self.status}
        path.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
        return path


def load_outcomes(folder: Path) -> dict[str, Outcome]:
    """Saved outcomes of an assignment, by student id (empty if nothing was autograded yet)."""
    found: dict[str, Outcome] = {}
    if not folder.is_dir():
        return found
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        data.pop("status", None)
        found[data["student"]] = Outcome(**data)
    return found
