"""A cohort workshop on a real JupyterHub started from ``workshop/jupyterhub_config.py`` (with its npm proxy).

Two participants and an instructor are created through the hub's REST API with an admin token, their servers
started through the API. In each participant's server a kernel answers the same quiz item through the real
``QuizWidget`` (one right, one wrong); the shared store then shows both, with the right verdicts, under their
hub names. The instructor's kernel builds the dashboard, which starts its periodic refresh there and picks up
an answer recorded after it was built.

Proves: the config starts (proxy, ports, state folder), spawns servers on the course's venv and kernel,
passes ``NMD_WORKSHOP_DB`` and ``JUPYTERHUB_USER`` to the kernels, and separate kernels write one sqlite file.
Does not prove: the login page and passwords (users come from the API), a browser session, system-user
spawners or any isolation between users (this set-up has none, see the config).
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import stat
import subprocess
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest
from server_helpers import free_port, run_in_fresh_loop, stop_group, wait_until_listening
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

from nmd_immuno.quiz import load_quiz
from nmd_immuno.quiz.schema import LETTERS
from nmd_immuno.workshop import AnswerStore, cohort_summary, participants_progress

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
WORKSHOP = REPO / "workshop"
QUIZ = "myasthenia_gravis"
PARTICIPANTS = ("ana", "ben")
INSTRUCTOR = "teacher"


@dataclass
class Hub:
    url: str
    token: str
    state: Path
    shared: Path
    log: Path

    def api(self, method: str, path: str, body: object | None = None) -> object:
        """A REST call through the hub's proxy with the admin token; JSON in, JSON out."""
        request = urllib.request.Request(
            self.url + path,
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            text = response.read().decode()
        return json.loads(text) if text else None


def _proxy_installed() -> None:
    """The proxy comes from npm (workshop/package-lock.json): install it as `make workshop-deps` does."""
    if not (WORKSHOP / "node_modules" / ".bin" / "configurable-http-proxy").exists():
        subprocess.run(
            ["npm", "ci", "--prefix", str(WORKSHOP), "--ignore-scripts", "--no-audit", "--no-fund"],
            check=True,
            timeout=300,
        )


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    _proxy_installed()
    folder = tmp_path_factory.mktemp("workshop")
    port, token = free_port(), secrets.token_hex(24)
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("JUPYTERHUB_", "NMD_WORKSHOP"))
    }
    env |= {
        "NMD_WORKSHOP_PORT": str(port),
        "NMD_WORKSHOP_HUB_PORT": str(free_port()),
        "NMD_WORKSHOP_PROXY_API_PORT": str(free_port()),
        "NMD_WORKSHOP_STATE": str(folder / "state"),
        "NMD_WORKSHOP_SHARED": str(folder / "shared"),
        "NMD_WORKSHOP_ADMIN_TOKEN": token,
    }
    log = folder / "hub.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(REPO / ".venv" / "bin" / "jupyterhub"), "-f", str(WORKSHOP / "jupyterhub_config.py")],
            cwd=folder,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    spawned: list[psutil.Process] = []
    try:
        try:
            wait_until_listening(process, port, timeout_s=60)
            _wait_for_hub_api(f"http://127.0.0.1:{port}", process, timeout_s=60)
        except AssertionError as error:
            raise AssertionError(f"{error}\n{log.read_text()[-3000:]}") from None
        yield Hub(f"http://127.0.0.1:{port}", token, folder / "state", folder / "shared", log)
        # user servers and kernels run in sessions of their own: note them before the hub goes
        spawned = psutil.Process(process.pid).children(recursive=True)
    finally:
        stop_group(process)  # the hub stops every user's server on the way out (cleanup_servers)
        for child in spawned:
            if child.is_running():
                child.kill()


