"""The sandbox a student's kernel runs in: a bubblewrap (``bwrap``) command line, limits, and a probe.

Why bubblewrap: it is the small, well-kept namespace tool behind Flatpak; it needs no daemon and works for an
unprivileged user (through user namespaces) as well as for root. What the sandbox gives the kernel:

- a filesystem of its own: read-only ``/usr``, the Python installation and virtual environment, the course
  package's ``src/`` and ``data/``; a size-limited tmpfs home (the working folder, holding read-only copies of
  the submission's non-notebook files) and ``/tmp``; nothing else of the host (no course folder, gradebook,
  exchange, other students, instructor's home);
- new PID, network (loopback only, unconnected to the host), IPC, UTS and cgroup namespaces: every process
  the submission starts dies with the sandbox, and nothing on the network is reachable;
- an unprivileged identity: run by root, the sandbox drops to the system user ``nmd-sandbox`` (created on
  demand); run by a normal user, the kernel keeps that user's id behind a user namespace, with no capability
  and no further user namespaces;
- a minimal environment (``--clearenv``): none of the grader's variables;
- resource limits (``prlimit``): address space, processes, file size, CPU seconds, open files.

Two shapes of command line, because root and a normal user reach an unprivileged kernel differently:

* **root**: bwrap runs privileged (it can bind a Python that lives under ``/root``), keeps only CAP_SETUID and
  CAP_SETGID, and starts ``setpriv`` which becomes ``nmd-sandbox`` with no capability at all. A second, tiny
  ``bwrap --unshare-user --disable-userns`` then gives each sandbox its own user namespace, so that the
  process limit counts this sandbox's processes only (a fork bomb cannot starve a neighbour graded at the
  same time) and no further user namespace can be made.
* **user**: one unprivileged ``bwrap --unshare-all --disable-userns``.
"""

from __future__ import annotations

import functools
import os
import platform
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

SANDBOX_USER = "nmd-sandbox"
HOME = "/home/student"

#: /etc files a Python kernel and its libraries read (dynamic linker, time zone, fonts); bound if present.
ETC_FILES = (
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/localtime",
    "/etc/fonts",
    "/etc/mime.types",
    "/etc/matplotlibrc",
)


class SandboxUnavailable(RuntimeError):
    """The machine cannot provide the sandbox; the message names the missing capability and the way out."""


#: Seconds between the CPU limit's SIGXCPU (reported in the cell) and its SIGKILL.
CPU_GRACE_S = 5


@dataclass(frozen=True)
class Limits:
    """Per-sandbox resource limits (bytes, counts, seconds). Why each: memory (AS) stops a runaway
    allocation before the machine swaps, processes stop fork bombs, file size and tmpfs size stop a disk
    fill, CPU seconds stop a busy loop that escaped the cell timeout."""

    memory_bytes: int = 3 * 1024**3
    processes: int = 256
    file_bytes: int = 64 * 1024**2
    home_bytes: int = 128 * 1024**2
    tmp_bytes: int = 128 * 1024**2
    cpu_seconds: int = 3600
    open_files: int = 1024


@dataclass(frozen=True)
class Bind:
    """A host path shown read-only at the same (or another) path inside the sandbox."""

    source: Path
    dest: str | None = None

    @property
    def target(self) -> str:
        return self.dest or str(self.source)


@dataclass(frozen=True)
class SandboxSpec:
    """Everything that varies between two sandboxes: what to show, where to start, what to run."""

    argv: Sequence[str]
    workdir: str
    binds: Sequence[Bind] = ()  # besides the Python installation and the course package (always bound)
    env: Mapping[str, str] = field(default_factory=dict)
    dirs: Sequence[str] = ()  # empty writable folders to create (e.g. for the kernel's sockets), mode 0777
    limits: Limits = Limits()


def _is_root() -> bool:
    return os.geteuid() == 0


def require_tools() -> str:
    """The path of ``bwrap``; raises ``SandboxUnavailable`` naming what is missing."""
    if platform.system() != "Linux":
        raise SandboxUnavailable(
            f"the grading sandbox needs Linux namespaces (this is {platform.system()}); "
            "grade on Linux, or pass --unsandboxed to run students' code without isolation"
        )
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise SandboxUnavailable(
            "the grading sandbox needs bubblewrap (the 'bwrap' command): install the Debian package "
            "'bubblewrap' (scripts/install-system-deps.sh does), or pass --unsandboxed"
        )
    for tool in ("prlimit", "setpriv") if _is_root() else ("prlimit",):
        if shutil.which(tool) is None:
            raise SandboxUnavailable(
                f"the grading sandbox needs '{tool}' (Debian package util-linux), or pass --unsandboxed"
            )
    return bwrap


