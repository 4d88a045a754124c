"""``python -m nmd_immuno.grading <command>``: the instructor's workflow over the real nbgrader commands.

Commands: generate, release, collect, autograde, feedback, export, report, codes. Course directory, exchange
and course id come from the options, else from ``NMD_COURSE_DIR`` / ``NBGRADER_EXCHANGE`` / ``NMD_COURSE_ID``,
else ``assignments/``, ``assignments/exchange`` and ``nmd-immuno``. A failure prints one clear line, never a
traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path

from nmd_immuno.grading.course import Course


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m nmd_immuno.grading", description=__doc__.split("\n\n")[0])
    p.add_argument("--course-dir", help="nbgrader course folder (default: assignments/)")
    p.add_argument("--exchange", help="nbgrader exchange folder (default: <course-dir>/exchange)")
    p.add_argument("--course-id", help="nbgrader course id (default: nmd-immuno)")
    p.add_argument(
        "--timeout", type=int, help="seconds a cell may run when autograding (default: config, 60)"
    )
    p.add_argument("--db-url", help="gradebook on a database server (SQLAlchemy URL; default: sqlite file)")
    sub = p.add_subparsers(dest="command", required=True)

    g = sub.add_parser("generate", help="student versions in release/ (+ leak scan)")
    g.add_argument("assignments", nargs="*")
    g.add_argument("--duedate", help='due date in UTC, e.g. "2026-03-01 23:59"')
    for name, text in (
        ("release", "copy released assignments to the exchange"),
        ("collect", "collect submissions from the exchange into submitted/"),
    ):
        s = sub.add_parser(name, help=text)
        s.add_argument("assignments", nargs="*")

    a = sub.add_parser("autograde", help="integrity checks, then nbgrader autograde per student")
    a.add_argument("assignments", nargs="*", help="default: every assignment with submissions")
    a.add_argument("--student", action="append", help="only this student (repeatable)")
    a.add_argument("--workers", type=int, default=1, help="students graded at once (default 1)")
    a.add_argument("--deadline", type=float, help="hard limit in seconds per student (default: derived)")
    a.add_argument(
        "--unsandboxed",
        action="store_true",
        help="run students' code WITHOUT the bubblewrap sandbox (where none can be made); the export flags "
        "every grade",
    )

    f = sub.add_parser("feedback", help="sanitised HTML feedback (hidden tests never shown)")
    f.add_argument("assignment")
    f.add_argument("--student", action="append")
    f.add_argument("--release", action="store_true", help="also release the feedback to the exchange")

    e = sub.add_parser("export", help="grades CSV with a status column")
    e.add_argument("--assignment")
    e.add_argument("--output", type=Path)

    r = sub.add_parser("report", help="item analysis: CSV and figures in reports/")
    r.add_argument("assignment")
    r.add_argument("--output-dir", type=Path)
    r.add_argument(
        "--item-stats",
        type=Path,
        help="also write the statistics back beside the items, in this folder (data/quizzes/item_stats)",
    )
    r.add_argument(
        "--include-review", action="store_true", help="keep students whose submission needs review"
    )

    sub.add_parser("codes", help="list the outcome codes of the export")
    return p


def _duedate(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(text.replace("T", " ")).replace(tzinfo=None)
    except ValueError:
        raise ValueError(
            f"--duedate: got {text!r}; allowed: an ISO date-time such as '2026-03-01 23:59'"
        ) from None


def run(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    course = Course.resolve(
        args.course_dir,
        exchange=args.exchange,
        course_id=args.course_id,
        cell_timeout_s=args.timeout,
        gradebook_url=args.db_url,
    )
    if args.command == "codes":
        from nmd_immuno.grading.outcomes import CODES

        for c in CODES:
            print(f"{c.name:20s} {'review' if c.needs_review else '      '}  {c.meaning}")
        return 0
    if args.command in {"generate", "release", "collect"}:
        from nmd_immuno.grading import workflow

        if args.command == "generate":
            report = workflow.generate(course, args.assignments, duedate=_duedate(args.duedate))
        else:
            report = getattr(workflow, args.command)(course, args.assignments)
        print(f"{args.command}: done for {', '.join(report.assignments)}")
        return 0
    if args.command == "autograde":
        return _autograde(course, args)
    if args.command == "feedback":
        from nmd_immuno.grading.feedback import generate_feedback

        fb = generate_feedback(course, args.assignment, students=args.student, release=args.release)
        print(f"feedback: {len(fb.files)} files in {course.root / 'feedback'}")
        if args.release:
            print(f"released to the exchange for {len(fb.released)} students")
            if fb.not_released:
                print("not released (submitted outside the exchange): " + ", ".join(fb.not_released))
        for leak in fb.withheld:
            print(f"WITHHELD {leak}", file=sys.stderr)
        for student in fb.failed:
            print(f"FAILED feedback for {student}: see {course.logs_dir(args.assignment)}", file=sys.stderr)
        return 1 if fb.withheld or fb.failed else 0
    if args.command == "export":
        from nmd_immuno.grading.export import export_grades, grade_export

        path = export_grades(course, args.output, args.assignment)
        frame = grade_export(course, args.assignment)
        counts = frame["status"].value_counts().to_dict()
        print(f"export: {len(frame)} rows -> {path}; status counts: {counts}")
        return 0
    if args.command == "report":
        from nmd_immuno.grading.report import write_item_report

        paths = write_item_report(
            course,
            args.assignment,
            args.output_dir,
            include_review=args.include_review,
            stats_dir=args.item_stats,
        )
        print("report: " + ", ".join(str(p) for p in paths))
        return 0
    raise AssertionError(args.command)  # argparse rejects unknown commands


def _autograde(course: Course, args: argparse.Namespace) -> int:
    from nmd_immuno.grading.autograde import autograde

    assignments = args.assignments or [a for a in course.assignments() if course.submitted_students(a)]
    if not assignments:
        print(f"autograde: no submissions under {course.root / 'submitted'}")
        return 0
    for aid in assignments:
        run_ = autograde(
            course,
            aid,
            students=args.student,
            workers=args.workers,
            deadline_s=args.deadline,
            sandboxed=not args.unsandboxed,
        )
        n = len(run_.outcomes)
        if args.unsandboxed:
            print(f"WARNING autograde {aid}: students' code ran without the sandbox", file=sys.stderr)
        print(
            f"autograde {aid}: {n} submissions in {run_.seconds:.1f} s "
            f"({run_.seconds / max(n, 1):.2f} s each, {run_.workers} worker(s))"
        )
        for o in run_.outcomes:
            print(f"  {o.student:24s} {';'.join(o.status):40s} {o.seconds:6.1f} s")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    from nmd_immuno.grading.sandbox import SandboxUnavailable
    from nmd_immuno.grading.workflow import GradingCommandError

    try:
        return run(argv)
    except (ValueError, FileNotFoundError, GradingCommandError, SandboxUnavailable) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
