"""The workshop hub's config file (workshop/jupyterhub_config.py) read as JupyterHub reads it, without a hub.

Each case runs the file in a fresh Python process (it sets the process's umask and may stop it with
SystemExit) from a copy laid out like ``workshop/`` with a stand-in proxy, and reports the resulting settings.
Proves: the hub refuses a non-loopback address without HTTPS and any non-loopback address as root, names the
variable of a bad port, brackets an IPv6 address, generates only the passwords the environment does not give,
refuses a malformed passwords file, and keeps its folders and files private. The real hub:
test_workshop_hub.py.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "workshop" / "jupyterhub_config.py"

# argv: config file, effective uid to report. Prints the settings the tests read, or the SystemExit message.
RUNNER = r"""
import json, os, runpy, sys
from traitlets.config import Config
os.geteuid = lambda: int(sys.argv[2])
c = Config()
ssl_cert = os.environ.get("TEST_SSL_CERT")
if ssl_cert:
    c.JupyterHub.ssl_cert = ssl_cert
try:
    runpy.run_path(sys.argv[1], init_globals={"get_config": lambda: c})
except SystemExit as stop:
    print(json.dumps({"exit": str(stop.code)}))
    raise SystemExit(0)
print(json.dumps({
    "bind_url": c.JupyterHub.bind_url,
    "hub_port": c.JupyterHub.hub_port,
    "api_url": c.ConfigurableHTTPProxy.api_url,
    "user_password": c.SharedPasswordAuthenticator.user_password,
    "admin_password": c.SharedPasswordAuthenticator.admin_password,
}))
"""


@pytest.fixture
def workshop(tmp_path: Path) -> Path:
    """A copy of the config in a folder laid out like workshop/, with an (unused) stand-in proxy."""
    folder = tmp_path / "workshop"
    proxy = folder / "node_modules" / ".bin" / "configurable-http-proxy"
    proxy.parent.mkdir(parents=True)
    proxy.write_text("#!/bin/sh\n")
    shutil.copy(CONFIG, folder / "jupyterhub_config.py")
    return folder


def load(workshop: Path, uid: int = 1000, ssl_cert: str = "", **settings: str) -> dict[str, object]:
    """Run the config with NMD_WORKSHOP_<name> settings; its settings, or {"exit": message}."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("NMD_WORKSHOP")}
    env |= {f"NMD_WORKSHOP_{name}": value for name, value in settings.items()}
    env.setdefault("NMD_WORKSHOP_STATE", str(workshop / "state"))
    env["TEST_SSL_CERT"] = ssl_cert
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


def test_loopback_starts_and_keeps_state_private(workshop: Path) -> None:
    got = load(workshop, PORT="8123")
    assert got["bind_url"] == "http://127.0.0.1:8123/"
    assert got["hub_port"] == 8124 and got["api_url"] == "http://127.0.0.1:8125"
    state = workshop / "state"
    assert mode(state) == mode(state / "shared") == mode(state / "home") == 0o700
    assert mode(state / "passwords.txt") == 0o600


def test_a_private_folder_from_an_earlier_laxer_run_is_tightened(workshop: Path) -> None:
    shared = workshop / "state" / "shared"
    shared.mkdir(parents=True, mode=0o777)
    shared.chmod(0o777)
    (shared / "answers.sqlite").write_text("")
    (shared / "answers.sqlite").chmod(0o644)
    load(workshop)
    assert mode(shared) == 0o700 and mode(shared / "answers.sqlite") == 0o600


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "workshop.example.org", "::"])
def test_a_network_address_without_https_is_refused(workshop: Path, host: str) -> None:
    got = load(workshop, HOST=host)
    message = str(got.get("exit"))
    assert message.startswith("NMD_WORKSHOP_HOST:") and repr(host) in message
    assert "loopback" in message and "ssl_cert" in message and "NMD_WORKSHOP_ALLOW_NETWORK=1" in message
    assert not (workshop / "state").exists(), "nothing is created before the refusal"


def test_a_network_address_with_https_or_an_explicit_allowance_starts(workshop: Path) -> None:
    assert load(workshop, HOST="192.168.1.20", ALLOW_NETWORK="1")["bind_url"] == "http://192.168.1.20:8010/"
    with_cert = load(workshop, ssl_cert="/etc/ssl/certs/hub.crt", HOST="192.168.1.20")
    assert "exit" not in with_cert
    assert "exit" in load(workshop, HOST="192.168.1.20", ALLOW_NETWORK="yes"), "only 1 allows"


