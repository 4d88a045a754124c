"""Autograde submissions with nbgrader, one isolated process per student, and record an outcome for each.

Order of work for one assignment:
1. integrity checks of every submission against the released notebooks (files only, never raise);
2. ``nbgrader autograde <assignment> --student <id> --force`` per student, sequentially or ``workers`` at a
   time, each with a hard deadline; ``--force`` makes re-grading replace the previous result (idempotent);
3. classification of what happened (timeout, output flood, dead kernel, ...) from the graded notebook and the
   log; when nbgrader produced nothing, the submission's autograder scores are set to 0 so no stale score
   stays.

Every kernel runs in the bubblewrap sandbox (``sandbox``, ``sandboxed_execute``) unless the instructor asks
for ``sandboxed=False`` (``--unsandboxed``); a machine that cannot make the sandbox is refused with the
reason, before anything is graded. Outcomes record which way each student was graded.

Parallel grading is safe with the sqlite gradebook because each student's process writes only rows that belong
to that student (student, submission, its notebooks, grades and comments), sqlite serialises the short write
transactions (the gradebook URL carries a busy timeout so a writer waits instead of failing), and each process
writes to its own folders. A student whose process still meets a locked database is graded again, alone.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass

from nmd_immuno.grading.course import Course
from nmd_immuno.grading.gradebook import has_assignment, zero_autograded
from nmd_immuno.grading.integrity import check_submission
from nmd_immuno.grading.notebooks import read_notebook
from nmd_immuno.grading.outcomes import Outcome
from nmd_immuno.grading.preprocessors import FLOOD_MARKER, NBGRADER_TRUNCATION_MARKER
from nmd_immuno.grading.runner import Job, RunResult, run_jobs
from nmd_immuno.grading.sandbox import require_sandbox

NBGRADER_DEFAULT_TIMEOUT_S = 30
SANDBOX_PREPROCESSOR = "nmd_immuno.grading.sandboxed_execute.SandboxedExecute"
_LOCK_MESSAGES = ("database is locked", "database table is locked")


@dataclass(frozen=True)
class GradingRun:
    """Result of one autograde command: an outcome per student, and how long it took."""

    assignment: str
    outcomes: list[Outcome]
    seconds: float
    workers: int

    def by_student(self) -> dict[str, Outcome]:
        return {o.student: o for o in self.outcomes}


def _course_config(course: Course):
    cfg_file = course.root / "nbgrader_config.py"
    if not cfg_file.exists():
        return None
    from traitlets.config.loader import PyFileConfigLoader

    return PyFileConfigLoader(cfg_file.name, path=str(course.root)).load_config()


def configured_cell_timeout(course: Course) -> int:
    """The per-cell execution timeout nbgrader will use (course override, else nbgrader_config.py)."""
    if course.cell_timeout_s is not None:
        return course.cell_timeout_s
    cfg = _course_config(course)
    if cfg is not None:
        value = cfg.Execute.get("timeout") if "Execute" in cfg else None
        if isinstance(value, int) and value > 0:
            return value
    return NBGRADER_DEFAULT_TIMEOUT_S


def check_sandbox_config(course: Course) -> None:
    """Refuse a course whose ``nbgrader_config.py`` would execute submissions outside the sandbox."""
    cfg = _course_config(course)
    has = cfg is not None and "Autograde" in cfg
    listed = cfg.Autograde.get("autograde_preprocessors", []) if has else []
    names = [p if isinstance(p, str) else f"{p.__module__}.{p.__name__}" for p in listed]
    if SANDBOX_PREPROCESSOR not in names:
        raise ValueError(
            f"{course.root / 'nbgrader_config.py'}: c.Autograde.autograde_preprocessors must list "
            f"{SANDBOX_PREPROCESSOR!r} (in place of the Execute step); got {names or 'nbgrader defaults'}. "
            "Copy the list from assignments/nbgrader_config.py, or pass --unsandboxed"
        )


def default_deadline(course: Course, assignment: str) -> float:
    """A hard limit per student: start-up, plus every code cell running into the timeout (with slack)."""
    timeout = configured_cell_timeout(course)
    code_cells = 0
    for path in sorted(course.release_dir(assignment).glob("*.ipynb")):
        code_cells += sum(1 for c in read_notebook(path).cells if c.get("cell_type") == "code")
    # twice: the visible run and the grading run (sandboxed_execute)
    return 90.0 + 2 * max(code_cells, 1) * (timeout + 10)


def _job(course: Course, assignment: str, student: str, deadline: float, sandboxed: bool = True) -> Job:
    args = ("autograde", assignment, f"--student={student}", "--force", *course.nbgrader_options())
    if not sandboxed:
        args = (*args, "--SandboxedExecute.sandbox=False")
    log = course.logs_dir(assignment) / f"{student}.autograde.log"
    return Job(args, course.root, log, deadline, {}, key=student)


def autograde(
    course: Course,
    assignment: str,
    *,
    students: Sequence[str] | None = None,
    workers: int = 1,
    deadline_s: float | None = None,
    sandboxed: bool = True,
) -> GradingRun:
    """Autograde ``assignment`` for ``students`` (default: every submission) and save an outcome per
    student.

    ``sandboxed=False`` runs students' code without isolation (every outcome, and so every export row, says
    so); otherwise ``SandboxUnavailable`` is raised when this machine cannot make the sandbox.
    """
    if sandboxed:
        require_sandbox()
        check_sandbox_config(course)
    if not has_assignment(course, assignment):
        raise ValueError(
            f"assignment: {assignment!r} is not in the gradebook {course.gradebook_url or course.db_path}; "
            "run `python -m nmd_immuno.grading generate` first"
        )
    if not any(course.release_dir(assignment).glob("*.ipynb")):
        raise ValueError(
            f"assignment: no released notebooks in {course.release_dir(assignment)}; run generate first"
        )
    started = time.monotonic()
    names = sorted(students) if students else course.submitted_students(assignment)
    missing = [s for s in names if not course.submitted_dir(s, assignment).is_dir()]
    if missing:
        raise ValueError(f"students: no submission folder for {missing} under {course.root / 'submitted'}")
    deadline = deadline_s if deadline_s is not None else default_deadline(course, assignment)

    outcomes = {s: Outcome(assignment, s, sandboxed=sandboxed) for s in names}
    for s in names:
        try:
            for f in check_submission(course, assignment, s):
                outcomes[s].add(f.code, f"{f.notebook}: {f.detail}")
        except Exception as exc:  # a check must never stop the grading of anybody
            outcomes[s].add("grading_error", f"integrity check failed: {exc.__class__.__name__}: {exc}")

    # a submission of another assignment is not run at all: nbgrader would stop with a schema traceback
    graded = [s for s in names if "wrong_assignment" not in outcomes[s].codes]
    for s in set(names) - set(graded):
        outcomes[s].returncode = None
    results = run_jobs([_job(course, assignment, s, deadline, sandboxed) for s in graded], workers=workers)
    retry = [r.job.key for r in results if not r.ok and any(m in r.log for m in _LOCK_MESSAGES)]
    if retry:
        jobs = [_job(course, assignment, s, deadline, sandboxed) for s in retry]
        again = {r.job.key: r for r in run_jobs(jobs, workers=1)}
        results = [again.get(r.job.key, r) for r in results]
    for result in results:
        _classify(course, assignment, outcomes[result.job.key], result)

    for outcome in outcomes.values():
        if outcome.failed:
            # like nbgrader after its own failures: no partial graded folder (feedback would trip on it), and
            # no feedback left from an earlier grading, which no longer matches what the student submitted
            shutil.rmtree(course.autograded_dir(outcome.student, assignment), ignore_errors=True)
            shutil.rmtree(course.feedback_dir(outcome.student, assignment), ignore_errors=True)
            zero_autograded(course, assignment, outcome.student)
        outcome.save(course.outcomes_dir(assignment))
    return GradingRun(assignment, [outcomes[s] for s in names], time.monotonic() - started, workers)


def _graded_outputs(course: Course, assignment: str, student: str) -> list[dict] | None:
    """Every output of the student's graded notebooks (None when nbgrader wrote none)."""
    folder = course.autograded_dir(student, assignment)
    paths = sorted(folder.glob("*.ipynb")) if folder.is_dir() else []
    if not paths:
        return None
    outputs: list[dict] = []
    for p in paths:
        try:
            nb = read_notebook(p)
        except ValueError:
            continue
        outputs.extend(o for c in nb.cells for o in c.get("outputs", []))
    return outputs


