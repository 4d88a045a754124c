"""Benchmark: autograde a synthetic cohort on one assignment: sandboxed in sequence, sandboxed in parallel and
unsandboxed in parallel, and compare.

Prints seconds per submission for each run (wall clock, and each student's own grading time), the speed-up of
the parallel run, the cost of the grading sandbox per submission (sandboxed minus unsandboxed, same workers,
same machine, same run), and whether the gradebooks hold identical grades and outcomes (each run grades its
own copy of the same course, so none can hide another's mistakes). Results are also written to
``benchmarks/results/bench_autograde.json``.

    .venv/bin/python benchmarks/bench_autograde.py                       # a1-dosing-safety, 30 students
    .venv/bin/python benchmarks/bench_autograde.py --assignment fx --students 12 --workers 2

The cohort: student i submits the instructor's solution with a random (seeded) subset of answer cells left
as released, so scores spread from zero to full marks.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

import grading_helpers as gh  # noqa: E402

from nmd_immuno.grading import workflow  # noqa: E402
from nmd_immuno.grading.autograde import autograde  # noqa: E402
from nmd_immuno.grading.course import Course  # noqa: E402
from nmd_immuno.grading.gradebook import grades_frame  # noqa: E402
from nmd_immuno.grading.notebooks import grade_id, is_answer_cell  # noqa: E402


def build_cohort(course: Course, assignment: str, n_students: int, seed: int) -> None:
    for name in [p.name for p in course.source_notebooks(assignment)]:
        solution = gh.solution_submission(course, assignment, name)
        answer_ids = [grade_id(c) for c in solution.cells if is_answer_cell(c)]
        released = gh.released(course, assignment, name)
        stubs = {grade_id(c): c.source for c in released.cells if is_answer_cell(c)}
        for i in range(n_students):
            rng = random.Random(seed * 1000 + i)
            left_blank = {gid for gid in answer_ids if rng.random() < i / max(n_students - 1, 1)}
            nb = gh.fill(solution, {gid: stubs[gid] for gid in left_blank})
            gh.write_submission(course, f"student{i:02d}", assignment, {name: nb})


def grade(
    course: Course, assignment: str, workers: int, sandboxed: bool = True
) -> tuple[float, pd.DataFrame, dict[str, list[str]], float]:
    """Wall seconds, grades, statuses and the mean of each student's own grading time."""
    run = autograde(course, assignment, workers=workers, sandboxed=sandboxed)
    grades = grades_frame(course, assignment)[
        ["student", "item", "auto_score", "score", "needs_manual_grade"]
    ]
    per_student = sum(o.seconds for o in run.outcomes) / max(len(run.outcomes), 1)
    return (
        run.seconds,
        grades.reset_index(drop=True),
        {o.student: o.status for o in run.outcomes},
        per_student,
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ids = gh.course_assignment_ids()
    ap.add_argument(
        "--assignment", default="a1-dosing-safety" if "a1-dosing-safety" in ids else gh.FIXTURE_ID
    )
    ap.add_argument("--students", type=int, default=30)
    ap.add_argument("--workers", type=int, default=min(4, os.cpu_count() or 1))
    ap.add_argument("--timeout", type=int, default=120, help="per-cell timeout in seconds")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-autograde-") as tmp:
        fixture = args.assignment == gh.FIXTURE_ID
        seq = gh.make_course(
            Path(tmp) / "seq",
            with_fixture=fixture,
            course_assignments=() if fixture else (args.assignment,),
            cell_timeout_s=args.timeout,
        )
        workflow.generate(seq, [args.assignment])
        build_cohort(seq, args.assignment, args.students, args.seed)
        # same gradebook state and submissions, graded separately
        shutil.copytree(seq.root, Path(tmp) / "par")
        shutil.copytree(seq.root, Path(tmp) / "open")
        par = Course(Path(tmp) / "par", seq.exchange, seq.course_id, seq.cell_timeout_s)
        unsandboxed = Course(Path(tmp) / "open", seq.exchange, seq.course_id, seq.cell_timeout_s)

        t_seq, g_seq, o_seq, s_seq = grade(seq, args.assignment, 1)
        t_par, g_par, o_par, s_par = grade(par, args.assignment, args.workers)
        t_open, g_open, o_open, s_open = grade(unsandboxed, args.assignment, args.workers, sandboxed=False)

    identical = g_seq.equals(g_par) and o_seq == o_par and g_seq.equals(g_open) and o_seq == o_open
    n = args.students
    cost = (t_par - t_open) / n
    result = {
        "assignment": args.assignment,
        "students": n,
        "workers": args.workers,
        "cpu_count": os.cpu_count(),
        "sequential_s": round(t_seq, 2),
        "sequential_s_per_submission": round(t_seq / n, 3),
        "parallel_s": round(t_par, 2),
        "parallel_s_per_submission": round(t_par / n, 3),
        "speed_up": round(t_seq / t_par, 2),
        "unsandboxed_parallel_s": round(t_open, 2),
        "unsandboxed_parallel_s_per_submission": round(t_open / n, 3),
        "sandbox_cost_s_per_submission": round(cost, 3),
        "student_seconds_sandboxed_parallel": round(s_par, 3),
        "student_seconds_unsandboxed_parallel": round(s_open, 3),
        "student_seconds_sandboxed_sequential": round(s_seq, 3),
        "grades_identical": identical,
        "mean_score": round(float(g_seq.groupby("student")["score"].sum().mean()), 2),
        "statuses": sorted({";".join(s) for s in o_seq.values()}),
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    print(f"autograde benchmark: {n} synthetic students on {args.assignment} ({os.cpu_count()} CPUs)")
    w = args.workers
    print(
        f"  sandboxed, sequential     : {t_seq:7.1f} s  ({t_seq / n:.2f} s per submission; {s_seq:.2f} s "
        "per student's own grading)"
    )
    print(
        f"  sandboxed, {w} workers     : {t_par:7.1f} s  ({t_par / n:.2f} s per submission; {s_par:.2f} s "
        "per student)"
    )
    print(
        f"  unsandboxed, {w} workers   : {t_open:7.1f} s  ({t_open / n:.2f} s per submission; {s_open:.2f} s "
        "per student)"
    )
    print(f"  sandbox cost            : {cost:+.2f} s per submission ({w} workers)")
    print(f"  speed-up (sandboxed)    : {t_seq / t_par:.2f}x")
    print(f"  grades and outcomes identical: {identical}")
    out = REPO / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench_autograde.json").write_text(json.dumps(result, indent=1))
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
