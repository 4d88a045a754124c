"""JupyterHub for a cohort workshop of the course: `make workshop` starts it (`make workshop-help` explains).

Every participant gets a Jupyter server running the course's own virtual environment (the package, its data
and the "Python 3 (nmd_immuno)" kernel), with ``NMD_WORKSHOP_DB`` pointing at one answers file in a shared
folder: the live quizzes record each checked answer there, and the instructor (an admin user) watches the
cohort in ``notebooks/workshop-dashboard.ipynb``.

As written this is a LOCAL TRIAL, on one machine, for a handful of trusted people:

* Authentication: JupyterHub's SharedPasswordAuthenticator (the successor of DummyAuthenticator with a
  password, deprecated since JupyterHub 5.3). Anyone with the participants' password can log in under any
  name that is not an instructor's, including as another participant; instructors log in with a second
  password. Fine for a room of residents; not a security boundary.
* Spawning: SimpleLocalProcessSpawner. Every user's server runs as the system user that started the hub (root
  in a container), with a home folder under the state folder: NO ISOLATION. Any participant can read and
  change every other participant's files and the answers file, and run any command as that system user.

For a real workshop, change these lines (none of it is exercised by the course's tests):

* a real authenticator, e.g. ``c.JupyterHub.authenticator_class = "pam"`` (system accounts) or an OAuth
  login from the ``oauthenticator`` package (GitHub, your hospital's identity provider), with
  ``c.Authenticator.allowed_users`` and ``admin_users`` listing people;
* ``c.JupyterHub.spawner_class = "localprocess"`` (each user's server runs as their own system user, who
  must exist) or DockerSpawner (``dockerspawner`` package; one container per user, the course installed in
  the image). With system users, the course's ``.venv`` must be readable by them (not under /root), and the
  shared answers folder must be writable by all participants on a local disk (sqlite's locks do not work on
  NFS): e.g. a folder of a group they share, mode 2770, and a umask of 002 in the spawner's environment;
* HTTPS (``c.JupyterHub.ssl_key``/``ssl_cert`` in the HTTPS section below, or a reverse proxy that terminates
  TLS, then ``NMD_WORKSHOP_ALLOW_NETWORK=1``) once it listens beyond loopback. Without either, this file
  refuses to start on any other address, and it refuses outright to listen beyond loopback as root: with this
  spawner every participant could run any command as root.

Settings come from environment variables (the make targets set them):

    NMD_WORKSHOP_HOST / NMD_WORKSHOP_PORT   public address of the hub               (127.0.0.1:8010)
    NMD_WORKSHOP_ALLOW_NETWORK              1: listen beyond loopback without ssl_cert (TLS ends in a proxy)
    NMD_WORKSHOP_HUB_PORT                   the hub's internal port                   (port + 1)
    NMD_WORKSHOP_PROXY_API_PORT             the proxy's API port                      (port + 2)
    NMD_WORKSHOP_STATE                      hub database, cookie secret, passwords, homes  (workshop/state)
    NMD_WORKSHOP_SHARED                     the shared folder of the answers file     (<state>/shared)
    NMD_WORKSHOP_INSTRUCTORS                admin users, comma-separated              (instructor)
    NMD_WORKSHOP_USERS                      the only participants allowed (comma-separated; default: any name)
    NMD_WORKSHOP_PASSWORD / _ADMIN_PASSWORD participants' / instructors' passwords (default: generated once
                                            and kept in <state>/passwords.txt, readable by its owner only;
                                            only the ones not given here are generated and kept there)
    NMD_WORKSHOP_ADMIN_TOKEN                optional API token with admin rights (service "workshop-admin"),
                                            for scripts and the course's tests

The state and shared folders are made private (mode 0700) and the hub runs with umask 077, so every file it
and the users' servers create (answers file, homes) is readable by the one system user only: in this trial
set-up everybody is that user anyway. With one system user per person, use the group folder (mode 2770)
described above instead.
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
import shutil
from pathlib import Path

c = get_config()  # type: ignore[name-defined]  # noqa: F821 - provided by JupyterHub when it loads this file

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
VENV_BIN = REPO / ".venv" / "bin"
PROXY = HERE / "node_modules" / ".bin" / "configurable-http-proxy"
HOSTNAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?")

# --- HTTPS: needed before the hub listens beyond loopback. Uncomment and point at your key and certificate,
# or terminate TLS in a reverse proxy in front of the hub and set NMD_WORKSHOP_ALLOW_NETWORK=1.
# c.JupyterHub.ssl_key = "/etc/ssl/private/workshop-hub.key"
# c.JupyterHub.ssl_cert = "/etc/ssl/certs/workshop-hub.crt"


def _setting(name: str, default: str) -> str:
    return os.environ.get(f"NMD_WORKSHOP_{name}", "").strip() or default


def _names(value: str) -> set[str]:
    return {name.strip() for name in value.split(",") if name.strip()}


def _port(name: str, default: int) -> int:
    """A TCP port from NMD_WORKSHOP_<name>; a bad value stops the hub with a message naming the variable."""
    value = _setting(name, str(default))
    try:
        number = int(value)
    except ValueError:
        number = 0
    if not 1 <= number <= 65535:
        raise SystemExit(
            f"NMD_WORKSHOP_{name}: got {value!r}; expected a whole number from 1 to 65535"
            + ("" if f"NMD_WORKSHOP_{name}" in os.environ else " (derived from NMD_WORKSHOP_PORT)")
        )
    return number


def _host() -> tuple[str, bool]:
    """The public address (brackets stripped from IPv6) and whether it is loopback only."""
    value = _setting("HOST", "127.0.0.1")
    bare = value[1:-1] if value.startswith("[") and value.endswith("]") else value
    try:
        return bare, ipaddress.ip_address(bare).is_loopback
    except ValueError:
        pass
    if not HOSTNAME.fullmatch(bare):
        raise SystemExit(
            f"NMD_WORKSHOP_HOST: got {value!r}; expected an IP address (IPv6 with or without brackets) "
            "or a host name (letters, digits, dots and hyphens)"
        )
    return bare, bare.lower() == "localhost"


def _refuse_unsafe_network(host: str, loopback: bool) -> None:
    """Stop before the hub listens beyond this machine without HTTPS, or as root.

    Why: the shared passwords would cross the network in clear text, and with the simple spawner every
    participant can run any command as the hub's system user, which as root means the whole machine.
    """
    if loopback:
        return
    if os.geteuid() == 0:
        raise SystemExit(
            f"NMD_WORKSHOP_HOST: got {host!r} while running as root; with this spawner every participant could "
            "run any command as root. Allowed as root: a loopback address (127.0.0.1, ::1, localhost); "
            "beyond it, start the hub as an ordinary user (and see the module docstring for a real set-up)"
        )
    if c.JupyterHub.get("ssl_cert") or _setting("ALLOW_NETWORK", "") == "1":
        return
    raise SystemExit(
        f"NMD_WORKSHOP_HOST: got {host!r}, which is not a loopback address, and no HTTPS is configured. "
        "Allowed: a loopback address (127.0.0.1, ::1, localhost); any other address only with "
        "c.JupyterHub.ssl_cert and ssl_key set in the HTTPS section of workshop/jupyterhub_config.py, or with "
        "NMD_WORKSHOP_ALLOW_NETWORK=1 when a reverse proxy in front of the hub serves HTTPS"
    )


def _private_folder(folder: Path) -> Path:
    """Create ``folder`` readable by its owner only (also when it exists from an earlier, laxer run)."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    return folder


