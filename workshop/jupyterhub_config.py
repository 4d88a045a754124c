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
* HTTPS (``c.JupyterHub.ssl_key``/``ssl_cert``, or a reverse proxy) once it listens beyond 127.0.0.1.

Settings come from environment variables (the make targets set them):

    NMD_WORKSHOP_HOST / NMD_WORKSHOP_PORT   public address of the hub               (127.0.0.1:8010)
    NMD_WORKSHOP_HUB_PORT                   the hub's internal port                   (port + 1)
    NMD_WORKSHOP_PROXY_API_PORT             the proxy's API port                      (port + 2)
    NMD_WORKSHOP_STATE                      hub database, cookie secret, passwords, homes  (workshop/state)
    NMD_WORKSHOP_SHARED                     the shared folder of the answers file     (<state>/shared)
    NMD_WORKSHOP_INSTRUCTORS                admin users, comma-separated              (instructor)
    NMD_WORKSHOP_USERS                      the only participants allowed (comma-separated; default: any name)
    NMD_WORKSHOP_PASSWORD / _ADMIN_PASSWORD participants' / instructors' passwords (default: generated once
                                            and kept in <state>/passwords.txt, readable by its owner only)
    NMD_WORKSHOP_ADMIN_TOKEN                optional API token with admin rights (service "workshop-admin"),
                                            for scripts and the course's tests
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path

c = get_config()  # type: ignore[name-defined]  # noqa: F821 - provided by JupyterHub when it loads this file

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
VENV_BIN = REPO / ".venv" / "bin"
PROXY = HERE / "node_modules" / ".bin" / "configurable-http-proxy"


def _setting(name: str, default: str) -> str:
    return os.environ.get(f"NMD_WORKSHOP_{name}", "").strip() or default


def _names(value: str) -> set[str]:
    return {name.strip() for name in value.split(",") if name.strip()}


host = _setting("HOST", "127.0.0.1")
port = int(_setting("PORT", "8010"))
state = Path(_setting("STATE", str(HERE / "state"))).resolve()
shared = Path(_setting("SHARED", str(state / "shared"))).resolve()
homes = state / "home"
for folder in (state, shared, homes):
    folder.mkdir(parents=True, exist_ok=True)
answers_db = shared / "answers.sqlite"

if not PROXY.exists():
    raise SystemExit(f"{PROXY} is missing: run `make workshop-deps` (npm ci in workshop/) first")

# --- network: the public proxy, the hub behind it, the proxy's API; all on loopback unless HOST says so
c.JupyterHub.bind_url = f"http://{host}:{port}/"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(_setting("HUB_PORT", str(port + 1)))
c.ConfigurableHTTPProxy.command = [str(PROXY)]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{_setting('PROXY_API_PORT', str(port + 2))}"
c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")

# --- the hub's own state, kept together (and out of git: workshop/.gitignore)
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every user's server


# --- who may log in (see the module docstring for what this trial set-up does not protect)
def _passwords() -> tuple[str, str]:
    """The two passwords from the environment, else generated once and kept in the state folder."""
    saved = state / "passwords.txt"
    if not saved.exists():
        saved.touch(mode=0o600)
        saved.write_text(
            f"participants: {secrets.token_urlsafe(9)}\ninstructors: {secrets.token_urlsafe(24)}\n"
        )
    stored = dict(line.split(": ", 1) for line in saved.read_text().splitlines() if ": " in line)
    return _setting("PASSWORD", stored["participants"]), _setting("ADMIN_PASSWORD", stored["instructors"])


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
