"""nbgrader across the workshop's Unix accounts: the instructor releases, two participants fetch and submit
from their own accounts, the instructor collects, autogrades (``python -m nmd_immuno.grading autograde``) and
releases feedback, and each participant fetches their own.

Every nbgrader command runs as that person (runuser, their HOME, the course's runtime Python), with only the
workshop's configuration (course id and exchange from the hub's ``nbgrader_config.py``), as in their server's
terminal. The accounts, the instructor's ``~/course`` and the exchange come from the real hub.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from workshop_hub_helpers import PREFIX, REPO, WorkshopHub, hub_folder, skip_unless_possible

pytestmark = pytest.mark.slow

ASSIGNMENT = "a1-dosing-safety"
INSTRUCTOR, DORA, ELI = f"{PREFIX}ginst", f"{PREFIX}gdora", f"{PREFIX}geli"
ROSTER = {INSTRUCTOR: "instructor", DORA: "participant", ELI: "participant"}


@pytest.fixture(scope="module")
def hub() -> Iterator[WorkshopHub]:
    skip_unless_possible()
    workshop = WorkshopHub(hub_folder(), ROSTER)
    try:
        workshop.start()
        workshop.start_servers([INSTRUCTOR, DORA, ELI])  # first spawn: homes, notebooks, ~/course
        yield workshop
    finally:
        workshop.stop()
        workshop.remove_users()
        shutil.rmtree(workshop.folder, ignore_errors=True)


def run_as(hub: WorkshopHub, user: str, *args: str, cwd: str | None = None) -> str:
    """A command as ``user`` in their home with the environment their server has (no root's)."""
    account = pwd.getpwnam(user)
    runtime = hub.state / "runtime" / "bin"  # absent where the venv's own Python is readable by all
    bin_dir = runtime if runtime.is_dir() else Path(sys.executable).parent
    env = {
        "HOME": account.pw_dir,
        "USER": user,
        "PATH": f"{bin_dir}:/usr/local/bin:/usr/bin:/bin",  # as in the server
        "PYTHONPATH": str(REPO / "src"),
        "JUPYTER_CONFIG_PATH": str(hub.state / "jupyter"),
        "NBGRADER_EXCHANGE": str(hub.folder / "exchange"),
        "NMD_COURSE_ID": "nmd-immuno",
    }
    done = subprocess.run(
        ["/usr/sbin/runuser", "-u", user, "--", str(bin_dir / "python"), *args],
        cwd=cwd or account.pw_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, f"{user}: {' '.join(args)}\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return done.stdout + done.stderr


def test_release_fetch_submit_collect_autograde_feedback_across_accounts(hub: WorkshopHub) -> None:
    course = os.path.join(pwd.getpwnam(INSTRUCTOR).pw_dir, "course")
    grading = ["-m", "nmd_immuno.grading", "--course-dir", course, "--exchange", str(hub.folder / "exchange")]
    run_as(hub, INSTRUCTOR, *grading, "generate", ASSIGNMENT)
    run_as(hub, INSTRUCTOR, *grading, "release", ASSIGNMENT)
    for user in (DORA, ELI):
        run_as(hub, user, "-m", "nbgrader", "fetch_assignment", ASSIGNMENT)
        fetched = Path(pwd.getpwnam(user).pw_dir) / ASSIGNMENT
        assert fetched.is_dir() and os.stat(fetched).st_uid == pwd.getpwnam(user).pw_uid
        run_as(hub, user, "-m", "nbgrader", "submit", ASSIGNMENT)
    # a participant cannot read the instructor's course (source, solutions)
    probe = "import os, sys\ntry:\n os.listdir(sys.argv[1]); print('read')\n"
    probe += "except PermissionError: print('denied')"
    assert run_as(hub, DORA, "-c", probe, os.path.join(course, "source")).strip() == "denied"

    run_as(hub, INSTRUCTOR, *grading, "collect", ASSIGNMENT)
    for user in (DORA, ELI):
        assert (Path(course) / "submitted" / user / ASSIGNMENT).is_dir(), f"{user}'s submission collected"
    graded = run_as(hub, INSTRUCTOR, *grading, "autograde", ASSIGNMENT)  # sandboxed, as a non-root user
    for user in (DORA, ELI):  # unanswered notebooks: graded (ok), not a dead kernel in the sandbox
        assert re.search(rf"^\s*{user}\s+ok\s", graded, re.MULTILINE), graded
    try:
        released = run_as(hub, INSTRUCTOR, *grading, "feedback", ASSIGNMENT, "--release")
        assert "released to the exchange for 2 students" in released, f"{graded}\n{released}"
    except AssertionError as error:
        logs = sorted((Path(course) / "reports" / "logs" / ASSIGNMENT).glob("*"))
        details = "\n".join(f"--- {log.name}\n{log.read_text()[-2500:]}" for log in logs if log.is_file())
        raise AssertionError(f"{error}\n{details}") from None
    for user in (DORA, ELI):
        run_as(hub, user, "-m", "nbgrader", "fetch_feedback", ASSIGNMENT)
        home = Path(pwd.getpwnam(user).pw_dir)
        reports = list((home / ASSIGNMENT / "feedback").rglob("*.html"))
        assert reports, f"{user} fetched no feedback"
        assert all(os.stat(report).st_uid == pwd.getpwnam(user).pw_uid for report in reports)
    # each got their own feedback only: no other participant's name in it
    dora_feedback = " ".join(
        p.read_text() for p in (Path(pwd.getpwnam(DORA).pw_dir) / ASSIGNMENT).rglob("*.html")
    )
    assert ELI not in dora_feedback


def test_the_formgrader_opens_in_the_instructors_server_and_never_for_a_participant(hub: WorkshopHub) -> None:
    """nbgrader's formgrader is the server extension in the instructor's own server; a participant's token,
    even one for their own server, opens nothing there (JupyterHub's access scopes decide, not our code)."""
    own = hub.user_token(INSTRUCTOR, [f"access:servers!user={INSTRUCTOR}"])
    url = f"{hub.url}/user/{INSTRUCTOR}/formgrader/manage_assignments"  # where /formgrader/ redirects
    page = requests.get(url, headers={"Authorization": f"token {own}"}, allow_redirects=False, timeout=60)
    assert page.status_code == 200, (page.status_code, page.headers.get("Location"), page.text[:300])
    assert "formgrader" in page.text.lower() and "manage assignments" in page.text.lower()
    theirs = hub.user_token(DORA, [f"access:servers!user={DORA}"])
    refused = requests.get(
        url, headers={"Authorization": f"token {theirs}"}, allow_redirects=False, timeout=60
    )
    assert refused.status_code in (302, 403), refused.status_code  # refused, or sent to the hub to log in
    assert refused.status_code == 403 or refused.headers["Location"].startswith(("/hub/", hub.url + "/hub/"))
    # a 403 comes in the formgrader's own error page (its menu, no data): nothing of the course is in it
    assert ASSIGNMENT not in refused.text and "403" in refused.text
