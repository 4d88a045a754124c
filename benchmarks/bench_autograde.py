"""Benchmark: autograde a synthetic cohort on one assignment, sequentially and in parallel, and compare.

Prints seconds per submission for both runs, the speed-up, and whether the two gradebooks hold identical
grades and outcomes (each run grades its own copy of the same course, so neither can hide the other's
mistakes). Results are also written to ``benchmarks/results/bench_autograde.json``.

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


def grade(course: Course, assignment: str, workers: int) -> tuple[float, pd.DataFrame, dict[str, list[str]]]:
    run = autograde(course, assignment, workers=workers)
    grades = grades_frame(course, assignment)[
        ["student", "item", "auto_score", "score", "needs_manual_grade"]
    ]
    return run.seconds, grades.reset_index(drop=True), {o.student: o.status for o in run.outcomes}


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
        shutil.copytree(
            seq.root, Path(tmp) / "par"
        )  # same gradebook state and submissions, graded separately
        par = Course(Path(tmp) / "par", seq.exchange, seq.course_id, seq.cell_timeout_s)

        t_seq, g_seq, o_seq = grade(seq, args.assignment, 1)
        t_par, g_par, o_par = grade(par, args.assignment, args.workers)

    identical = g_seq.equals(g_par) and o_seq == o_par
    n = args.students
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
        "grades_identical": identical,
        "mean_score": round(float(g_seq.groupby("student")["score"].sum().mean()), 2),
        "statuses": sorted({";".join(s) for s in o_seq.values()}),
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    print(f"autograde benchmark: {n} synthetic students on {args.assignment} ({os.cpu_count()} CPUs)")
    print(f"  sequential          : {t_seq:7.1f} s  ({t_seq / n:.2f} s per submission)")
    print(f"  parallel, {args.workers} workers : {t_par:7.1f} s  ({t_par / n:.2f} s per submission)")
    print(f"  speed-up            : {t_seq / t_par:.2f}x")
    print(f"  grades and outcomes identical: {identical}")
    out = REPO / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench_autograde.json").write_text(json.dumps(result, indent=1))
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
