"""Run the book build the way `make build` does, in the repository or in a scratch copy of it.

Shared by the test suite (``tests/conftest.py``: the session's book; the cache tests on a copy) and the
benchmark (``benchmarks/bench_book_build.py``, which puts ``tests/`` on its path), so that all three run
exactly the command of ``make/book.mk``. A test and benchmark harness, not part of the course package.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from nmd_immuno.paths import REPO_ROOT

# A Sphinx warning line ("file.md:12: WARNING: ...", "WARNING: ..."); not the kernel's "[IPKernelApp]
# WARNING |".
SPHINX_WARNING = re.compile(r"(^|: )(WARNING|ERROR|CRITICAL): ")
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# What a scratch copy leaves out: the environment (linked instead), build outputs, npm's tree, git, caches.
COPY_IGNORE = shutil.ignore_patterns(
    ".venv",
    "_build",
    "node_modules",
    ".git",
    "__pycache__",
    ".pytest_cache",
    ".hypothesis",
    ".ruff_cache",
    ".ipynb_checkpoints",
    "*.egg-info",
)


@dataclass(frozen=True)
class BookBuild:
    """One book build: the command, its exit status, its combined output and its wall time."""

    command: list[str]
    returncode: int
    output: str
    seconds: float

    def warnings(self) -> list[str]:
        """Sphinx warning/error lines of the output (the build runs with -W, so any of them fails it)."""
        return [line for line in self.output.splitlines() if SPHINX_WARNING.search(line)]

    def executed(self) -> list[str]:
        """Documents that were executed (not taken from the cache) in this build."""
        return re.findall(r"^(\S+): Executing notebook", self.output, flags=re.MULTILINE)

    def from_cache(self) -> list[str]:
        """Documents whose outputs came from the execution cache in this build."""
        return re.findall(r"^(\S+): Using cached notebook", self.output, flags=re.MULTILINE)


def book_build_command(repo: Path = REPO_ROOT) -> list[str]:
    """The exact command `make build` runs, asked from make itself so the two cannot drift apart."""
    out = subprocess.run(
        ["make", "-s", "--no-print-directory", "print-book-build-cmd"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return shlex.split(out)


def build_book(
    repo: Path = REPO_ROOT, *, env: dict[str, str] | None = None, timeout: float = 1800
) -> BookBuild:
    """Vendor the browser assets (a no-op when up to date) and run the book build in ``repo``, as `make
    build`."""
    full_env = {**os.environ, **(env or {})}
    subprocess.run(["bash", "scripts/vendor-assets.sh"], cwd=repo, check=True, env=full_env, timeout=600)
    command = book_build_command(repo)
    start = time.perf_counter()
    proc = subprocess.run(
        command,
        cwd=repo,
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
    )
    # Jupyter Book colours some lines even when piped; plain text keeps the log searchable.
    return BookBuild(command, proc.returncode, ANSI_ESCAPE.sub("", proc.stdout), time.perf_counter() - start)


def scratch_copy(destination: Path, repo: Path = REPO_ROOT) -> Path:
    """Copy the repository's sources (with the vendored assets) to ``destination`` and link its ``.venv``.

    The copy's package code is still imported from the repository (editable install), so callers that want a
    changed ``data/`` to reach the executed pages set ``NMD_IMMUNO_DATA`` to the copy's ``data`` folder.
    """
    shutil.copytree(repo, destination, ignore=COPY_IGNORE, symlinks=True)
    venv = repo / ".venv"
    if venv.exists():
        (destination / ".venv").symlink_to(venv, target_is_directory=True)
    return destination


def toc_documents(repo: Path = REPO_ROOT) -> list[str]:
    """Document names of ``_toc.yml`` in reading order (root first), e.g. ``["book/intro", ...]``."""
    import yaml

    toc = yaml.safe_load((repo / "_toc.yml").read_text(encoding="utf-8"))
    documents = [toc["root"]]

    def walk(entries: list[dict]) -> None:
        for entry in entries:
            if "file" in entry:
                documents.append(entry["file"])
            walk(entry.get("sections", []))

    for part in toc.get("parts", []):
        walk(part.get("chapters", []))
    walk(toc.get("chapters", []))
    return [doc.removesuffix(".md").removesuffix(".ipynb") for doc in documents]