def _wait_for_hub_api(url: str, process: subprocess.Popen, timeout_s: float) -> None:
    """The proxy listens before the hub has added its route: wait until the hub's API answers through it."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the hub exited with code {process.returncode}"
        try:
            with urllib.request.urlopen(f"{url}/hub/api/", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:  # connection refused, or 404/503 from the proxy before the route exists
            pass
        time.sleep(0.3)
    raise AssertionError(f"the hub's API did not answer at {url} within {timeout_s:.0f} s")


def _start_servers(hub: Hub, names: list[str], timeout_s: float = 90) -> None:
    for name in names:
        hub.api("POST", f"/hub/api/users/{name}/server")
    deadline = time.monotonic() + timeout_s
    waiting = set(names)
    while waiting and time.monotonic() < deadline:
        for name in list(waiting):
            server = hub.api("GET", f"/hub/api/users/{name}")["servers"].get("", {})  # type: ignore[index]
            if server.get("ready"):
                waiting.discard(name)
        time.sleep(0.5)
    assert not waiting, f"servers not ready: {sorted(waiting)}\n{hub.log.read_text()[-3000:]}"


class Kernel:
    """A kernel in a user's server, driven over the Jupyter server's REST API and kernel websocket."""

    def __init__(self, hub: Hub, user: str) -> None:
        self.hub, self.user = hub, user
        self.id = hub.api("POST", f"/user/{user}/api/kernels", {"name": "python3"})["id"]  # type: ignore[index]
        self.session = uuid.uuid4().hex

    def run(self, code: str, timeout_s: float = 60) -> str:
        """Execute ``code``; return its printed output, or fail with the kernel's traceback."""
        return run_in_fresh_loop(asyncio.wait_for(self._run(code), timeout_s))

    async def _run(self, code: str) -> str:
        url = self.hub.url.replace("http", "ws", 1) + f"/user/{self.user}/api/kernels/{self.id}/channels"
        request = HTTPRequest(url, headers={"Authorization": f"token {self.hub.token}"})
        connection = await websocket_connect(request)
        msg_id = uuid.uuid4().hex
        header = {"msg_id": msg_id, "msg_type": "execute_request", "session": self.session}
        message = {
            "header": header | {"username": self.user, "version": "5.3"},
            "parent_header": {},
            "metadata": {},
            "content": {"code": code, "silent": False, "store_history": False, "allow_stdin": False},
            "channel": "shell",
            "buffers": [],
        }
        await connection.write_message(json.dumps(message))
        output, reply, idle = [], None, False
        try:
            while reply is None or not idle:
                raw = await connection.read_message()
                assert raw is not None, "the kernel's websocket closed"
                msg = json.loads(raw)
                if msg.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind, content = msg["msg_type"], msg["content"]
                if kind == "stream":
                    output.append(content["text"])
                elif kind == "error":
                    raise AssertionError(f"{self.user}'s kernel raised:\n" + "\n".join(content["traceback"]))
                elif kind == "execute_reply":
                    reply = content
                elif kind == "status" and content["execution_state"] == "idle":
                    idle = True
        finally:
            connection.close()
        assert reply["status"] == "ok", reply
        return "".join(output)


ANSWER = """
import json, os
from nmd_immuno.quiz import quiz_widget
quiz = quiz_widget({quiz!r})
view = quiz.items[{item!r}]
view.control.value = {index}
view.check_button.click()
print(json.dumps({{"user": os.environ["JUPYTERHUB_USER"], "db": os.environ["NMD_WORKSHOP_DB"],
                  "feedback": view.feedback.value}}))
"""

DASHBOARD = """
import json
from nmd_immuno.workshop import workshop_dashboard
dashboard = workshop_dashboard({quiz!r}, refresh_s=0.5)
print(json.dumps({{"refreshing": dashboard._task is not None, "progress": dashboard.progress.value,
                  "status": dashboard.status.value}}))
dashboard
"""


def test_participants_answer_on_the_hub_and_the_instructor_sees_them(hub: Hub) -> None:
    hub.api("POST", "/hub/api/users", {"usernames": list(PARTICIPANTS)})
    hub.api("POST", "/hub/api/users", {"usernames": [INSTRUCTOR], "admin": True})
    _start_servers(hub, [*PARTICIPANTS, INSTRUCTOR])

    item = next(item for _, item in load_quiz(QUIZ).items() if item.type == "single")
    right = item.correct_indices[0]
    wrong = next(i for i, option in enumerate(item.options) if not option.correct)
    store = AnswerStore(hub.shared / "answers.sqlite")
    for user, index, verdict in [("ana", right, "Correct."), ("ben", wrong, "Incorrect.")]:
        printed = json.loads(Kernel(hub, user).run(ANSWER.format(quiz=QUIZ, item=item.id, index=index)))
        assert printed["user"] == user and Path(printed["db"]) == store.path
        assert verdict in printed["feedback"] and "not recorded" not in printed["feedback"]

    summary = cohort_summary(store, QUIZ).set_index("item_id").loc[item.id]
    assert summary["participants"] == 2 and summary["first_correct_pct"] == 50.0
    assert summary["answers"] == {LETTERS[right]: 1, LETTERS[wrong]: 1}
    attempts = store.attempts(QUIZ)
    verdicts = dict(zip(attempts["user"], attempts["correct"], strict=True))
    assert verdicts == {"ana": True, "ben": False}
    assert set(participants_progress(store)["user"]) == set(PARTICIPANTS)

    teacher = Kernel(hub, INSTRUCTOR)
    shown = json.loads(teacher.run(DASHBOARD.format(quiz=QUIZ)).splitlines()[0])
    assert shown["refreshing"], "a live kernel runs the periodic refresh"
    assert "ana" in shown["progress"] and "ben" in shown["progress"]
    assert "2 participant(s)" in shown["status"]

    store.record("cleo", QUIZ, item.id, LETTERS[right], True)  # a late answer, after the dashboard was built
    # The kernel is idle between requests: its event loop runs the refresh task. Poll, do not guess a delay.
    deadline = time.monotonic() + 15
    while teacher.run("print('cleo' in dashboard.progress.value)").strip() != "True":
        assert time.monotonic() < deadline, "the dashboard did not pick up the late answer within 15 s"
        time.sleep(0.3)


def test_the_hub_keeps_its_state_private(hub: Hub) -> None:
    """Generated passwords readable by their owner only; state and shared folders private (trial set-up)."""
    passwords = hub.state / "passwords.txt"
    assert stat.S_IMODE(passwords.stat().st_mode) == 0o600
    roles = sorted(line.split(": ", 1)[0] for line in passwords.read_text().splitlines())
    assert roles == ["instructors", "participants"], "neither password was given: both generated"
    for folder in (hub.state, hub.shared):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
