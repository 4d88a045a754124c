"""The cohort answer store: every checked quiz answer of a workshop, in one sqlite file on a shared folder.

Each participant's kernel is a separate process writing to the same file, so the store relies on sqlite's
own locking: WAL mode (readers never block the writer, the instructor's dashboard reads while participants
write) and a busy timeout (a writer waits for the lock instead of failing). One short connection per call:
nothing is held open between clicks, so a participant who closes a notebook leaves no lock behind.

WAL needs the shared folder on the hub machine's local disk: sqlite's locks are unreliable on network
file systems (NFS, SMB), where this store must not be put.

Every attempt is kept with its UTC time; summaries (first attempt, latest, distribution) are computed from
them in :mod:`nmd_immuno.workshop.summary`.
"""

from __future__ import annotations

import getpass
import math
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

ENV_VAR = "NMD_WORKSHOP_DB"
BUSY_TIMEOUT_S = 30.0
MAX_TEXT = 200  # ids and user names
MAX_ANSWER = 2000
COLUMNS = ["attempt", "recorded_at", "user", "quiz_id", "item_id", "answer", "correct"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS attempts (
    attempt     INTEGER PRIMARY KEY AUTOINCREMENT,
    recorded_at TEXT NOT NULL,
    user        TEXT NOT NULL,
    quiz_id     TEXT NOT NULL,
    item_id     TEXT NOT NULL,
    answer      TEXT NOT NULL,
    correct     INTEGER NOT NULL CHECK (correct IN (0, 1))
);
CREATE INDEX IF NOT EXISTS attempts_by_quiz ON attempts (quiz_id, item_id, user);
"""


class WorkshopInputError(ValueError):
    """A value given to the store is invalid; the message names the field, the value and what is allowed."""


class StoreUnavailable(RuntimeError):
    """The store's file cannot be opened or written (missing folder, permissions, lock held too long).

    One exception for every such cause, so that the quiz can catch it and keep working without the store.
    """


def current_user() -> str:
    """Who is answering: the hub's user name in a JupyterHub server, else the login name.

    JupyterHub sets ``JUPYTERHUB_USER`` in every single-user server (and so in its kernels); with the simple
    spawner all participants share one system user, so the login name alone could not tell them apart.
    """
    return os.environ.get("JUPYTERHUB_USER") or getpass.getuser()


def configured_path() -> Path | None:
    """The store's file from ``NMD_WORKSHOP_DB``; ``None`` when no workshop is configured."""
    value = os.environ.get(ENV_VAR, "").strip()
    return Path(value).expanduser() if value else None


def _text(field: str, value: object, limit: int = MAX_TEXT) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise WorkshopInputError(
            f"{field}: got {value!r}; expected a non-empty string of at most {limit} characters"
        )
    return value.strip()


def number_text(value: int | float, field: str = "answer") -> str:
    """A number as stored: the shortest text that reads back as the same float (``repr``).

    Why not ``format(x, "g")``: its 6 significant digits merge distinct answers (1234567 and 1234568 both
    become '1.23457e+06') in the distribution. An int too large for a float, NaN and infinities are refused.
    """
    try:
        number = float(value)
    except OverflowError:
        number = float("inf")
    if not math.isfinite(number):
        raise WorkshopInputError(f"{field}: got {value!r}; expected a finite number")
    return repr(number)


def answer_text(value: object) -> str:
    """The answer as stored and shown in the distribution: text as given, a number in short form."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise WorkshopInputError(f"answer: got {value!r}; expected a string or a number")
    if isinstance(value, str):
        return _text("answer", value, MAX_ANSWER)
    return number_text(value)


class AnswerStore:
    """The answers of one workshop in the sqlite file at ``path`` (created with its folder on first write)."""

    def __init__(self, path: str | os.PathLike[str], *, busy_timeout_s: float = BUSY_TIMEOUT_S) -> None:
        self.path = Path(path)
        self.busy_timeout_s = busy_timeout_s
        self._ready = False

    def __repr__(self) -> str:
        return f"AnswerStore({str(self.path)!r})"

    @classmethod
    def from_env(cls, *, busy_timeout_s: float = BUSY_TIMEOUT_S) -> AnswerStore | None:
        """The store named by ``NMD_WORKSHOP_DB``, or ``None`` outside a workshop."""
        path = configured_path()
        return cls(path, busy_timeout_s=busy_timeout_s) if path is not None else None

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A connection in WAL mode with the busy timeout; commits on success, always closes."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=self.busy_timeout_s)
        except (OSError, sqlite3.Error) as error:
            raise StoreUnavailable(f"workshop store {self.path}: {error}") from error
        try:
            connection.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_s * 1000)}")
            if not self._ready:
                self._initialise(connection)
            with connection:
                yield connection
        except sqlite3.Error as error:
            raise StoreUnavailable(f"workshop store {self.path}: {error}") from error
        finally:
            connection.close()

    def _initialise(self, connection: sqlite3.Connection) -> None:
        """Switch the file to WAL and create the table, once per store object.

        Switching the journal mode needs an exclusive lock and sqlite does not always wait for it with the
        busy handler (several kernels opening a new file at once), so the switch is retried until the
        timeout; once the file is in WAL mode the pragma is a no-op that needs no lock.
        """
        deadline = time.monotonic() + self.busy_timeout_s
        while True:
            try:
                mode = connection.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                connection.executescript(_SCHEMA)
                break
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        if str(mode).lower() != "wal":
            raise StoreUnavailable(
                f"workshop store {self.path}: sqlite refused WAL mode (journal mode {mode!r})"
            )
        self._ready = True

    def record(self, user: str, quiz_id: str, item_id: str, answer: str | float, correct: bool) -> None:
        """Keep one attempt with the current UTC time. Every attempt is kept, never overwritten."""
        if not isinstance(correct, bool):
            raise WorkshopInputError(f"correct: got {correct!r}; expected True or False")
        row = (
            datetime.now(UTC).isoformat(timespec="microseconds"),
            _text("user", user),
            _text("quiz_id", quiz_id),
            _text("item_id", item_id),
            answer_text(answer),
            int(correct),
        )
        with self._connect() as connection:
            connection.execute(
                "INSERT INTO attempts (recorded_at, user, quiz_id, item_id, answer, correct)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                row,
            )

    def attempts(self, quiz_id: str | None = None) -> pd.DataFrame:
        """Every attempt in the order recorded (``attempt`` numbers them), of one quiz or of all.

        ``recorded_at`` is a UTC timestamp and ``correct`` a bool. A store not yet written to is empty.
        """
        if quiz_id is not None:
            quiz_id = _text("quiz_id", quiz_id)
        if not self.path.exists():
            return _typed(pd.DataFrame(columns=COLUMNS))
        query = f"SELECT {', '.join(COLUMNS)} FROM attempts"
        params: tuple[str, ...] = ()
        if quiz_id is not None:
            query, params = query + " WHERE quiz_id = ?", (quiz_id,)
        with self._connect() as connection:
            rows = connection.execute(query + " ORDER BY attempt", params).fetchall()
        return _typed(pd.DataFrame(rows, columns=COLUMNS))


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype(
        {"attempt": "int64", "user": "string", "quiz_id": "string", "item_id": "string", "answer": "string"}
    ).assign(
        recorded_at=pd.to_datetime(frame["recorded_at"], utc=True, format="ISO8601"),
        correct=frame["correct"].astype(bool),
    )
