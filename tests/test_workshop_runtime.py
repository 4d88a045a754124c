"""The shared copy of the interpreter (nmd_immuno.workshop.runtime): made once, even when several processes
want it at the same moment on a fresh machine, and never pulled from under a process running from it.

Why this matters: on a fresh CI machine the hub's tests and the config's tests (another pytest worker) each
built the copy; the second deleted and re-made it while the first hub's users were starting from it, and their
servers died at start (the hub answered 500 to every spawn).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from nmd_immuno.workshop import runtime

BUILD = (
    "import sys; from pathlib import Path; from nmd_immuno.workshop import runtime; "
    "print(runtime._copy_of_base(Path(sys.base_prefix), 'python%d.%d' % sys.version_info[:2]))"
)


@pytest.fixture
def shared() -> Iterator[Path]:
    """A folder every user can enter (pytest's own are root's only, which the copy refuses)."""
    folder = Path(tempfile.mkdtemp(prefix="nmd-runtime-test-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder)


def _build_in_a_process(target: Path) -> subprocess.CompletedProcess:
    env = os.environ | {runtime.COPY_VAR: str(target)}
    return subprocess.run([sys.executable, "-c", BUILD], env=env, capture_output=True, text=True, timeout=300)


def test_concurrent_first_builds_make_one_complete_copy_and_keep_it(shared: Path) -> None:
    target = shared / "python-copy"
    with ThreadPoolExecutor(3) as pool:
        runs = list(pool.map(_build_in_a_process, [target] * 3))
    assert [run.returncode for run in runs] == [0, 0, 0], [run.stderr for run in runs]
    pythons = {run.stdout.strip() for run in runs}
    assert len(pythons) == 1
    python = Path(pythons.pop())
    assert (target / ".complete").exists() and not (target.parent / ".python-copy.building").exists()
    library = target / "lib"
    done = subprocess.run(
        [str(python), "-c", "import json, re, sqlite3; print(re.sub('a', 'b', 'a'))"],
        env={"LD_LIBRARY_PATH": str(library), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.strip() == "b", done.stderr
    inode = target.stat().st_ino
    again = _build_in_a_process(target)  # a later hub: reuses the copy, does not rebuild it
    assert again.returncode == 0 and target.stat().st_ino == inode


def test_a_half_made_copy_from_a_killed_run_is_replaced(shared: Path) -> None:
    target = shared / "python-copy"
    (target / "bin").mkdir(parents=True)  # no .complete: a run killed while copying
    (shared / ".python-copy.building").mkdir()
    run = _build_in_a_process(target)
    assert run.returncode == 0, run.stderr
    assert (target / ".complete").exists() and Path(run.stdout.strip()).exists()


def test_a_copy_others_could_not_reach_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    private = tmp_path / "private"
    private.mkdir()
    private.chmod(0o700)
    monkeypatch.setenv(runtime.COPY_VAR, str(private / "python-copy"))
    with pytest.raises(runtime.RuntimeUnavailable, match="not searchable by other users"):
        runtime._copy_of_base(Path(sys.base_prefix), "python3")
    assert not (private / "python-copy").exists() and not (private / ".python-copy.building").exists()
