"""JupyterHub for a cohort workshop of the course on one server: `make workshop` starts it (workshop-help).

Who may log in is the roster (``NMD_WORKSHOP_ROSTER``, a CSV file: username, display name, role; default the
demo roster ``workshop/demo-roster.csv``), checked before anything starts (a bad line stops the hub with the
line number and the reason). Built from JupyterHub's own parts:

* Logins: jupyterhub-firstuseauthenticator, limited to the roster (``allowed_users``): each person sets their
  own password at their first login (bcrypt hash in ``<state>/passwords.dbm``). No shared password. Names not
  on the roster get a clear refusal. For an institution, oauthenticator's GenericOAuthenticator (OIDC) with
  the same ``allowed_users`` replaces it (see the Instructors chapter).
* Accounts: one Unix user per person, created by JupyterHub's LocalAuthenticator (``create_system_users``,
  useradd) with a private home (0700). Their servers run as that user (LocalProcessSpawner), under prlimit
  limits; the course's notebooks are copied into each home at the first spawn, never over later work.
  The hub runs as root because starting a process as another user needs it; nothing else does.
* Answers: the ``nmd-answers`` service (``python -m nmd_immuno.workshop.service``) runs as its own system
  user and owns the answers store (sqlite in ``<state>/answers/``, mode 0700, or the SQLAlchemy URL in
  ``NMD_WORKSHOP_ANSWERS_URL``). The quiz posts with the participant's own ``JUPYTERHUB_API_TOKEN``; the
  service records the user the hub authenticated. The dashboard reads through it, for the ``instructors``
  group only.
* nbgrader: a shared exchange (``NMD_WORKSHOP_EXCHANGE``, default ``/srv/nbgrader/exchange``, mode 1777) and
  the course id in ``<state>/jupyter/nbgrader_config.py``, read by every server (JUPYTER_CONFIG_PATH).
  Instructors get the course's ``assignments/`` as ``~/course`` and the formgrader in their own server.
* Idle servers are stopped by jupyterhub-idle-culler, a hub service.

Settings from environment variables (the make targets set some):

    NMD_WORKSHOP_ROSTER                     the roster CSV                      (workshop/demo-roster.csv)
    NMD_WORKSHOP_HOST / NMD_WORKSHOP_PORT   public address of the hub               (127.0.0.1:8010)
    NMD_WORKSHOP_ALLOW_NETWORK              1: listen beyond loopback without ssl_cert (TLS ends in a proxy)
    NMD_WORKSHOP_HUB_PORT                   the hub's internal port                   (port + 1)
    NMD_WORKSHOP_PROXY_API_PORT             the proxy's API port                      (port + 2)
    NMD_WORKSHOP_ANSWERS_BIND               the answers service's host:port           (127.0.0.1:port + 3)
    NMD_WORKSHOP_ANSWERS_URL                the answers store (SQLAlchemy URL)  (sqlite in <state>/answers/)
    NMD_WORKSHOP_STATE                      hub database, cookie secret, passwords, answers (workshop/state)
    NMD_WORKSHOP_EXCHANGE                   nbgrader's exchange                       (/srv/nbgrader/exchange)
    NMD_WORKSHOP_CULL_TIMEOUT / _CULL_EVERY idle seconds before a server is stopped, and how often to look
                                            (3600 / 300)
    NMD_WORKSHOP_LIMITS                     prlimit options for each server  (see LIMITS below)
    NMD_WORKSHOP_ADMIN_TOKEN                optional API token with admin rights (service "workshop-admin"),
                                            for scripts and the course's tests
"""

from __future__ import annotations

import ipaddress
import os
import pwd
import re
import sys
import sysconfig
from pathlib import Path

from nmd_immuno.paths import data_dir
from nmd_immuno.workshop.hub import (
    ADD_USER_CMD,
    ensure_system_user,
    prepare_home,
    private_folder,
    unreadable_by_others,
)
from nmd_immuno.workshop.roster import RosterError, load_roster
from nmd_immuno.workshop.runtime import RuntimeUnavailable, build_runtime
from nmd_immuno.workshop.service import BIND_VAR
from nmd_immuno.workshop.store import URL_VAR

c = get_config()  # type: ignore[name-defined]  # noqa: F821 - provided by JupyterHub when it loads this file

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
VENV = Path(sys.prefix)  # the hub runs in the course's venv; users run it through the runtime (see below)
PROXY = HERE / "node_modules" / ".bin" / "configurable-http-proxy"
HOSTNAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?")
ANSWERS_SERVICE, ANSWERS_USER = "nmd-answers", "nmd-answers"
COURSE_ID = "nmd-immuno"
# Per-server limits (prlimit, inherited by the kernels). RLIMIT_NPROC counts every process and thread of the
# user: a fork bomb stops there. No memory limit is enforced per user without cgroups (see the docs).
LIMITS = "--nproc=512 --nofile=4096 --fsize=2147483648 --core=0"