host, loopback = _host()
port = _port("PORT", 8010)
hub_port = _port("HUB_PORT", port + 1)
proxy_api_port = _port("PROXY_API_PORT", port + 2)
_refuse_unsafe_network(host, loopback)

if not PROXY.exists():
    raise SystemExit(f"{PROXY} is missing: run `make workshop-deps` (npm ci in workshop/) first")

# Trial set-up: every file the hub and the users' servers (its children) create is the owner's only (answers,
# homes, logs). With one system user per person, remove this line and use the group folder described above.
os.umask(0o077)
state = _private_folder(Path(_setting("STATE", str(HERE / "state"))).resolve())
shared = _private_folder(Path(_setting("SHARED", str(state / "shared"))).resolve())
homes = _private_folder(state / "home")
answers_db = shared / "answers.sqlite"
for existing in shared.glob("answers.sqlite*"):  # left by an earlier run under another umask
    existing.chmod(0o600)

# --- network: the public proxy, the hub behind it, the proxy's API; all on loopback unless HOST says so
c.JupyterHub.bind_url = f"http://{f'[{host}]' if ':' in host else host}:{port}/"  # https when ssl_cert is set
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = hub_port
c.ConfigurableHTTPProxy.command = [str(PROXY)]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{proxy_api_port}"
c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")

