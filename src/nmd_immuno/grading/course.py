"""Where an nbgrader course lives and how it is identified.

One small value object carries the course directory, the exchange directory, the course id and the gradebook
URL, so that every command (generate, release, collect, autograde, feedback, export, report) and every test
points nbgrader at the same places. Precedence: explicit argument, then environment variable, then default.
The same environment variables are read by ``assignments/nbgrader_config.py``, so a plain ``nbgrader``
command or the formgrader on a JupyterHub agrees with this package.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from nmd_immuno.paths import REPO_ROOT

#: Environment variables understood here and in ``assignments/nbgrader_config.py``.
ENV_COURSE_DIR = "NMD_COURSE_DIR"
ENV_EXCHANGE = "NBGRADER_EXCHANGE"
ENV_COURSE_ID = "NMD_COURSE_ID"
ENV_TIMEOUT = "NMD_GRADING_TIMEOUT"
ENV_GRADEBOOK_URL = "NMD_GRADEBOOK_URL"

DEFAULT_COURSE_ID = "nmd-immuno"

#: SQLite waits this many seconds for a lock held by another grading process before failing.
SQLITE_BUSY_TIMEOUT_S = 60


@dataclass(frozen=True)
class Course:
    """An nbgrader course: its folder, exchange, id and (optionally) a per-cell execution timeout.

    ``cell_timeout_s`` of ``None`` keeps the value of ``nbgrader_config.py`` (``Execute.timeout``).
    ``gradebook_url`` replaces the course's sqlite file by a database server (SQLAlchemy URL, e.g.
    ``postgresql://grader@db/nmd``), for several graders.
    """

    root: Path
    exchange: Path
    course_id: str = DEFAULT_COURSE_ID
    cell_timeout_s: int | None = None
    gradebook_url: str | None = None

    @classmethod
    def resolve(
        cls,
        root: str | os.PathLike[str] | None = None,
        *,
        exchange: str | os.PathLike[str] | None = None,
        course_id: str | None = None,
        cell_timeout_s: int | None = None,
        gradebook_url: str | None = None,
    ) -> Course:
        """Build a course from arguments, falling back to environment variables and then to defaults."""
        root_path = Path(root or os.environ.get(ENV_COURSE_DIR) or REPO_ROOT / "assignments").resolve()
        exchange_path = Path(exchange or os.environ.get(ENV_EXCHANGE) or root_path / "exchange").resolve()
        cid = course_id or os.environ.get(ENV_COURSE_ID) or DEFAULT_COURSE_ID
        if cell_timeout_s is None and os.environ.get(ENV_TIMEOUT):
            cell_timeout_s = _positive_int(os.environ[ENV_TIMEOUT], ENV_TIMEOUT)
        if cell_timeout_s is not None and cell_timeout_s <= 0:
            raise ValueError(f"cell_timeout_s: got {cell_timeout_s}; allowed: a whole number of seconds > 0")
        url = gradebook_url or os.environ.get(ENV_GRADEBOOK_URL) or None
        return cls(root_path, exchange_path, cid, cell_timeout_s, url)

    # --- paths -------------------------------------------------------------------------------------------
    @property
    def db_path(self) -> Path:
        return self.root / "gradebook.db"

    @property
    def db_url(self) -> str:
        """SQLAlchemy URL of the gradebook: the course's sqlite file, with a busy timeout so that concurrent
        writers wait instead of failing, unless a database server was configured."""
        if self.gradebook_url:
            return self.gradebook_url
        return f"sqlite:///{self.db_path}?timeout={SQLITE_BUSY_TIMEOUT_S}"

    def source_dir(self, assignment: str) -> Path:
        return self.root / "source" / assignment

    def release_dir(self, assignment: str) -> Path:
        return self.root / "release" / assignment

    def submitted_dir(self, student: str, assignment: str) -> Path:
        return self.root / "submitted" / student / assignment

    def autograded_dir(self, student: str, assignment: str) -> Path:
        return self.root / "autograded" / student / assignment

    def feedback_dir(self, student: str, assignment: str) -> Path:
        return self.root / "feedback" / student / assignment

    @property
    def reports_dir(self) -> Path:
        return self.root / "reports"

    def outcomes_dir(self, assignment: str) -> Path:
        return self.reports_dir / "outcomes" / assignment

    def logs_dir(self, assignment: str) -> Path:
        return self.reports_dir / "logs" / assignment

    # --- discovery ---------------------------------------------------------------------------------------
    def assignments(self) -> list[str]:
        """Assignment ids that have a source folder (sorted)."""
        src = self.root / "source"
        return (
            sorted(p.name for p in src.iterdir() if p.is_dir() and not p.name.startswith("."))
            if src.is_dir()
            else []
        )

    def source_notebooks(self, assignment: str) -> list[Path]:
        folder = self.source_dir(assignment)
        return sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))

    def submitted_students(self, assignment: str) -> list[str]:
        """Students with a submission folder for ``assignment`` (sorted)."""
        base = self.root / "submitted"
        if not base.is_dir():
            return []
        return sorted(p.name for p in base.iterdir() if (p / assignment).is_dir())

    # --- nbgrader command line ---------------------------------------------------------------------------
    def nbgrader_options(self) -> list[str]:
        """Options that pin every nbgrader command to this course (they override nbgrader_config.py)."""
        opts = [
            f"--CourseDirectory.root={self.root}",
            f"--CourseDirectory.course_id={self.course_id}",
            f"--CourseDirectory.db_url={self.db_url}",
            f"--Exchange.root={self.exchange}",
        ]
        if self.cell_timeout_s is not None:
            opts.append(f"--Execute.timeout={self.cell_timeout_s}")
        return opts


def _positive_int(text: str, name: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"{name}: got {text!r}; allowed: a whole number of seconds > 0") from None
    if value <= 0:
        raise ValueError(f"{name}: got {value}; allowed: a whole number of seconds > 0")
    return value