# --- HTTPS: needed before the hub listens beyond loopback. Uncomment and point at your key and certificate,
# or terminate TLS in a reverse proxy in front of the hub and set NMD_WORKSHOP_ALLOW_NETWORK=1.
# c.JupyterHub.ssl_key = "/etc/ssl/private/workshop-hub.key"
# c.JupyterHub.ssl_cert = "/etc/ssl/certs/workshop-hub.crt"


def _setting(name: str, default: str) -> str:
    return os.environ.get(f"NMD_WORKSHOP_{name}", "").strip() or default


def _number(name: str, default: int, low: int, high: int, what: str) -> int:
    """A whole number from NMD_WORKSHOP_<name>; a bad value stops the hub, naming the variable."""
    value = _setting(name, str(default))
    try:
        number = int(value)
    except ValueError:
        number = low - 1
    if not low <= number <= high:
        derived = "" if f"NMD_WORKSHOP_{name}" in os.environ else " (derived from NMD_WORKSHOP_PORT)"
        raise SystemExit(f"NMD_WORKSHOP_{name}: got {value!r}; expected {what} from {low} to {high}{derived}")
    return number


def _port(name: str, default: int) -> int:
    return _number(name, default, 1, 65535, "a whole number")


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
    """Stop before the hub listens beyond this machine without HTTPS: passwords would cross in clear text."""
    if loopback or c.JupyterHub.get("ssl_cert") or _setting("ALLOW_NETWORK", "") == "1":
        return
    raise SystemExit(
        f"NMD_WORKSHOP_HOST: got {host!r}, which is not a loopback address, and no HTTPS is configured. "
        "Allowed: a loopback address (127.0.0.1, ::1, localhost); any other address only with "
        "c.JupyterHub.ssl_cert and ssl_key set in the HTTPS section of workshop/jupyterhub_config.py, or "
        "with "
        "NMD_WORKSHOP_ALLOW_NETWORK=1 when a reverse proxy in front of the hub serves HTTPS"
    )


def _refuse_without_root() -> None:
    if os.geteuid() != 0:
        raise SystemExit(
            "The workshop hub must run as root: it starts each person's server as their own Unix user "
            "(LocalProcessSpawner, setuid) and creates their accounts (useradd). Start it with sudo, or use "
            "the Kubernetes set-up (deploy/), where every server is a container of its own."
        )


def _course_runtime(state: Path) -> Path:
    """The course's Python as every user runs it (nmd_immuno.workshop.runtime), refused when they cannot."""
    try:
        python = build_runtime(state / "runtime", VENV)
    except RuntimeUnavailable as error:
        raise SystemExit(f"The course's Python cannot be run by workshop users: {error}") from None
    folders = [Path(sysconfig.get_paths()["purelib"]), data_dir()]
    folders += [Path(folder) for folder in os.environ.get("PYTHONPATH", "").split(os.pathsep) if folder]
    problems = unreadable_by_others(python.parent) + unreadable_by_others(python.resolve())
    for folder in folders:
        problems += unreadable_by_others(folder)
    if problems:
        raise SystemExit(
            "The course's environment must be readable by every workshop user, but: "
            + "; ".join(problems)
            + ". Clone and install the course where other users can read it (e.g. /opt or /srv), "
            "or give the folders above o+x (and the files o+r)."
        )
    return python


host, loopback = _host()
port = _port("PORT", 8010)
hub_port = _port("HUB_PORT", port + 1)
proxy_api_port = _port("PROXY_API_PORT", port + 2)
_refuse_unsafe_network(host, loopback)
roster_file = Path(_setting("ROSTER", str(HERE / "demo-roster.csv")))
try:
    roster = load_roster(roster_file)
except RosterError as error:
    raise SystemExit(f"NMD_WORKSHOP_ROSTER: {error}") from None
_refuse_without_root()
if not PROXY.exists():
    raise SystemExit(f"{PROXY} is missing: run `make workshop-deps` (npm ci in workshop/) first")

# --- folders. The hub's own files (database, cookie secret, passwords) are root's only (umask 077); the state
# folder may be entered (0711) so that the answers service reaches its own folder inside, but not listed.
os.umask(0o077)
state = private_folder(Path(_setting("STATE", str(HERE / "state"))).resolve(), mode=0o711)
PYTHON = _course_runtime(state)
for name in ("jupyterhub.sqlite*", "jupyterhub_cookie_secret", "passwords.dbm*"):
    for path in state.glob(name):
        path.chmod(0o600)  # left by an earlier run under another umask
answers_user = ensure_system_user(ANSWERS_USER)
answers_dir = private_folder(state / "answers", owner=answers_user)
answers_url = _setting("ANSWERS_URL", f"sqlite:///{answers_dir / 'answers.sqlite'}")
answers_bind = _setting("ANSWERS_BIND", f"127.0.0.1:{_port('ANSWERS_PORT', port + 3)}")
exchange = private_folder(Path(_setting("EXCHANGE", "/srv/nbgrader/exchange")), mode=0o1777)  # nbgrader's
jupyter_config = private_folder(state / "jupyter", mode=0o755)
(jupyter_config / "nbgrader_config.py").write_text(
    "# Written by workshop/jupyterhub_config.py at every start: the workshop's course and exchange.\n"
    "c = get_config()  # noqa: F821\n"
    f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
    f"c.Exchange.root = {str(exchange)!r}\n"
)
(jupyter_config / "nbgrader_config.py").chmod(0o644)

