"""Run real nbgrader commands, each in its own process, with a hard deadline.

Why a process per command (per student when autograding): a student's notebook can kill its kernel, loop
forever in code that ignores interrupts, or exhaust memory; whatever happens, it must not stop the grading of
the others. Each command runs in a child process whose output goes to a log file; a child that overruns its
deadline is killed together with its kernels.

Why a fork server: importing nbgrader costs about 2-3 seconds. On POSIX a small fork server (``_forkserver``)
imports it once and forks a fresh, single-threaded child for every command (about 1.5 s per student instead of
4). Elsewhere (Windows), or with ``NMD_GRADING_ISOLATION=subprocess``, each command is a plain
``python -m nbgrader`` subprocess. Both run exactly the nbgrader command line.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psutil

ENV_ISOLATION = "NMD_GRADING_ISOLATION"


@dataclass(frozen=True)
class Job:
    """One nbgrader command line (without the leading ``nbgrader``) to run in ``cwd``."""

    args: tuple[str, ...]
    cwd: Path
    log_path: Path
    deadline_s: float | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    key: str = ""


@dataclass(frozen=True)
class RunResult:
    """What happened to a job: exit code (``None`` if killed), wall time, whether the deadline hit, the
    log."""

    job: Job
    returncode: int | None
    seconds: float
    killed_at_deadline: bool

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def log(self) -> str:
        try:
            return self.job.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""


def _isolation() -> str:
    wanted = os.environ.get(ENV_ISOLATION, "").strip().lower()
    if wanted in {"subprocess", "forkserver"}:
        return wanted
    if wanted:
        raise ValueError(f"{ENV_ISOLATION}: got {wanted!r}; allowed: 'forkserver' or 'subprocess'")
    return "forkserver" if hasattr(os, "fork") else "subprocess"


def _child_env(extra: Mapping[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra)
    # nbgrader shells out to ``alembic`` (gradebook migrations): the interpreter's bin folder must be on PATH.
    bindir = str(Path(sys.executable).parent)
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


class _Running:
    """A started job, whichever way it was started."""

    def __init__(self, job: Job, server: _ForkServer | None) -> None:
        self.job = job
        self.start = time.monotonic()
        job.log_path.parent.mkdir(parents=True, exist_ok=True)
        # The job's temporary files (the sandboxed kernels' private folders among them) go in a folder of its
        # own that is removed when the job ends, however it ends: a job killed at its deadline runs no
        # clean-up of its own.
        self.scratch = Path(tempfile.mkdtemp(prefix="nmd-job-"))
        env = {**_child_env(job.env), "TMPDIR": str(self.scratch)}
        self.server = server
        self.popen: subprocess.Popen | None = None
        if server is not None:
            self.request_id = server.submit(job, env)
            self.pid = server.pid_of(self.request_id)
        else:
            with open(job.log_path, "wb") as log:
                self.popen = subprocess.Popen(
                    [sys.executable, "-m", "nbgrader", *job.args],
                    cwd=job.cwd,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            self.pid = self.popen.pid

    def returncode(self) -> int | None:
        if self.server is not None:
            code = self.server.exit_of(self.request_id)
            if code is None and not self.server.alive and not psutil.pid_exists(self.pid):
                return -1  # the fork server itself died; the job cannot report back
            return code
        assert self.popen is not None
        return self.popen.poll()

    def remove_scratch(self) -> None:
        shutil.rmtree(self.scratch, ignore_errors=True)

    def overdue(self) -> bool:
        return self.job.deadline_s is not None and time.monotonic() - self.start > self.job.deadline_s

    def kill_tree(self) -> None:
        """Kill the command and every process it started (kernels run in their own session)."""
        try:
            parent = psutil.Process(self.pid)
            procs = [*parent.children(recursive=True), parent]
        except psutil.NoSuchProcess:
            procs = []
        for p in procs:
            with contextlib.suppress(psutil.NoSuchProcess):
                p.kill()
        psutil.wait_procs(procs, timeout=10)
        if self.popen is not None:
            self.popen.wait(timeout=10)


class _ForkServer:
    """Client of ``_forkserver``: submit jobs, learn their pid and exit code (a reader thread collects)."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "nmd_immuno.grading._forkserver"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=_child_env({}),
        )
        self._lock = threading.Condition()
        self._pids: dict[str, int] = {}
        self._exits: dict[str, int] = {}
        self._counter = itertools.count()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            msg = json.loads(line)
            with self._lock:
                if "pid" in msg:
                    self._pids[msg["id"]] = msg["pid"]
                if "exit" in msg:
                    self._exits[msg["id"]] = msg["exit"]
                self._lock.notify_all()
        with self._lock:  # the server has gone: wake anybody waiting for a pid
            self._lock.notify_all()

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def submit(self, job: Job, env: Mapping[str, str]) -> str:
        request_id = f"r{next(self._counter)}"
        request = {
            "id": request_id,
            "args": list(job.args),
            "cwd": str(job.cwd),
            "log": str(job.log_path),
            "env": dict(env),
        }
        assert self.proc.stdin is not None
        self.proc.stdin.write((json.dumps(request) + "\n").encode())
        self.proc.stdin.flush()
        return request_id

    def pid_of(self, request_id: str) -> int:
        with self._lock:
            if not self._lock.wait_for(lambda: request_id in self._pids or not self.alive, timeout=60):
                raise RuntimeError("grading fork server did not start a job within 60 s")
            if request_id not in self._pids:
                raise RuntimeError(f"grading fork server stopped (exit {self.proc.poll()})")
            return self._pids[request_id]

    def exit_of(self, request_id: str) -> int | None:
        with self._lock:
            return self._exits.get(request_id)

    def close(self) -> None:
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


_SERVER: _ForkServer | None = None


def _server() -> _ForkServer:
    """The fork server of this process, started on first use (nbgrader is imported there once)."""
    global _SERVER
    if _SERVER is None or not _SERVER.alive:
        _SERVER = _ForkServer()
        atexit.register(_SERVER.close)
    return _SERVER


def run_jobs(jobs: Sequence[Job], *, workers: int = 1, poll_s: float = 0.05) -> list[RunResult]:
    """Run ``jobs`` with at most ``workers`` at a time; results come back in the order of ``jobs``.

    A job that overruns its deadline is killed (with its kernels) and reported with ``returncode=None``;
    the others carry on.
    """
    if workers < 1:
        raise ValueError(f"workers: got {workers}; allowed: a whole number >= 1")
    server = _server() if _isolation() == "forkserver" else None
    pending = list(enumerate(jobs))
    running: dict[int, _Running] = {}
    results: dict[int, RunResult] = {}
    while pending or running:
        while pending and len(running) < workers:
            idx, job = pending.pop(0)
            running[idx] = _Running(job, server)
        time.sleep(poll_s)
        for idx, r in list(running.items()):
            code = r.returncode()
            if code is not None:
                results[idx] = RunResult(r.job, code, time.monotonic() - r.start, False)
            elif r.overdue():
                r.kill_tree()
                results[idx] = RunResult(r.job, None, time.monotonic() - r.start, True)
            else:
                continue
            r.remove_scratch()
            del running[idx]
    return [results[i] for i in range(len(jobs))]


def run_nbgrader(
    args: Sequence[str],
    *,
    cwd: Path,
    log_path: Path,
    deadline_s: float | None = None,
    env: Mapping[str, str] | None = None,
) -> RunResult:
    """Run one nbgrader command line (e.g. ``["generate_assignment", "a1", ...]``) in an isolated process."""
    return run_jobs([Job(tuple(args), Path(cwd), Path(log_path), deadline_s, dict(env or {}))])[0]
