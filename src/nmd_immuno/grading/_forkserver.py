"""A minimal fork server for nbgrader commands (started by ``runner``; POSIX only).

Why not ``multiprocessing``'s fork server: its children re-import the parent's main module, which re-runs any
script or notebook that calls the grader without an ``if __name__ == "__main__"`` guard. This process imports
nbgrader once, then reads one JSON request per line on stdin and forks a fresh single-threaded child per
request. It answers with ``{"id", "pid"}`` when a child starts and ``{"id", "exit"}`` when it ends.
"""

from __future__ import annotations

import importlib
import json
import os
import select
import sys

#: What every autograde command imports (nbgrader, its converters and the course's preprocessors): a child
#: that finds them loaded starts grading about a third of a second sooner.
PRELOADED = (
    "nbclient",
    "nbgrader.apps.nbgraderapp",
    "nbgrader.converters.autograde",
    "nbgrader.preprocessors",
    "nmd_immuno.grading.preprocessors",
    "nmd_immuno.grading.sandbox_kernel",
    "nmd_immuno.grading.sandboxed_execute",
)


def warm_up() -> None:
    """Work every child would otherwise repeat: compiling nbformat's notebook schemas (about 0.1 s per
    schema) and configuring the gradebook's SQLAlchemy mappers."""
    import nbformat
    import sqlalchemy.orm
    from nbformat.validator import get_validator

    for minor in range(nbformat.v4.nbformat_minor + 1):
        get_validator(version=4, version_minor=minor)
    sqlalchemy.orm.configure_mappers()


def _child(request: dict, out_fd: int) -> None:
    os.close(out_fd)
    fd = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.environ.clear()
    os.environ.update(request["env"])
    import tempfile

    tempfile.tempdir = None  # the job's own TMPDIR (runner.Job scratch), not the server's cached choice
    os.chdir(request["cwd"])
    code = 0
    try:
        from nbgrader.apps.nbgraderapp import NbGraderApp

        NbGraderApp.launch_instance(argv=list(request["args"]))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


def main() -> None:
    for module in PRELOADED:  # imported once here, inherited by every child
        importlib.import_module(module)
    warm_up()

    out_fd = os.dup(1)
    out = os.fdopen(out_fd, "w", buffering=1)
    children: dict[int, str] = {}
    buffer = b""
    stdin_open = True

    def send(msg: dict) -> None:
        out.write(json.dumps(msg) + "\n")
        out.flush()

    while stdin_open or children:
        if stdin_open:
            ready, _, _ = select.select([0], [], [], 0.05)
            if ready:
                chunk = os.read(0, 65536)
                if not chunk:
                    stdin_open = False
                buffer += chunk
                while b"\n" in buffer:
                    line, buffer = buffer.split(b"\n", 1)
                    if not line.strip():
                        continue
                    request = json.loads(line)
                    pid = os.fork()
                    if pid == 0:
                        _child(request, out_fd)
                    children[pid] = request["id"]
                    send({"id": request["id"], "pid": pid})
        else:
            select.select([], [], [], 0.05)
        while children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            send({"id": children.pop(pid), "exit": os.waitstatus_to_exitcode(status)})


if __name__ == "__main__":
    main()
