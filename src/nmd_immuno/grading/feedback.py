"""Feedback for students: nbgrader's ``generate_feedback`` with the course's sanitiser, then a leak scan.

The sanitiser (``preprocessors.SanitiseFeedback``, set in ``nbgrader_config.py``) removes hidden tests; the
scan checks the resulting HTML independently against every solution, hidden-test and mark-scheme line of the
source notebooks, except lines the student wrote themselves. A feedback file that still quotes one is deleted
(and reported) rather than released: a student gets no feedback file rather than the answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from nmd_immuno.grading.course import Course
from nmd_immuno.grading.leaks import Leak, assignment_secrets, find_leaks, own_text
from nmd_immuno.grading.runner import RunResult, run_nbgrader
from nmd_immuno.grading.workflow import GradingCommandError


@dataclass
class FeedbackReport:
    assignment: str
    files: list[Path] = field(default_factory=list)
    withheld: list[Leak] = field(default_factory=list)
    released: list[str] = field(default_factory=list)
    not_released: list[str] = field(default_factory=list)  # submitted outside the exchange: no secret file
    failed: list[str] = field(default_factory=list)  # nbgrader could not make their feedback (see the logs)


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
    graded = sorted(p.parent.name for p in (course.root / "autograded").glob(f"*/{assignment}"))
    targets = list(students) if students else graded
    # one nbgrader process for everybody; if it fails, one per student, so one bad case cannot block the rest
    if not students and _feedback_run(course, assignment, None).ok:
        targets = []
    for student in targets:
        result = _feedback_run(course, assignment, student)
        if not result.ok:
            report.failed.append(student)
    report.withheld = scan_feedback(course, assignment, students)
    for leak in report.withheld:
        leak.file.unlink(missing_ok=True)
    base = course.root / "feedback"
    report.files = sorted(
        p for p in base.glob(f"*/{assignment}/*.html") if not students or p.parent.parent.name in students
    )
    if release:
        _release(course, assignment, report, students)
    return report


def _feedback_run(course: Course, assignment: str, student: str | None) -> RunResult:
    args = ["generate_feedback", assignment, "--force", *course.nbgrader_options()]
    if student:
        args.insert(2, f"--student={student}")
    log = course.logs_dir(assignment) / (f"feedback.{student}.log" if student else "feedback.log")
    return run_nbgrader(args, cwd=course.root, log_path=log, deadline_s=1800)


def _release(course: Course, assignment: str, report: FeedbackReport, students: Sequence[str] | None) -> None:
    """``nbgrader release_feedback``; students who did not submit through the exchange are listed instead.

    nbgrader matches feedback to the exchange submission with ``submission_secret.txt``, which only exists for
    submissions made with ``nbgrader submit``; without it nbgrader stops for everybody, so such students are
    left out (and reported) instead.
    """
    have = sorted({p.parent.parent.name for p in report.files})
    ready = [s for s in have if (course.feedback_dir(s, assignment) / "submission_secret.txt").is_file()]
    report.not_released = [s for s in have if s not in ready]
    if not ready:
        return
    batches: list[list[str]] = [[]] if (not students and not report.not_released) else [[s] for s in ready]
    for batch in batches:
        args = [
            "release_feedback",
            assignment,
            *(f"--student={s}" for s in batch),
            *course.nbgrader_options(),
        ]
        name = f"release_feedback.{batch[0]}.log" if batch else "release_feedback.log"
        result = run_nbgrader(
            args, cwd=course.root, log_path=course.logs_dir(assignment) / name, deadline_s=900
        )
        if not result.ok:
            raise GradingCommandError(result)
    report.released = ready
