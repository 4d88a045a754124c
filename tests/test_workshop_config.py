"""The workshop hub's config file (workshop/jupyterhub_config.py) read as JupyterHub reads it, without a hub.

Each case runs the file in a fresh Python process (it sets the umask, prepares folders and may stop with
SystemExit) from a copy laid out like ``workshop/`` with a stand-in proxy, and reports the settings.
Proves: a bad roster stops the hub with the line and the reason before anything is created; the hub refuses
to run without root (it could not spawn as users), a network address without HTTPS, and bad ports (naming
the variable); the roster becomes the allowed users and the two groups; no shared password anywhere; each
server runs the course's Python under prlimit with a token that may use the answers service; the answers
service runs as its own user with its store in a folder only that user can read; nbgrader's exchange has
nbgrader's permissions. The real hub: test_workshop_hub.py.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "workshop" / "jupyterhub_config.py"

# argv: config file, effective uid to report. Prints the settings the tests read, or the SystemExit message.
RUNNER = r"""
import json, os, runpy, sys
from traitlets.config import Config
real_geteuid = os.geteuid
os.geteuid = lambda: int(sys.argv[2])
c = Config()
if os.environ.get("TEST_SSL_CERT"):
    c.JupyterHub.ssl_cert = os.environ["TEST_SSL_CERT"]
try:
    runpy.run_path(sys.argv[1], init_globals={"get_config": lambda: c})
except SystemExit as stop:
    print(json.dumps({"exit": str(stop.code)}))
    raise SystemExit(0)
hub, spawner = c.JupyterHub, c.Spawner
print(json.dumps({
    "bind_url": hub.bind_url,
    "hub_port": hub.hub_port,
    "api_url": c.ConfigurableHTTPProxy.api_url,
    "authenticator": hub.authenticator_class,
    "allowed": sorted(c.Authenticator.allowed_users),
    "groups": hub.load_groups,
    "services": hub.services,
    "roles": hub.load_roles,
    "spawner": hub.spawner_class,
    "cmd": spawner.cmd,
    "environment": spawner.environment,
    "token_scopes": spawner.server_token_scopes,
    "everything": repr(c),
}))
"""


def _may_prepare_the_machine() -> None:
    if os.geteuid() != 0 or not shutil.which("useradd"):
        pytest.skip("the config prepares folders and the answers service's account: needs root and useradd")


@pytest.fixture
def workshop() -> Iterator[Path]:
    """A copy of the config in a folder laid out like workshop/, with an (unused) stand-in proxy; in a folder
    other users can enter (pytest's tmp folders are root's only, and the config refuses those)."""
    top = Path(tempfile.mkdtemp(prefix="nmd-config-test-"))
    top.chmod(0o755)
    folder = top / "workshop"
    proxy = folder / "node_modules" / ".bin" / "configurable-http-proxy"
    proxy.parent.mkdir(parents=True)
    proxy.write_text("#!/bin/sh\n")
    shutil.copy(CONFIG, folder / "jupyterhub_config.py")
    shutil.copy(REPO / "workshop" / "demo-roster.csv", folder / "demo-roster.csv")
    yield folder
    shutil.rmtree(top)


def load(workshop: Path, uid: int = 0, ssl_cert: str = "", **settings: str) -> dict:
    """Run the config with NMD_WORKSHOP_<name> settings; its settings, or {"exit": message}."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("NMD_WORKSHOP")}
    env |= {f"NMD_WORKSHOP_{name}": value for name, value in settings.items()}
    env.setdefault("NMD_WORKSHOP_STATE", str(workshop / "state"))
    env.setdefault("NMD_WORKSHOP_EXCHANGE", str(workshop / "exchange"))
    env["TEST_SSL_CERT"] = ssl_cert
    env["PYTHONPATH"] = str(REPO / "src")
    runner = workshop.parent / "runner.py"
    runner.write_text(RUNNER)
    done = subprocess.run(
        [sys.executable, str(runner), str(workshop / "jupyterhub_config.py"), str(uid)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("username,display_name,role\nAna B,Ana,participant\n", "line 2: username: got 'Ana B'"),
        ("username,display_name,role\ni,I,instructor\nana,Ana,student\n", "line 3: role: got 'student'"),
        ("name,role\n", "line 1: got the header"),
        ("username,display_name,role\nroot,Root,instructor\n", "line 2: username: got 'root'"),
    ],
)
def test_a_bad_roster_stops_the_hub_with_the_line_and_the_reason(
    workshop: Path, content: str, reason: str
) -> None:
    roster = workshop / "cohort.csv"
    roster.write_text(content)
    message = str(load(workshop, ROSTER=str(roster)).get("exit"))
    assert message.startswith(f"NMD_WORKSHOP_ROSTER: {roster}: ") and reason in message, message
    assert not (workshop / "state").exists(), "nothing is created before the refusal"