def _classify(course: Course, assignment: str, outcome: Outcome, result: RunResult) -> None:
    """Turn a finished (or killed) nbgrader process into outcome codes."""
    outcome.returncode = result.returncode
    outcome.seconds = round(result.seconds, 3)
    outcome.log = str(result.job.log_path)
    log = result.log
    outputs = _graded_outputs(course, assignment, outcome.student) or []
    timed_out = any(o.get("ename") == "CellTimeoutError" for o in outputs)
    streams = "\n".join(str(o.get("text", "")) for o in outputs if o.get("output_type") == "stream")
    if result.killed_at_deadline:
        outcome.add(
            "grader_killed", f"stopped after {result.seconds:.0f} s (deadline {result.job.deadline_s:.0f} s)"
        )
        return
    if "DeadKernelError" in log or "Kernel died" in log:
        outcome.add("kernel_died", "the kernel stopped (e.g. exit(), os._exit or a crash)")
    if "CellTimeoutError" in log or timed_out:
        outcome.add("timeout", f"a cell exceeded {configured_cell_timeout(course)} s")
    if FLOOD_MARKER in streams or NBGRADER_TRUNCATION_MARKER in streams:
        outcome.add("output_flood", "output truncated")
    hit = sandbox_limits_hit(outputs)
    if hit:
        outcome.add("sandbox_limit", "hit the sandbox's limit on " + ", ".join(hit))
    if result.returncode != 0:
        explained = {"kernel_died", "timeout", "invalid_notebook", "renamed_notebook", "missing_notebook"}
        if not explained & set(outcome.codes):
            last = [ln for ln in log.splitlines() if "ERROR" in ln or "Error" in ln][-3:]
            outcome.add("grading_error", " | ".join(last) or f"nbgrader exited with {result.returncode}")


#: What a kernel reports when it runs into one of the sandbox's limits (``sandbox.Limits``).
_LIMIT_SIGNS: dict[str, tuple[str, ...]] = {
    "memory": ("MemoryError", "[Errno 12]", "Cannot allocate memory"),
    "processes": ("BlockingIOError", "[Errno 11] Resource temporarily unavailable", "can't start new thread"),
    "disk": ("[Errno 28]", "No space left on device", "[Errno 27]", "File too large"),
    "cpu time": ("CPU time limit exceeded",),
}


def sandbox_limits_hit(outputs: list[dict]) -> list[str]:
    """The limits (memory, processes, disk, cpu time) that the errors in ``outputs`` report."""
    texts = []
    for o in outputs:
        if o.get("output_type") == "error":
            parts = [str(o.get("ename", "")), str(o.get("evalue", "")), *map(str, o.get("traceback", []))]
            texts.append(" ".join(parts))
        elif o.get("output_type") == "stream" and o.get("name") == "stderr":
            texts.append(str(o.get("text", "")))
    blob = "\n".join(texts)
    return [name for name, signs in _LIMIT_SIGNS.items() if any(sign in blob for sign in signs)]
