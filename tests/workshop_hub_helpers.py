"""A real workshop hub for the tests: ``workshop/jupyterhub_config.py`` with a roster of test users.

The hub creates the roster's Unix accounts itself (useradd, as in a workshop);
:meth:`WorkshopHub.remove_users` deletes them and their homes afterwards. Users are named ``nmdt-...`` so
that a test can never touch a real account. Needs root (the hub spawns each server as its user) and an
interpreter other users can run (see :mod:`nmd_immuno.workshop.runtime`): :func:`skip_unless_possible` says
why not otherwise.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import os
import pwd
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import pytest
import requests
from server_helpers import free_port, run_in_fresh_loop, wait_until_listening
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

from nmd_immuno.workshop.hub import unreadable_by_others
from nmd_immuno.workshop.runtime import RuntimeUnavailable, shared_interpreter

REPO = Path(__file__).resolve().parents[1]
WORKSHOP = REPO / "workshop"
PREFIX = "nmdt-"
HUB_LOCK = Path(tempfile.gettempdir()) / "nmd-workshop-test-hub.lock"
PASSWORD_SUFFIX = "-Workshop-2026"


def skip_unless_possible() -> None:
    """Skip (saying why) where the machine cannot host the hub: not root, no useradd, no shared Python."""
    if os.geteuid() != 0:
        pytest.skip("the workshop hub needs root (it spawns each server as its own Unix user)")
    if not shutil.which("useradd") or not shutil.which("userdel"):
        pytest.skip("useradd/userdel missing: cannot create the test's Unix users")
    try:
        shared_interpreter()
    except RuntimeUnavailable as error:
        pytest.skip(str(error))
    for folder in [Path(sys.prefix) / "lib", REPO / "src", REPO / "data"]:
        problems = unreadable_by_others(folder)
        if problems:
            pytest.skip("the course is not readable by other users here: " + "; ".join(problems))


def proxy_installed() -> None:
    """The proxy comes from npm (workshop/package-lock.json): install it as `make workshop-deps` does."""
    if not (WORKSHOP / "node_modules" / ".bin" / "configurable-http-proxy").exists():
        subprocess.run(
            ["npm", "ci", "--prefix", str(WORKSHOP), "--ignore-scripts", "--no-audit", "--no-fund"],
            check=True,
            timeout=300,
        )


def password(user: str) -> str:
    return user + PASSWORD_SUFFIX


def remove_leftover_test_users() -> None:
    """Delete every ``nmdt-`` account and home (only tests create them; no hub of theirs is running now)."""
    for entry in pwd.getpwall():
        if entry.pw_name.startswith(PREFIX):
            command = ["userdel", "--remove", "--force", entry.pw_name]
            subprocess.run(command, capture_output=True, check=False)
    for home in Path("/home").glob(f"{PREFIX}*"):
        shutil.rmtree(home, ignore_errors=True)


@dataclass
class WorkshopHub:
    """One hub process on 127.0.0.1 with its state folder; can be stopped and started again on the same."""

    folder: Path
    roster: dict[str, str]  # username -> role
    env_extra: dict[str, str] = field(default_factory=dict)
    token: str = field(default_factory=lambda: secrets.token_hex(24))
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    def __post_init__(self) -> None:
        # One test hub on the machine at a time, whichever pytest worker runs it: a hub's start removes
        # every nmdt- account (below) and its teardown stops their processes, so a second hub at the same
        # time loses its users mid-test (seen in CI: pytest-xdist did not keep the hub modules on one
        # worker). The lock is held until remove_users(), which every user of this class calls last.
        self._lock = os.open(HUB_LOCK, os.O_CREAT | os.O_RDWR, 0o600)  # held until remove_users
        fcntl.flock(self._lock, fcntl.LOCK_EX)
        # An earlier run that was killed (a CI job cancelled mid-test) can leave its users and homes behind;
        # a new account would then get a home owned by the old uid. Start from none.
        remove_leftover_test_users()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def state(self) -> Path:
        return self.folder / "state"

    @property
    def answers_file(self) -> Path:
        return self.state / "answers" / "answers.sqlite"

    @property
    def log(self) -> Path:
        return self.folder / "hub.log"

    @property
    def service(self) -> str:
        return self.url + "/services/nmd-answers/"

    def write_roster(self) -> Path:
        lines = ["username,display_name,role"]
        lines += [f"{name},{name.removeprefix(PREFIX).title()},{role}" for name, role in self.roster.items()]
        path = self.folder / "roster.csv"
        path.write_text("\n".join(lines) + "\n")
        return path

    def start(self) -> None:
        proxy_installed()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTERHUB_", "NMD_WORKSHOP"))}
        env |= {
            "NMD_WORKSHOP_ROSTER": str(self.write_roster()),
            "NMD_WORKSHOP_PORT": str(self.port),
            "NMD_WORKSHOP_HUB_PORT": str(free_port()),
            "NMD_WORKSHOP_PROXY_API_PORT": str(free_port()),
            "NMD_WORKSHOP_ANSWERS_BIND": f"127.0.0.1:{free_port()}",
            "NMD_WORKSHOP_STATE": str(self.state),
            "NMD_WORKSHOP_EXCHANGE": str(self.folder / "exchange"),
            "NMD_WORKSHOP_ADMIN_TOKEN": self.token,
            "PYTHONPATH": str(REPO / "src"),
            **self.env_extra,
        }
        with self.log.open("a") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "jupyterhub", "-f", str(WORKSHOP / "jupyterhub_config.py")],
                cwd=self.folder,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            wait_until_listening(self.process, self.port, timeout_s=120)
            self._wait_for(self.url + "/hub/api/", timeout_s=60)
            self._wait_for(self.service + "api/me", timeout_s=60, expect=403)
        except AssertionError as error:
            raise AssertionError(f"{error}\n{self.log.read_text()[-4000:]}") from None

    def _wait_for(self, url: str, timeout_s: float, expect: int = 200) -> None:
        """The proxy listens before the hub adds its routes: wait until ``url`` answers ``expect``."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            assert self.process is not None and self.process.poll() is None, "the hub exited"
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == expect:
                        return
            except urllib.error.HTTPError as error:
                if error.code == expect:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise AssertionError(f"{url} did not answer {expect} within {timeout_s:.0f} s")

    def stop(self) -> None:
        """Stop the hub and everything it started (servers, services, proxy run in sessions of their own)."""
        if self.process is None:
            return
        try:
            children = psutil.Process(self.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            children = []
        children += [
            p for p in psutil.process_iter(["username"]) if (p.info["username"] or "").startswith(PREFIX)
        ]
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for child in children:
            with contextlib.suppress(psutil.NoSuchProcess):
                child.kill()
        psutil.wait_procs(children, timeout=10)
        self.process = None

    def remove_users(self) -> None:
        """Delete this hub's accounts and homes, then let the next test hub start (see __post_init__)."""
        try:
            for name in self.roster:
                try:
                    pwd.getpwnam(name)
                except KeyError:
                    continue
                subprocess.run(["userdel", "--remove", "--force", name], capture_output=True, check=False)
        finally:
            os.close(self._lock)  # closing the file releases the lock

    def api(self, method: str, path: str, body: object | None = None, token: str | None = None) -> object:
        """A REST call through the hub's proxy (admin token by default); JSON in, JSON out."""
        response = requests.request(
            method,
            self.url + path,
            json=body,
            headers={"Authorization": f"token {token or self.token}"},
            timeout=60,
        )
        if response.status_code >= 400:  # the hub's log says why (a spawn's 500 has no reason in its body)
            raise AssertionError(
                f"{method} {path}: {response.status_code} {response.text[:500]}\n"
                + self.log.read_text()[-4000:]
            )
        return response.json() if response.content else None

    def user_token(self, user: str, scopes: list[str] | None = None) -> str:
        """An API token of ``user`` issued by the hub (what a server's JUPYTERHUB_API_TOKEN is)."""
        scopes = scopes or ["access:services!service=nmd-answers"]
        made = self.api("POST", f"/hub/api/users/{user}/tokens", {"scopes": scopes, "note": "test"})
        return made["token"]  # type: ignore[index]

    def start_servers(self, names: list[str], timeout_s: float = 120) -> dict[str, int]:
        """Start the servers and wait until ready; the pid of each."""
        for name in names:
            model = self.api("GET", f"/hub/api/users/{name}")
            if not model["servers"]:  # type: ignore[index]
                self.api("POST", f"/hub/api/users/{name}/server")
        deadline = time.monotonic() + timeout_s
        pids: dict[str, int] = {}
        while len(pids) < len(names) and time.monotonic() < deadline:
            for name in names:
                server = self.api("GET", f"/hub/api/users/{name}")["servers"].get("", {})  # type: ignore[index]
                if server.get("ready"):
                    pids[name] = server["state"]["pid"]
            time.sleep(0.5)
        missing = sorted(set(names) - set(pids))
        assert not missing, f"servers not ready: {missing}\n{self.log.read_text()[-3000:]}"
        return pids

    def login(self, user: str, secret: str | None = None) -> requests.Response:
        """Log in through the hub's login form, as a browser would (xsrf cookie and field)."""
        session = requests.Session()
        session.get(self.url + "/hub/login", timeout=30)
        return session.post(
            self.url + "/hub/login",
            data={"username": user, "password": secret or password(user), "_xsrf": session.cookies["_xsrf"]},
            allow_redirects=False,
            timeout=60,
        )


class Kernel:
    """A kernel in a user's server, driven over the Jupyter server's REST API and kernel websocket."""

    def __init__(self, hub: WorkshopHub, user: str) -> None:
        self.hub, self.user = hub, user
        made = hub.api("POST", f"/user/{user}/api/kernels", {"name": "python3"})
        self.id = made["id"]  # type: ignore[index]
        self.session = uuid.uuid4().hex

    def run(self, code: str, timeout_s: float = 90) -> str:
        """Execute ``code``; return its printed output, or fail with the kernel's traceback."""
        return run_in_fresh_loop(asyncio.wait_for(self._run(code), timeout_s))

    def json(self, code: str, timeout_s: float = 90) -> object:
        """Execute ``code`` and read the last printed line as JSON."""
        return json.loads(self.run(code, timeout_s).strip().splitlines()[-1])

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


def hub_folder() -> Path:
    """A folder other users can enter (pytest's own tmp folders are root's only, mode 0700)."""
    folder = Path(tempfile.mkdtemp(prefix="nmd-workshop-test-"))
    folder.chmod(0o755)
    return folder