def sandbox_ids() -> tuple[int, int]:
    """The (uid, gid) the kernel runs as when the grader is root: the system user ``nmd-sandbox``, created
    here on first use (never root, never a real person's account)."""
    import pwd  # POSIX only: imported here so that Windows can import this module (and be refused)

    try:
        entry = pwd.getpwnam(SANDBOX_USER)
    except KeyError:
        useradd = shutil.which("useradd")
        if useradd is None:
            raise SandboxUnavailable(
                f"grading as root needs the system user {SANDBOX_USER!r} and 'useradd' to create it"
            ) from None
        subprocess.run(
            [useradd, "--system", "--no-create-home", "--home-dir", "/nonexistent", "--shell",
             "/usr/sbin/nologin", SANDBOX_USER],
            check=False, capture_output=True,
        )  # fmt: skip
        try:
            entry = pwd.getpwnam(SANDBOX_USER)
        except KeyError:  # pragma: no cover - useradd failed
            raise SandboxUnavailable(f"could not create the system user {SANDBOX_USER!r}") from None
    if entry.pw_uid == 0:
        raise SandboxUnavailable(f"the system user {SANDBOX_USER!r} has uid 0; it must be unprivileged")
    return entry.pw_uid, entry.pw_gid


def python_binds() -> list[Bind]:
    """The running Python (virtual environment and base installation) and the course package's ``src/`` and
    ``data/``: what a notebook legitimately imports and reads. Paths under ``/usr`` are bound anyway.

    The installation's library folders are bound at their real location too: a venv whose ``lib`` is a
    symlink (the workshop's runtime, which every user can run, links to the course's venv) would otherwise
    point into nothing inside the sandbox, and the kernel would die before it starts. Not ``sys.path``: with
    ``python -m`` its first entry is the grader's working folder, the course itself.
    """
    import nmd_immuno
    from nmd_immuno.paths import data_dir

    paths = {Path(sys.prefix), Path(sys.base_prefix), Path(os.path.realpath(sys.executable)).parent.parent}
    libraries = ("stdlib", "platstdlib", "purelib", "platlib")
    paths |= {Path(os.path.realpath(sysconfig.get_paths()[name])) for name in libraries}
    paths.add(Path(nmd_immuno.__file__).resolve().parent.parent)  # src/ (the package, read-only)
    paths.add(data_dir())
    keep = sorted(p for p in paths if p.is_dir() and not _under(p, Path("/usr")))
    # drop paths inside another bound path (binding both is harmless but wasteful)
    return [Bind(p) for p in keep if not any(q != p and _under(p, q) for q in keep)]


def _under(path: Path, parent: Path) -> bool:
    return path == parent or parent in path.parents


def _parents(target: str) -> list[str]:
    parts = Path(target).parents
    return [str(p) for p in reversed(parts) if str(p) != "/"]