# --- the hub's own state, kept together (and out of git: workshop/.gitignore)
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every user's server


# --- who may log in (see the module docstring for what this trial set-up does not protect)
PASSWORD_LINES = {"participants": ("PASSWORD", 8, 9), "instructors": ("ADMIN_PASSWORD", 32, 24)}


def _passwords() -> tuple[str, str]:
    """The two passwords: each from the environment, else generated once and kept in the state folder.

    Only the ones the environment does not give are generated and written, so the file never holds a
    password nobody uses. Lengths are SharedPasswordAuthenticator's minimums (8 and 32 characters).
    """
    saved = state / "passwords.txt"
    expected = "'participants: <at least 8 characters>' and 'instructors: <at least 32 characters>'"
    stored: dict[str, str] = {}
    if saved.exists():
        saved.chmod(0o600)
        for number, line in enumerate(saved.read_text().splitlines(), start=1):
            if not line.strip():
                continue
            role, _, password = line.partition(": ")
            if role not in PASSWORD_LINES or role in stored or len(password) < PASSWORD_LINES[role][1]:
                raise SystemExit(
                    f"{saved}: line {number} is not one of the expected lines {expected} (each at most "
                    "once); delete it to regenerate (the hub must be stopped)"
                )
            stored[role] = password
    missing = {
        role: secrets.token_urlsafe(size)
        for role, (name, _, size) in PASSWORD_LINES.items()
        if not _setting(name, "") and role not in stored
    }
    if missing:
        with os.fdopen(os.open(saved, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "a") as out:
            out.writelines(f"{role}: {password}\n" for role, password in missing.items())
        stored |= missing
    chosen = [_setting(name, "") or stored[role] for role, (name, _, _) in PASSWORD_LINES.items()]
    return chosen[0], chosen[1]


instructors = _names(_setting("INSTRUCTORS", "instructor"))
participants = _names(_setting("USERS", ""))
user_password, admin_password = _passwords()
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = user_password
c.SharedPasswordAuthenticator.admin_password = admin_password
c.Authenticator.admin_users = instructors
if participants:
    c.Authenticator.allowed_users = participants
else:
    c.Authenticator.allow_all = True  # participants choose their own names at the login page

admin_token = _setting("ADMIN_TOKEN", "")
if admin_token:
    c.JupyterHub.services = [{"name": "workshop-admin", "api_token": admin_token}]
    # The built-in admin role: granting admin (creating an instructor) needs it. The hub logs that it merges
    # admin_users into this role; admin_users stays, the shared-password login reads it.
    c.JupyterHub.load_roles = [{"name": "admin", "services": ["workshop-admin"]}]

# --- each user's server: the course's venv, the shared answers file, a home of their own (no isolation)
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = str(homes / "{username}")
c.Spawner.cmd = [str(VENV_BIN / "jupyterhub-singleuser")]
c.Spawner.args = ["--allow-root"] if os.geteuid() == 0 else []  # Jupyter refuses root without it
c.Spawner.environment = {"NMD_WORKSHOP_DB": str(answers_db)}
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 90


def _prepare_home(spawner) -> None:  # spawner: a JupyterHub Spawner
    """Give a new home a copy of the course's notebooks; the instructor's server opens on the dashboard."""
    home = Path(spawner.home_dir)
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "notebooks").exists():
        shutil.copytree(REPO / "notebooks", home / "notebooks")
    if spawner.user.admin:
        spawner.default_url = "/lab/tree/notebooks/workshop-dashboard.ipynb"


c.Spawner.pre_spawn_hook = _prepare_home
