"""The Python every workshop user runs: the course's venv, reachable by users other than root.

A venv points at its base interpreter, and the course's may live where only root can read it (pyenv under
``/root``, mode 0700, as on the machines this course is built on). Rather than loosen /root, the hub builds a
*runtime*: a venv-shaped folder whose ``bin/python`` runs a world-readable copy of the same interpreter (its
stdlib, made once in ``/opt/nmd-workshop/python-<version>``), whose ``lib`` and ``etc`` are the course venv's
own (symlinks: same packages, same Jupyter server extensions), whose ``bin`` has the venv's console scripts,
and whose ``share/jupyter`` is the course's with the kernel pointed at that interpreter.

When the course's own interpreter is already readable by everyone, the runtime is the venv itself.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import sys
import sysconfig
from pathlib import Path

from nmd_immuno.workshop.hub import unreadable_by_others


class RuntimeUnavailable(RuntimeError):
    """No interpreter other users can run was found; the message says what was tried."""


COPY_VAR = "NMD_WORKSHOP_PYTHON_COPY"


def _copy_of_base(base_prefix: Path, version: str) -> Path:
    """A copy of this interpreter (its stdlib, without site-packages) where everyone can read it, made once.

    Why a copy rather than the system's python3.11: the same patch release, stdlib and all. A different one
    breaks quietly (Debian's 3.11.2 ``re`` fails soupsieve's selectors, so nbgrader's feedback fails).

    Why a lock and a rename: several processes (a hub, the tests of its config, a second hub) may want the
    copy at once on a fresh machine. One makes it, under an exclusive lock, in a folder of its own that is
    renamed into place when complete; nobody ever deletes or rewrites a copy that another process may be
    running from.
    """
    name = f"python-{sys.version.split()[0]}"
    target = Path(os.environ.get(COPY_VAR, "") or f"/opt/nmd-workshop/{name}")
    done = target / ".complete"
    if done.exists():
        return target / "bin" / version
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / f".{target.name}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            _make_copy(base_prefix, target, version)
    return target / "bin" / version


def _make_copy(base_prefix: Path, target: Path, version: str) -> None:
    """The copy, made beside ``target`` and renamed onto it (the caller holds the lock)."""
    for parent in target.parents:  # refused before anything is copied
        if parent.stat().st_mode & 0o001 == 0:
            raise RuntimeUnavailable(f"{parent} is not searchable by other users: cannot share {target}")
    building = target.parent / f".{target.name}.building"
    for leftover in (building, target):  # an earlier run killed half-way; nobody runs from an incomplete copy
        if leftover.exists():
            shutil.rmtree(leftover)
    ignore = shutil.ignore_patterns("site-packages", "test", "__pycache__", "idlelib", "tkinter")
    shutil.copytree(base_prefix, building, symlinks=True, ignore=ignore)
    for path in (building, *building.rglob("*")):
        if not path.is_symlink():
            mode = path.stat().st_mode
            path.chmod(mode | 0o555 if path.is_dir() or mode & 0o100 else mode | 0o444)
    (building / ".complete").write_text(version + "\n")
    building.rename(target)


def shared_interpreter() -> Path:
    """An interpreter identical to this one that users other than root can run (copied if need be)."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    base = Path(getattr(sys, "_base_executable", sys.executable)).resolve()
    if not unreadable_by_others(base):
        return base
    try:
        return _copy_of_base(Path(sys.base_prefix), version)
    except OSError as error:
        raise RuntimeUnavailable(
            f"{base} cannot be run by other users and could not be copied ({error}); install the course "
            "from an interpreter outside /root"
        ) from None


def _relink(link: Path, target: Path) -> None:
    if link.is_symlink() or link.is_file():
        link.unlink()
    elif link.is_dir():
        shutil.rmtree(link)
    link.symlink_to(target)


def _scripts(source: Path, destination: Path, python: Path) -> None:
    """The venv's console scripts (nbgrader, alembic, jupyter, ...) with their first line on ``python``:
    nbgrader runs ``alembic`` from PATH, and a user's terminal runs ``jupyter``."""
    for script in source.iterdir():
        if script.is_symlink() or not script.is_file() or script.name.startswith(("python", "activate")):
            continue
        with script.open("rb") as file:
            first = file.readline()
        if not first.startswith(b"#!") or b"python" not in first:
            continue
        target = destination / script.name
        target.write_bytes(b"#!" + str(python).encode() + b"\n" + script.read_bytes().split(b"\n", 1)[1])
        target.chmod(0o755)


def build_runtime(destination: Path, venv: Path | None = None) -> Path:
    """Build (or refresh) the runtime of ``venv`` (default: this one) at ``destination``; its python."""
    venv = Path(venv or sys.prefix)
    interpreter = shared_interpreter()
    if interpreter == Path(getattr(sys, "_base_executable", sys.executable)).resolve() and venv == Path(
        sys.prefix
    ):
        return Path(sys.executable)  # the venv's own interpreter is readable: nothing to build
    (destination / "bin").mkdir(parents=True, exist_ok=True)
    destination.chmod(0o755)
    (destination / "pyvenv.cfg").write_text(
        f"home = {interpreter.parent}\ninclude-system-site-packages = false\n"
        f"version = {sysconfig.get_python_version()}\n"
    )
    python = destination / "bin" / "python"
    if python.is_symlink() or python.exists():
        python.unlink()
    # A wrapper, not a symlink: the copy's libpython must come from the copy (its RUNPATH names the original,
    # which other users cannot read), and exec -a keeps this path as argv[0], so Python finds pyvenv.cfg here.
    library = interpreter.parent.parent / "lib"
    python.write_text(
        "#!/bin/bash\n"
        f'LD_LIBRARY_PATH="{library}${{LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}}" '
        f'exec -a "$0" "{interpreter}" "$@"\n'
    )
    for name in ("python3", f"python{sysconfig.get_python_version()}"):
        _relink(destination / "bin" / name, Path("python"))
    _scripts(venv / "bin", destination / "bin", python)
    for name in ("lib", "etc"):
        if (venv / name).exists():
            _relink(destination / name, venv / name)
    share = destination / "share" / "jupyter"
    share.mkdir(parents=True, exist_ok=True)
    for entry in (venv / "share" / "jupyter").iterdir():
        if entry.name != "kernels":
            _relink(share / entry.name, entry)
    for spec in (venv / "share" / "jupyter" / "kernels").glob("*/kernel.json"):
        kernel = share / "kernels" / spec.parent.name
        kernel.mkdir(parents=True, exist_ok=True)
        for extra in spec.parent.iterdir():
            if extra.name != "kernel.json":
                _relink(kernel / extra.name, extra)
        content = json.loads(spec.read_text())
        content["argv"][0] = str(python)
        (kernel / "kernel.json").write_text(json.dumps(content, indent=1))
    for folder in (destination, *destination.rglob("*")):
        if folder.is_dir() and not folder.is_symlink():
            folder.chmod(0o755)
        elif folder.is_file() and not folder.is_symlink():
            folder.chmod(0o755 if folder.parent.name == "bin" else 0o644)
    return python
