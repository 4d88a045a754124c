"""The instructor's steps before grading: generate, release and collect (each a real nbgrader command).

``generate`` also scans the released notebooks for solution code and hidden tests, so a source notebook
whose delimiters are wrong (a typo in ``### BEGIN SOLUTION``) is caught before students ever see it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from nmd_immuno.grading.course import Course
from nmd_immuno.grading.gradebook import open_gradebook
from nmd_immuno.grading.leaks import Leak, assignment_secrets, find_leaks
from nmd_immuno.grading.runner import RunResult, run_nbgrader


class GradingCommandError(RuntimeError):
    """An nbgrader command failed; the message names the command and points at its log."""

    def __init__(self, result: RunResult) -> None:
        self.result = result
        tail = "\n".join(result.log.strip().splitlines()[-8:])
        super().__init__(
            f"nbgrader {' '.join(result.job.args[:2])} failed (exit {result.returncode}); "
            f"log: {result.job.log_path}\n{tail}"
        )


@dataclass
class StepReport:
    """What a step did, per assignment."""

    step: str
    assignments: list[str] = field(default_factory=list)
    leaks: list[Leak] = field(default_factory=list)


def _run(course: Course, args: Sequence[str], log_name: str, assignment: str) -> RunResult:
    result = run_nbgrader(
        [*args, *course.nbgrader_options()],
        cwd=course.root,
        log_path=course.logs_dir(assignment) / log_name,
        deadline_s=900,
    )
    if not result.ok:
        raise GradingCommandError(result)
    return result


def _assignments(course: Course, assignments: Sequence[str] | None) -> list[str]:
    found = course.assignments()
    chosen = list(assignments) if assignments else found
    unknown = [a for a in chosen if a not in found]
    if unknown:
        raise ValueError(f"assignment: got {unknown}; allowed: {found} (folders in {course.root / 'source'})")
    if not chosen:
        raise ValueError(f"no assignments found in {course.root / 'source'}")
    return chosen


def set_duedate(course: Course, assignment: str, duedate: dt.datetime) -> None:
    """Record a due date (UTC, naive) in the gradebook; nbgrader measures lateness against it."""
    with open_gradebook(course) as gb:
        gb.update_or_create_assignment(assignment, duedate=duedate)


def generate(
    course: Course, assignments: Sequence[str] | None = None, *, duedate: dt.datetime | None = None
) -> StepReport:
    """``nbgrader generate_assignment`` for each assignment, then a leak scan of the released notebooks.

    Raises ``GradingCommandError`` if nbgrader fails and ``ValueError`` if a released notebook contains
    instructor-only text (the release folder of that assignment is then removed).
    """
    report = StepReport("generate")
    for aid in _assignments(course, assignments):
        _run(course, ["generate_assignment", aid, "--force"], "generate.log", aid)
        if duedate is not None:
            set_duedate(course, aid, duedate)
        secrets = assignment_secrets(course.source_notebooks(aid))
        for path in sorted(course.release_dir(aid).rglob("*.ipynb")):
            report.leaks.extend(find_leaks(path, secrets))
        report.assignments.append(aid)
    if report.leaks:
        raise ValueError(
            "released notebooks contain instructor-only text:\n" + "\n".join(map(str, report.leaks))
        )
    return report


def release(course: Course, assignments: Sequence[str] | None = None) -> StepReport:
    """``nbgrader release_assignment`` to the exchange (created if missing)."""
    course.exchange.mkdir(parents=True, exist_ok=True)
    report = StepReport("release")
    for aid in _assignments(course, assignments):
        if not course.release_dir(aid).is_dir():
            raise ValueError(f"assignment: {aid!r} has not been generated; run generate first")
        _run(course, ["release_assignment", aid, "--force"], "release.log", aid)
        report.assignments.append(aid)
    return report


def collect(course: Course, assignments: Sequence[str] | None = None) -> StepReport:
    """``nbgrader collect --update``: the newest submission of every student, into ``submitted/``."""
    report = StepReport("collect")
    for aid in _assignments(course, assignments):
        _run(course, ["collect", aid, "--update"], "collect.log", aid)
        report.assignments.append(aid)
    return report
