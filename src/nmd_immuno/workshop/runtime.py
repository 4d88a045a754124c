"""The Python every workshop user runs: the course's venv, reachable by users other than root.

A venv points at its base interpreter, and the course's may live where only root can read it (pyenv under
``/root``, mode 0700, as on the machines this course is built on). Rather than loosen /root, the hub builds a
*runtime*: a venv-shaped folder whose ``bin/python`` is a world-readable interpreter of the same version
(``/usr/bin/python3.11``), whose ``lib`` and ``etc`` are the course venv's own (symlinks: same packages, same
Jupyter server extensions), and whose ``share/jupyter`` is the course's with the kernel pointed at that
interpreter. Same minor version, so the compiled packages' ABI matches (``cpython-311``).

When the course's own interpreter is already readable by everyone, the runtime is the venv itself.
"""

from __future__ import annotations

import json
import shutil
import sys
import sysconfig
from pathlib import Path

from nmd_immuno.workshop.hub import unreadable_by_others

CANDIDATES = ("/usr/bin", "/usr/local/bin", "/opt/python/bin")


class RuntimeUnavailable(RuntimeError):
    """No interpreter other users can run was found; the message says what was tried."""


def shared_interpreter() -> Path:
    """An interpreter of this Python's version that users other than root can run."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    base = Path(getattr(sys, "_base_executable", sys.executable)).resolve()
    tried = [base, *(Path(folder) / version for folder in CANDIDATES)]
    for candidate in tried:
        if candidate.exists() and not unreadable_by_others(candidate.resolve()):
            return candidate.resolve()
    raise RuntimeUnavailable(
        f"no {version} that other users can run: tried {', '.join(map(str, tried))}. Install one "
        f"(e.g. apt-get install {version}) or install the course from an interpreter outside /root"
    )


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
    _relink(python, interpreter)
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
