"""Feedback for students: nbgrader's ``generate_feedback`` with the course's sanitiser, then a leak scan.

The sanitiser (``preprocessors.SanitiseFeedback``, set in ``nbgrader_config.py``) removes hidden tests; the scan
checks the resulting HTML independently against every solution, hidden-test and mark-scheme line of the source
notebooks, except lines the student wrote themselves. A feedback file that still quotes one is deleted (and
reported) rather than released: a student gets no feedback file rather than the answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from nmd_immuno.grading.course import Course
from nmd_immuno.grading.leaks import Leak, assignment_secrets, find_leaks, own_text
from nmd_immuno.grading.workflow import GradingCommandError
from nmd_immuno.grading.runner import run_nbgrader


@dataclass
class FeedbackReport:
    assignment: str
    files: list[Path] = field(default_factory=list)
    withheld: list[Leak] = field(default_factory=list)
    released: bool = False


def scan_feedback(course: Course, assignment: str, students: Sequence[str] | None = None) -> list[Leak]:
    """Leaks in the generated feedback of ``assignment`` (every student with feedback, or those given)."""
    secrets = assignment_secrets(course.source_notebooks(assignment))
    leaks: list[Leak] = []
    base = course.root / "feedback"
    folders = sorted(base.glob(f"*/{assignment}")) if base.is_dir() else []
    for folder in folders:
        student = folder.parent.name
        if students and student not in students:
            continue
        written = own_text(course.submitted_dir(student, assignment))
        theirs = {s for s in secrets if s not in written}
        for path in sorted(folder.rglob("*.html")):
            leaks.extend(find_leaks(path, theirs))
    return leaks


def generate_feedback(
    course: Course, assignment: str, *, students: Sequence[str] | None = None, release: bool = False
) -> FeedbackReport:
    """Generate (and optionally release to the exchange) sanitised feedback; withhold any leaking file."""
    report = FeedbackReport(assignment)
    targets = list(students) if students else [None]
    for student in targets:
        args = ["generate_feedback", assignment, "--force"]
        if student:
            args.append(f"--student={student}")
        log = course.logs_dir(assignment) / (f"feedback.{student}.log" if student else "feedback.log")
        result = run_nbgrader([*args, *course.nbgrader_options()], cwd=course.root, log_path=log, deadline_s=1800)
        if not result.ok:
            raise GradingCommandError(result)
    report.withheld = scan_feedback(course, assignment, students)
    for leak in report.withheld:
        leak.file.unlink(missing_ok=True)
    base = course.root / "feedback"
    report.files = sorted(p for p in base.glob(f"*/{assignment}/*.html")
                          if not students or p.parent.parent.name in students)
    if release:
        args = ["release_feedback", assignment, *course.nbgrader_options()]
        result = run_nbgrader(args, cwd=course.root, log_path=course.logs_dir(assignment) / "release_feedback.log",
                              deadline_s=900)
        if not result.ok:
            raise GradingCommandError(result)
        report.released = True
    return report