def test_without_root_the_hub_refuses_and_says_why(workshop: Path) -> None:
    message = str(load(workshop, uid=1000).get("exit"))
    assert "must run as root" in message and "LocalProcessSpawner" in message
    assert not (workshop / "state").exists()


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "workshop.example.org", "::"])
def test_a_network_address_without_https_is_refused(workshop: Path, host: str) -> None:
    message = str(load(workshop, HOST=host).get("exit"))
    assert message.startswith("NMD_WORKSHOP_HOST:") and repr(host) in message
    assert "loopback" in message and "ssl_cert" in message and "NMD_WORKSHOP_ALLOW_NETWORK=1" in message
    assert not (workshop / "state").exists(), "nothing is created before the refusal"


@pytest.mark.parametrize(
    ("settings", "variable", "value"),
    [
        ({"PORT": "80a"}, "NMD_WORKSHOP_PORT", "'80a'"),
        ({"HUB_PORT": "70000"}, "NMD_WORKSHOP_HUB_PORT", "'70000'"),
        ({"PORT": "65535"}, "NMD_WORKSHOP_HUB_PORT", "'65536'"),
    ],
)
def test_a_bad_port_names_its_variable(workshop: Path, settings: dict, variable: str, value: str) -> None:
    message = str(load(workshop, **settings).get("exit"))
    assert message.startswith(f"{variable}: got {value}") and "1 to 65535" in message


def test_the_roster_decides_who_logs_in_each_with_their_own_password(workshop: Path) -> None:
    _may_prepare_the_machine()
    got = load(workshop, PORT="8123")
    assert got["bind_url"] == "http://127.0.0.1:8123/" and got["hub_port"] == 8124
    assert got["authenticator"] == "nmd_immuno.workshop.hub.RosterAuthenticator"
    assert got["allowed"] == ["instructor", "resident1", "resident2", "resident3"]
    assert got["groups"]["instructors"]["users"] == ["instructor"]
    assert got["groups"]["participants"]["users"] == ["resident1", "resident2", "resident3"]
    assert "SharedPassword" not in got["everything"] and "allow_all" not in got["everything"]


def test_servers_run_as_their_users_under_limits_with_a_token_for_the_answers_service(workshop: Path) -> None:
    _may_prepare_the_machine()
    got = load(workshop, PORT="8123")
    assert got["spawner"] == "localprocess"
    assert got["cmd"][0] == "prlimit" and "--nproc=512" in got["cmd"]
    assert got["cmd"][-2:] == ["-m", "jupyterhub.singleuser"]
    assert got["environment"]["NMD_WORKSHOP_ANSWERS_SERVICE"] == "http://127.0.0.1:8123/services/nmd-answers/"
    assert "access:services!service=nmd-answers" in got["token_scopes"]
    members = next(role for role in got["roles"] if role["name"] == "workshop-member")
    assert members["scopes"] == ["access:services!service=nmd-answers"]
    instructor = next(role for role in got["roles"] if role["name"] == "workshop-instructor")
    assert not any(scope.startswith(("access:servers", "admin:")) for scope in instructor["scopes"])


def test_the_answers_service_owns_a_store_nobody_else_can_read(workshop: Path) -> None:
    _may_prepare_the_machine()
    got = load(workshop, PORT="8123", ANSWERS_URL="postgresql://nmd@db/answers")
    service = next(service for service in got["services"] if service["name"] == "nmd-answers")
    assert service["user"] == "nmd-answers" and service["command"][-2:] == [
        "-m",
        "nmd_immuno.workshop.service",
    ]
    assert service["environment"] == {
        "NMD_WORKSHOP_ANSWERS_URL": "postgresql://nmd@db/answers",
        "NMD_WORKSHOP_ANSWERS_BIND": "127.0.0.1:8126",
    }
    answers = workshop / "state" / "answers"
    assert mode(answers) == 0o700 and answers.stat().st_uid == pwd.getpwnam("nmd-answers").pw_uid
    assert mode(workshop / "state") == 0o711, "enterable (for the service's folder), not listable"
    assert mode(workshop / "exchange") == 0o1777, "nbgrader's exchange: everyone writes, sticky"
    culler = next(service for service in got["services"] if service["name"] == "idle-culler")
    assert "--timeout=3600" in culler["command"]


def test_the_course_runtime_is_one_every_user_can_run(workshop: Path, tmp_path: Path) -> None:
    _may_prepare_the_machine()
    message = str(load(workshop, STATE=str(tmp_path / "state")).get("exit"))  # tmp_path: mode 0700
    assert "must be readable by every workshop user" in message and "not searchable" in message
    got = load(workshop)
    python = Path(got["cmd"][got["cmd"].index("--") + 1])
    done = subprocess.run(
        [
            "/usr/sbin/runuser",
            "-u",
            "nobody",
            "--",
            str(python),
            "-c",
            "import jupyterhub, nmd_immuno; print(1)",
        ],
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO / "src")},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.stdout.strip() == "1", done.stderr