def test_root_is_refused_beyond_loopback_whatever_else_is_set(workshop: Path) -> None:
    got = load(workshop, uid=0, ssl_cert="/etc/ssl/certs/hub.crt", HOST="0.0.0.0", ALLOW_NETWORK="1")
    message = str(got.get("exit"))
    assert message.startswith("NMD_WORKSHOP_HOST: got '0.0.0.0'") and "root" in message
    assert "loopback" in message
    assert "exit" not in load(workshop, uid=0), "root on loopback: the trial set-up in a container"


@pytest.mark.parametrize(("host", "bind"), [("::1", "[::1]"), ("[::1]", "[::1]"), ("localhost", "localhost")])
def test_loopback_names_and_ipv6_brackets(workshop: Path, host: str, bind: str) -> None:
    assert load(workshop, HOST=host)["bind_url"] == f"http://{bind}:8010/"


def test_a_malformed_host_is_refused(workshop: Path) -> None:
    message = str(load(workshop, HOST="127.0.0.1/evil path").get("exit"))
    assert message.startswith("NMD_WORKSHOP_HOST: got '127.0.0.1/evil path'") and "host name" in message


@pytest.mark.parametrize(
    ("settings", "variable", "value"),
    [
        ({"PORT": "80a"}, "NMD_WORKSHOP_PORT", "'80a'"),
        ({"PORT": "0"}, "NMD_WORKSHOP_PORT", "'0'"),
        ({"HUB_PORT": "70000"}, "NMD_WORKSHOP_HUB_PORT", "'70000'"),
        ({"PROXY_API_PORT": "x"}, "NMD_WORKSHOP_PROXY_API_PORT", "'x'"),
        ({"PORT": "65535"}, "NMD_WORKSHOP_HUB_PORT", "'65536'"),
    ],
)
def test_a_bad_port_names_its_variable(workshop: Path, settings: dict, variable: str, value: str) -> None:
    message = str(load(workshop, **settings).get("exit"))
    assert message.startswith(f"{variable}: got {value}") and "1 to 65535" in message


def passwords_file(workshop: Path) -> Path:
    return workshop / "state" / "passwords.txt"


def test_passwords_are_generated_once_and_kept(workshop: Path) -> None:
    first = load(workshop)
    assert len(str(first["user_password"])) >= 8 and len(str(first["admin_password"])) >= 32
    assert load(workshop) == first, "the same passwords at the next start"
    lines = passwords_file(workshop).read_text().splitlines()
    assert sorted(line.split(": ")[0] for line in lines) == ["instructors", "participants"]


def test_only_passwords_missing_from_the_environment_are_generated(workshop: Path) -> None:
    given = load(workshop, PASSWORD="participants-pw", ADMIN_PASSWORD="i" * 32)
    assert (given["user_password"], given["admin_password"]) == ("participants-pw", "i" * 32)
    assert not passwords_file(workshop).exists(), "nothing generated, nothing written"

    half = load(workshop, PASSWORD="participants-pw")
    assert half["user_password"] == "participants-pw"
    (line,) = passwords_file(workshop).read_text().splitlines()
    assert line == f"instructors: {half['admin_password']}"
    assert mode(passwords_file(workshop)) == 0o600

    later = load(workshop)  # the participants' password is no longer given: generated and added now
    assert later["admin_password"] == half["admin_password"] and later["user_password"] != "participants-pw"
    assert len(passwords_file(workshop).read_text().splitlines()) == 2


@pytest.mark.parametrize(
    "content",
    [
        "participants hunter22\n",
        "participants: short\n",
        "guests: abcdefghijkl\n",
        "participants: a1b2c3d4\n" * 2,
    ],
)
def test_a_malformed_passwords_file_is_refused(workshop: Path, content: str) -> None:
    passwords_file(workshop).parent.mkdir(parents=True)
    passwords_file(workshop).write_text(content)
    message = str(load(workshop).get("exit"))
    assert message.startswith(str(passwords_file(workshop)))
    assert "participants: <at least 8 characters>" in message and "instructors: <at least 32" in message
    assert "delete it to regenerate" in message
    assert passwords_file(workshop).read_text() == content, "a malformed file is never overwritten"
