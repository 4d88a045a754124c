"""The cohort answer store: every checked quiz answer of a workshop, owned by the hub's answers service.

Only :mod:`nmd_immuno.workshop.service` opens the store: it runs as a system user of its own, and the store
lives in a folder only that user can read, so no participant can read or change another's answers. The
participants' kernels post answers to the service (:mod:`nmd_immuno.workshop.client`).

The store is an SQLAlchemy URL (``NMD_WORKSHOP_ANSWERS_URL``), so one server uses a sqlite file and a
Kubernetes deployment PostgreSQL, with the same code. For sqlite: WAL mode (readers never block the writer:
the dashboard reads while participants write) and a busy timeout (a writer waits for the lock instead of
failing). WAL needs a local disk: sqlite's locks are unreliable on network file systems (NFS, SMB).

Every attempt is kept with its UTC time. Each carries the ``answer_id`` its client generated, unique per user:
a retried post (the first reply was lost) is recorded once. Summaries (first attempt, latest, distribution)
are computed in :mod:`nmd_immuno.workshop.summary`.
"""

from __future__ import annotations

import math
import os
import re
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

URL_VAR = "NMD_WORKSHOP_ANSWERS_URL"
BUSY_TIMEOUT_S = 30.0
MAX_TEXT = 200  # ids and user names
MAX_ANSWER = 2000
ANSWER_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
COLUMNS = ["attempt", "recorded_at", "user", "quiz_id", "item_id", "answer", "correct"]