# --- network: the public proxy, the hub behind it, the proxy's API; all on loopback unless HOST says so
public = f"http://{f'[{host}]' if ':' in host else host}:{port}"
c.JupyterHub.bind_url = public + "/"  # https when ssl_cert is set
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = hub_port
c.ConfigurableHTTPProxy.command = [str(PROXY)]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{proxy_api_port}"
c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every user's server

# --- who may log in: the roster, each with their own password (set at their first login)
c.JupyterHub.authenticator_class = "nmd_immuno.workshop.hub.RosterAuthenticator"
c.Authenticator.allowed_users = roster.participants | roster.instructors
c.FirstUseAuthenticator.dbm_path = str(state / "passwords.dbm")
c.FirstUseAuthenticator.create_users = False  # only names already in the hub (the roster) may log in
c.FirstUseAuthenticator.min_password_length = 10
c.LocalAuthenticator.create_system_users = True
c.LocalAuthenticator.add_user_cmd = ADD_USER_CMD
c.JupyterHub.load_groups = {
    "instructors": {"users": sorted(roster.instructors)},
    "participants": {"users": sorted(roster.participants)},
}

# --- services: the answers service (its own system user), the idle culler, optionally an admin token
answers_prefix = f"/services/{ANSWERS_SERVICE}/"
services: list[dict] = [
    {
        "name": ANSWERS_SERVICE,
        "url": f"http://{answers_bind}",
        "command": [str(PYTHON), "-m", "nmd_immuno.workshop.service"],
        "user": ANSWERS_USER,
        "cwd": str(answers_dir),
        "environment": {URL_VAR: answers_url, BIND_VAR: answers_bind},
        "oauth_no_confirm": True,
    },
    {
        "name": "idle-culler",
        "command": [
            sys.executable,  # runs as the hub's user
            "-m",
            "nmd_immuno.workshop.culler",  # jupyterhub-idle-culler, stopping when the hub stops
            f"--timeout={_number('CULL_TIMEOUT', 3600, 5, 7 * 86400, 'seconds')}",
            f"--cull-every={_number('CULL_EVERY', 300, 1, 86400, 'seconds')}",
        ],
    },
]
roles: list[dict] = [
    {  # the answers service reads who is in the two groups, nothing else
        "name": "nmd-answers-service",
        "scopes": ["read:groups!group=instructors", "read:groups!group=participants"],
        "services": [ANSWERS_SERVICE],
    },
    {  # everyone on the roster may use the answers service (the service decides what each may do)
        "name": "workshop-member",
        "scopes": [f"access:services!service={ANSWERS_SERVICE}"],
        "groups": ["instructors", "participants"],
    },
    {  # instructors see the users and start or stop servers; they cannot open a participant's server
        "name": "workshop-instructor",
        "scopes": ["admin-ui", "list:users", "read:users", "servers", "read:groups"],
        "groups": ["instructors"],
    },
    {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    },
]
admin_token = _setting("ADMIN_TOKEN", "")
if admin_token:
    services.append({"name": "workshop-admin", "api_token": admin_token})
    roles.append({"name": "admin", "services": ["workshop-admin"]})
c.JupyterHub.services = services
c.JupyterHub.load_roles = roles

# --- each person's server: their own Unix user, the course's venv, limits, the answers service's address
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = ["prlimit", *_setting("LIMITS", LIMITS).split(), "--"]
c.Spawner.cmd += [str(PYTHON), "-m", "jupyterhub.singleuser"]
c.Spawner.environment = {
    "PATH": f"{PYTHON.parent}:/usr/local/bin:/usr/bin:/bin",  # the runtime's jupyter, nbgrader, ...
    "NMD_WORKSHOP_ANSWERS_SERVICE": public + answers_prefix,
    "JUPYTER_CONFIG_PATH": str(jupyter_config),
    "NBGRADER_EXCHANGE": str(exchange),
    "NMD_COURSE_ID": COURSE_ID,
}
# The server's token ($JUPYTERHUB_API_TOKEN) may also use the answers service: the quiz posts with it.
c.Spawner.server_token_scopes = [
    "users:activity!user",
    "access:servers!server",
    f"access:services!service={ANSWERS_SERVICE}",
]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 90


def _first_spawn(spawner) -> None:  # spawner: a JupyterHub Spawner
    """A private home with the course's notebooks (instructors: also the nbgrader course as ~/course)."""
    instructor = spawner.user.name in roster.instructors
    content = {"notebooks": REPO / "notebooks"}
    if instructor:
        content["course"] = REPO / "assignments"
        spawner.default_url = "/lab/tree/notebooks/workshop-dashboard.ipynb"
    prepare_home(pwd.getpwnam(spawner.user.name), content)


c.Spawner.pre_spawn_hook = _first_spawn