def _base_args(bwrap: str) -> list[str]:
    args = [bwrap, "--die-with-parent", "--new-session", "--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        real = Path("/" + name)
        if real.is_symlink():
            args += ["--symlink", os.readlink(real), f"/{name}"]
        elif real.is_dir():
            args += ["--ro-bind", str(real), f"/{name}"]
    for etc in ETC_FILES:
        args += ["--ro-bind-try", etc, etc]
    return args


def bwrap_command(spec: SandboxSpec) -> list[str]:
    """The full command line that runs ``spec.argv`` in a fresh sandbox."""
    bwrap = require_tools()
    lim = spec.limits
    args = _base_args(bwrap)
    binds = [*python_binds(), *spec.binds]
    if _is_root():
        args += ["--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup"]
        args += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    else:
        args += ["--unshare-all", "--unshare-user", "--disable-userns", "--uid", "65534", "--gid", "65534"]
    args += ["--proc", "/proc", "--dev", "/dev"]
    args += ["--perms", "1777", "--size", str(lim.tmp_bytes), "--tmpfs", "/tmp"]
    args += ["--perms", "1777", "--size", str(lim.tmp_bytes), "--tmpfs", "/dev/shm"]
    args += ["--perms", "1777", "--size", str(lim.home_bytes), "--tmpfs", HOME]
    made = {"/", "/tmp", HOME, "/usr", "/dev", "/proc"}
    for parent in _parents(spec.workdir):  # the working folder first: writable, whatever is bound into it
        if parent not in made:
            args += ["--perms", "0755", "--dir", parent]
            made.add(parent)
    if spec.workdir not in made:
        args += ["--perms", "1777", "--dir", spec.workdir]
        made.add(spec.workdir)
    for target in [*(b.target for b in binds), *spec.dirs, spec.workdir]:
        for parent in _parents(target):
            if parent not in made and not any(parent == m or parent.startswith(m + "/") for m in ("/usr",)):
                args += ["--perms", "0755", "--dir", parent]
                made.add(parent)
    for d in spec.dirs:
        args += ["--perms", "0777", "--dir", d]
        made.add(d)
    for b in binds:
        args += ["--ro-bind", str(b.source), b.target]
    args += ["--chdir", spec.workdir, "--clearenv"]
    for key, value in sorted(_env(spec.env).items()):
        args += ["--setenv", key, value]
    args.append("--")
    if _is_root():
        uid, gid = sandbox_ids()
        args += [
            shutil.which("setpriv") or "setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups",
            "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--",
            bwrap, "--unshare-user", "--disable-userns", "--die-with-parent", "--bind", "/", "/",
            "--proc", "/proc", "--dev-bind", "/dev", "/dev", "--",
        ]  # fmt: skip
    args += [
        shutil.which("prlimit") or "prlimit",
        f"--as={lim.memory_bytes}",
        f"--nproc={lim.processes}",
        f"--fsize={lim.file_bytes}",
        f"--cpu={lim.cpu_seconds}:{lim.cpu_seconds + CPU_GRACE_S}",  # SIGXCPU, then SIGKILL
        f"--nofile={lim.open_files}",
        "--core=0",
        "--",
        *spec.argv,
    ]
    return args


def _env(extra: Mapping[str, str]) -> dict[str, str]:
    """The kernel's whole environment: a fixed minimum plus ``extra`` (no variable of the grader leaks)."""
    import nmd_immuno

    bindir = str(Path(sys.executable).parent)
    env = {
        "PYTHONPATH": str(Path(nmd_immuno.__file__).resolve().parent.parent),
        "PATH": f"{bindir}:/usr/local/bin:/usr/bin:/bin",
        "HOME": HOME,
        "USER": "student",
        "LANG": "C.UTF-8",
        "PYTHONNOUSERSITE": "1",
        "MPLBACKEND": "agg",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    env.update(extra)
    return env


def workdir_for(assignment: str) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in assignment) or "work"
    return f"{HOME}/{safe}"


@functools.cache
def probe() -> str | None:
    """``None`` if a sandbox can be made here, else the reason (cached: the machine does not change)."""
    try:
        cmd = bwrap_command(SandboxSpec(argv=["/bin/sh", "-c", "exit 0"], workdir=HOME))
    except SandboxUnavailable as exc:
        return str(exc)
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    if result.returncode == 0:
        return None
    err = result.stderr.strip().splitlines()[-1:] or [f"exit {result.returncode}"]
    hint = (
        "user namespaces are disabled (sysctl kernel.unprivileged_userns_clone=1, user.max_user_namespaces "
        "> 0, or an AppArmor profile allowing bwrap)"
        if any(w in err[0].lower() for w in ("namespace", "permission", "operation not"))
        else "bubblewrap could not start"
    )
    return f"the grading sandbox cannot be created: {hint}: bwrap said {err[0]!r}; or pass --unsandboxed"


def require_sandbox() -> None:
    """Raise ``SandboxUnavailable`` (with the reason) when no sandbox can be made on this machine."""
    reason = probe()
    if reason:
        raise SandboxUnavailable(reason)


def regular_entries(folder: Path, skip_suffixes: Iterable[str] = (".ipynb",)) -> list[Path]:
    """Top-level files and folders of a submission that may be shown to its kernel: no symbolic link (it
    could point anywhere on the host) and no notebook (the graded notebook there holds the hidden tests)."""
    skip = set(skip_suffixes)
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if not p.is_symlink() and p.suffix not in skip and (p.is_file() or p.is_dir())
    )
