"""The pieces of the workshop hub's config (``workshop/jupyterhub_config.py``) that are worth a test of their
own: the roster-limited authenticator, the machine's folders and accounts, and each person's first spawn.

Everything here runs inside the hub, which runs as root: LocalProcessSpawner starts each person's server as
their own Unix user, which needs root (setuid). Root does nothing else: the answers service runs as its own
system user, every server as its person's user, and no participant can write anything root reads back.
"""

from __future__ import annotations

import os
import pwd
import shutil
import stat
import subprocess
from pathlib import Path

from firstuseauthenticator import FirstUseAuthenticator
from jupyterhub.auth import LocalAuthenticator
from traitlets import Unicode

COURSE_MARKER = ".nmd-course-copied"
# useradd with a private home (0700 whatever login.defs says) and a group of the user's own.
ADD_USER_CMD = ["useradd", "--create-home", "--user-group", "--shell", "/bin/bash", "-K", "HOME_MODE=0700"]


class RosterAuthenticator(FirstUseAuthenticator, LocalAuthenticator):
    """jupyterhub-firstuseauthenticator (each person sets their password at their first login, kept as a
    bcrypt hash) limited to the roster, with JupyterHub's LocalAuthenticator creating each person's Unix
    account (``create_system_users``, ``useradd``) when the hub first sees them.

    The only code of our own: a name not on the roster gets a clear refusal on the login page instead of the
    generic "Invalid username or password", and never reaches the password file.
    """

    refusal = Unicode(
        "{name!r} is not on this workshop's roster. Use the user name your instructor gave you.",
        help="The login page's message for a name not on the roster ({name} is the name typed).",
    ).tag(config=True)

    async def authenticate(self, handler, data):  # type: ignore[override]
        name = self.normalize_username(str(data.get("username", "")))
        if name not in (self.allowed_users | self.admin_users):
            handler.custom_login_error = self.refusal.format(name=name)
            self.log.warning("Refused a login as %r: not on the roster", name)
            return None
        return await super().authenticate(handler, data)


def ensure_system_user(name: str) -> pwd.struct_passwd:
    """A system account without a login shell or a home (for the answers service), created if missing."""
    try:
        return pwd.getpwnam(name)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--user-group", "--shell", "/usr/sbin/nologin", name],
            check=True,
            capture_output=True,
        )
        return pwd.getpwnam(name)


def private_folder(folder: Path, owner: pwd.struct_passwd | None = None, mode: int = 0o700) -> Path:
    """``folder`` with ``mode``, owned by ``owner`` (default: the hub's user); fixes a laxer earlier run."""
    folder.mkdir(parents=True, exist_ok=True)
    if owner is not None:
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    folder.chmod(mode)
    return folder


def unreadable_by_others(path: Path) -> list[str]:
    """Why users other than root could not run the course's Python at ``path`` ([] when they can).

    Every folder from / to it must be searchable by others (o+x), the file itself readable and runnable by
    them. A clone under /root (mode 0700) is the usual cause: install the course where everyone can read it.
    """
    problems = []
    path = path.absolute()
    for folder in reversed(path.parents):
        mode = folder.stat().st_mode
        if not mode & stat.S_IXOTH:
            problems.append(f"{folder} (mode {stat.filemode(mode)}) is not searchable by other users")
    mode = path.stat().st_mode if path.exists() else 0
    if not path.exists():
        problems.append(f"{path} does not exist")
    elif not (mode & stat.S_IROTH and mode & stat.S_IXOTH):
        problems.append(f"{path} (mode {stat.filemode(mode)}) is not readable and runnable by other users")
    return problems


def copy_course(source: Path, destination: Path, user: pwd.struct_passwd) -> bool:
    """Copy ``source`` to ``destination`` for ``user``, once: never over anything that exists there already.

    Why a marker and not "copy what is missing": a participant who deleted a notebook on purpose must not
    get it back at every login, and their edits are never touched.
    """
    marker = destination / COURSE_MARKER
    if marker.exists():
        return False
    destination.mkdir(parents=True, exist_ok=True)
    os.chown(destination, user.pw_uid, user.pw_gid)
    for path in sorted(source.rglob("*")):
        if any(part in {".ipynb_checkpoints", "__pycache__"} for part in path.parts):
            continue
        target = destination / path.relative_to(source)
        if target.exists() or target.is_symlink():
            continue
        if path.is_dir():
            target.mkdir(parents=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        os.chown(target, user.pw_uid, user.pw_gid, follow_symlinks=False)
        target.chmod(0o700 if path.is_dir() else 0o600)
    marker.write_text("The course's files were copied here once; delete this file to get the missing back.\n")
    os.chown(marker, user.pw_uid, user.pw_gid)
    return True


def prepare_home(user: pwd.struct_passwd, content: dict[str, Path]) -> None:
    """The person's home private (0700, theirs) and the course copied in at the first spawn.

    ``content`` maps a folder in the home (``notebooks``, ``course``) to the folder copied there.
    """
    home = Path(user.pw_dir)
    home.mkdir(parents=True, exist_ok=True)
    os.chown(home, user.pw_uid, user.pw_gid)
    home.chmod(0o700)
    for name, source in content.items():
        copy_course(source, home / name, user)