METADATA = sa.MetaData()
ATTEMPTS = sa.Table(
    "attempts",
    METADATA,
    sa.Column("attempt", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("answer_id", sa.String(64), nullable=False),
    sa.Column("recorded_at", sa.String(40), nullable=False),  # ISO 8601 UTC: the same text on every database
    sa.Column("user", sa.String(MAX_TEXT), nullable=False),
    sa.Column("quiz_id", sa.String(MAX_TEXT), nullable=False),
    sa.Column("item_id", sa.String(MAX_TEXT), nullable=False),
    sa.Column("answer", sa.String(MAX_ANSWER), nullable=False),
    sa.Column("correct", sa.Boolean, nullable=False),
    sa.UniqueConstraint("user", "answer_id", name="one_record_per_answer"),
    sa.Index("attempts_by_quiz", "quiz_id", "item_id", "user"),
)


class WorkshopInputError(ValueError):
    """A value given to the store is invalid; the message names the field, the value and what is allowed."""


class StoreUnavailable(RuntimeError):
    """The store cannot be opened or written (missing folder, permissions, lock held too long, server down).

    One exception for every such cause, so that callers can catch it and report it in one way.
    """


def _text(field: str, value: object, limit: int = MAX_TEXT) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise WorkshopInputError(
            f"{field}: got {value!r}; expected a non-empty string of at most {limit} characters"
        )
    return value.strip()


def answer_id_text(value: object) -> str:
    """A client-generated answer id: 8 to 64 letters, digits, '-' or '_' (e.g. a uuid4 hex)."""
    if not isinstance(value, str) or not ANSWER_ID.fullmatch(value):
        raise WorkshopInputError(
            f"answer_id: got {value!r}; expected 8 to 64 letters, digits, '-' or '_' (e.g. a uuid4 hex)"
        )
    return value


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


def _sqlite_path(url: sa.URL) -> Path | None:
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


class AnswerStore:
    """The answers of one workshop at ``target``: an SQLAlchemy URL, or the path of a sqlite file (created
    with its folder on the first write)."""

    def __init__(self, target: str | os.PathLike[str], *, busy_timeout_s: float = BUSY_TIMEOUT_S) -> None:
        text = os.fspath(target)
        try:
            self.url = sa.make_url(text) if "://" in text else sa.URL.create("sqlite", database=text)
        except SQLAlchemyError as error:
            raise WorkshopInputError(
                f"{URL_VAR}: got {text!r}; expected an SQLAlchemy URL (sqlite:////srv/answers.sqlite, "
                f"postgresql://user@host/db) or the path of a sqlite file ({error})"
            ) from None
        self.path = _sqlite_path(self.url)
        self.busy_timeout_s = busy_timeout_s
        self._engine: Engine | None = None

    def __repr__(self) -> str:
        return f"AnswerStore({self.url.render_as_string(hide_password=True)!r})"

    @property
    def key(self) -> str:
        """What identifies the store (for one live dashboard per store)."""
        return str(self.path.resolve()) if self.path else self.url.render_as_string(hide_password=True)

    @classmethod
    def from_env(cls, *, busy_timeout_s: float = BUSY_TIMEOUT_S) -> AnswerStore | None:
        """The store named by ``NMD_WORKSHOP_ANSWERS_URL`` (the service's setting), or ``None``."""
        value = os.environ.get(URL_VAR, "").strip()
        return cls(value, busy_timeout_s=busy_timeout_s) if value else None

    def _engine_ready(self) -> Engine:
        """The engine, the folder, WAL mode and the table, made once per store object."""
        if self._engine is not None:
            return self._engine
        try:
            if self.path is not None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                engine = sa.create_engine(
                    self.url, connect_args={"timeout": self.busy_timeout_s}, poolclass=sa.NullPool
                )
                busy_ms = int(self.busy_timeout_s * 1000)
                sa.event.listen(
                    engine, "connect", lambda dbapi, _: dbapi.execute(f"PRAGMA busy_timeout = {busy_ms}")
                )
                self._wal(engine)
            else:
                engine = sa.create_engine(self.url, pool_pre_ping=True)
            _create_table(engine)
        except (OSError, SQLAlchemyError) as error:
            raise StoreUnavailable(f"workshop store {self!r}: {error}") from error
        self._engine = engine
        return engine

    def _wal(self, engine: Engine) -> None:
        """Switch the file to WAL. The switch needs an exclusive lock and sqlite does not always wait for it
        with the busy handler (several processes opening a new file at once), so it is retried until the
        timeout; once the file is in WAL mode the pragma is a no-op that needs no lock."""
        deadline = time.monotonic() + self.busy_timeout_s
        while True:
            try:
                with engine.connect() as connection:
                    mode = connection.exec_driver_sql("PRAGMA journal_mode = WAL").scalar()
                break
            except OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        if str(mode).lower() != "wal":
            raise StoreUnavailable(
                f"workshop store {self!r}: sqlite refused WAL mode (journal mode {mode!r})"
            )

    def record(
        self,
        user: str,
        quiz_id: str,
        item_id: str,
        answer: str | float,
        correct: bool,
        answer_id: str | None = None,
    ) -> bool:
        """Keep one attempt with the current UTC time; True if new, False if ``answer_id`` was recorded
        before for this user (a retried post). Every attempt is kept, never overwritten."""
        if not isinstance(correct, bool):
            raise WorkshopInputError(f"correct: got {correct!r}; expected True or False")
        row = {
            "answer_id": uuid.uuid4().hex if answer_id is None else answer_id_text(answer_id),
            "recorded_at": datetime.now(UTC).isoformat(timespec="microseconds"),
            "user": _text("user", user),
            "quiz_id": _text("quiz_id", quiz_id),
            "item_id": _text("item_id", item_id),
            "answer": answer_text(answer),
            "correct": correct,
        }
        engine = self._engine_ready()
        try:
            with engine.begin() as connection:
                connection.execute(ATTEMPTS.insert().values(**row))
        except IntegrityError:
            return False  # the same user's same answer_id: recorded by an earlier try
        except SQLAlchemyError as error:
            raise StoreUnavailable(f"workshop store {self!r}: {error}") from error
        return True

    def attempts(self, quiz_id: str | None = None) -> pd.DataFrame:
        """Every attempt in the order recorded (``attempt`` numbers them), of one quiz or of all.

        ``recorded_at`` is a UTC timestamp and ``correct`` a bool. A store not yet written to is empty (and a
        sqlite file that does not exist is not created by reading).
        """
        if quiz_id is not None:
            quiz_id = _text("quiz_id", quiz_id)
        if self.path is not None and not self.path.exists():
            return typed_attempts(pd.DataFrame(columns=COLUMNS))
        query = sa.select(*(ATTEMPTS.c[name] for name in COLUMNS)).order_by(ATTEMPTS.c.attempt)
        if quiz_id is not None:
            query = query.where(ATTEMPTS.c.quiz_id == quiz_id)
        engine = self._engine_ready()
        try:
            with engine.connect() as connection:
                rows = [tuple(row) for row in connection.execute(query)]
        except SQLAlchemyError as error:
            raise StoreUnavailable(f"workshop store {self!r}: {error}") from error
        return typed_attempts(pd.DataFrame(rows, columns=COLUMNS))


def _create_table(engine: Engine) -> None:
    """The table, if missing. Two processes may both find it missing and one CREATE then fails: the other
    made it, which is what was wanted (SQLAlchemy's check-then-create is not atomic)."""
    try:
        METADATA.create_all(engine)
    except (OperationalError, sa.exc.ProgrammingError, IntegrityError) as error:
        if "already exists" not in str(error) and "duplicate" not in str(error).lower():
            raise
        METADATA.create_all(engine)


def typed_attempts(frame: pd.DataFrame) -> pd.DataFrame:
    """The attempts' columns in their types (also for attempts read back from the service's JSON)."""
    return frame.astype(
        {"attempt": "int64", "user": "string", "quiz_id": "string", "item_id": "string", "answer": "string"}
    ).assign(
        recorded_at=pd.to_datetime(frame["recorded_at"], utc=True, format="ISO8601"),
        correct=frame["correct"].astype(bool),
    )
