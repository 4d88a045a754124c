"""The workshop answer store: every attempt kept with its UTC time, a retried answer (same answer_id) kept
once, WAL and a busy timeout, clear errors, an SQLAlchemy URL, and several processes writing to one new file
at once without losing a row."""

from __future__ import annotations

import multiprocessing
import multiprocessing.synchronize
import sqlite3
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from nmd_immuno.workshop.store import URL_VAR, AnswerStore, StoreUnavailable, WorkshopInputError


@pytest.fixture
def store(tmp_path: Path) -> AnswerStore:
    return AnswerStore(tmp_path / "shared" / "answers.sqlite")


def test_every_attempt_is_kept_in_order_with_its_utc_time(store: AnswerStore) -> None:
    before = datetime.now(UTC)
    store.record("ana", "mg", "q1", "B", False)
    store.record("ana", "mg", "q1", "C", True)
    store.record("ben", "cidp", "q7", 2.5, True)
    after = datetime.now(UTC)

    every = store.attempts()
    assert list(every["user"]) == ["ana", "ana", "ben"]
    assert list(every["answer"]) == ["B", "C", "2.5"]
    assert list(every["correct"]) == [False, True, True]
    assert every["attempt"].is_monotonic_increasing and every["attempt"].is_unique
    assert str(every["recorded_at"].dt.tz) == "UTC"
    assert every["recorded_at"].between(before, after).all()

    one_quiz = store.attempts("mg")
    assert set(one_quiz["quiz_id"]) == {"mg"} and len(one_quiz) == 2


def test_numbers_are_stored_in_full_so_distinct_answers_stay_distinct(store: AnswerStore) -> None:
    answers = [1234567, 1234568, 0.1 + 0.2, 0.3, 1e-7, 2.5]
    for n, answer in enumerate(answers):
        store.record(f"user{n}", "mg", "q1", answer, False)
    stored = list(store.attempts()["answer"])
    assert len(set(stored)) == len(answers), stored
    assert [float(text) for text in stored] == [float(answer) for answer in answers], "read back exactly"


def test_a_store_never_written_is_empty_and_creates_nothing(store: AnswerStore) -> None:
    frame = store.attempts()
    assert frame.empty and "correct" in frame.columns
    assert not store.path.exists()


def test_the_file_is_in_wal_mode(store: AnswerStore) -> None:
    store.record("ana", "mg", "q1", "A", True)
    with sqlite3.connect(store.path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def _hold_write_lock(path: Path, seconds: float, locked: threading.Event) -> None:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    locked.set()
    time.sleep(seconds)
    connection.execute("COMMIT")
    connection.close()


def test_a_writer_waits_for_the_lock_instead_of_failing(store: AnswerStore) -> None:
    store.record("ana", "mg", "q1", "A", True)
    locked = threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(store.path, 0.8, locked))
    holder.start()
    assert locked.wait(5), "the other writer never took the lock"
    start = time.monotonic()
    AnswerStore(store.path).record("ben", "mg", "q1", "B", False)
    waited = time.monotonic() - start
    holder.join()
    assert waited > 0.5, "the write should have waited for the other writer's lock"
    assert len(store.attempts()) == 2


def test_a_lock_held_past_the_timeout_is_reported_as_unavailable(store: AnswerStore) -> None:
    store.record("ana", "mg", "q1", "A", True)
    locked = threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(store.path, 1.0, locked))
    holder.start()
    assert locked.wait(5), "the other writer never took the lock"
    impatient = AnswerStore(store.path, busy_timeout_s=0.1)
    with pytest.raises(StoreUnavailable, match="locked"):
        impatient.record("ben", "mg", "q1", "B", False)
    holder.join()


def test_a_path_that_cannot_be_created_is_reported_as_unavailable(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    with pytest.raises(StoreUnavailable, match="not-a-folder"):
        AnswerStore(blocker / "answers.sqlite").record("ana", "mg", "q1", "A", True)


@pytest.mark.parametrize(
    ("field", "kwargs", "allowed"),
    [
        ("user", {"user": ""}, "non-empty string"),
        ("quiz_id", {"quiz_id": None}, "non-empty string"),
        ("item_id", {"item_id": "x" * 500}, "at most 200"),
        ("answer", {"answer": ["A", "B"]}, "string or a number"),
        ("answer", {"answer": float("nan")}, "finite number"),
        ("answer", {"answer": float("inf")}, "finite number"),
        ("answer", {"answer": 10**400}, "finite number"),
        ("answer", {"answer": True}, "string or a number"),
        ("correct", {"correct": 1}, "True or False"),
    ],
)
def test_bad_input_names_the_field_the_value_and_what_is_allowed(
    store: AnswerStore, field: str, kwargs: dict, allowed: str
) -> None:
    values = {"user": "ana", "quiz_id": "mg", "item_id": "q1", "answer": "A", "correct": True, **kwargs}
    with pytest.raises(WorkshopInputError) as caught:
        store.record(**values)
    message = str(caught.value)
    assert message.startswith(f"{field}:") and allowed in message
    assert repr(kwargs[field])[:20] in message
    assert not store.path.exists(), "nothing is written for bad input"


def test_the_store_comes_from_the_environment_as_a_url_or_a_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(URL_VAR, raising=False)
    assert AnswerStore.from_env() is None
    monkeypatch.setenv(URL_VAR, f"sqlite:///{tmp_path / 'w.sqlite'}")
    configured = AnswerStore.from_env()
    assert configured is not None and configured.path == tmp_path / "w.sqlite"
    assert AnswerStore(tmp_path / "p.sqlite").path == tmp_path / "p.sqlite"
    postgres = AnswerStore("postgresql://grader:secret@db.example.org/nmd")
    assert postgres.path is None and "secret" not in repr(postgres), "no password in messages"


def test_a_bad_url_names_the_variable() -> None:
    with pytest.raises(WorkshopInputError, match=URL_VAR):
        AnswerStore("not a url://")


def test_a_retried_answer_is_kept_once_per_user(store: AnswerStore) -> None:
    assert store.record("ana", "mg", "q1", "A", True, answer_id="retry-0001") is True
    assert store.record("ana", "mg", "q1", "A", True, answer_id="retry-0001") is False
    assert store.record("ben", "mg", "q1", "B", False, answer_id="retry-0001") is True, "ids are per user"
    assert list(store.attempts()["user"]) == ["ana", "ben"]


@pytest.mark.parametrize("answer_id", ["short", "has space 123", "x" * 65, 12345678])
def test_a_malformed_answer_id_is_refused(store: AnswerStore, answer_id: object) -> None:
    with pytest.raises(WorkshopInputError, match=r"^answer_id: got"):
        store.record("ana", "mg", "q1", "A", True, answer_id=answer_id)  # type: ignore[arg-type]


WRITERS, RECORDS = 6, 120


def _write_many(path: str, writer: int, start: multiprocessing.synchronize.Barrier) -> None:
    store = AnswerStore(path)  # a fresh store object per process, as in each participant's kernel
    start.wait()
    for n in range(RECORDS):
        store.record(f"user{writer}", "mg", f"q{n % 5}", str(n), n % 2 == 0)


def _read_while_writing(
    path: str, start: multiprocessing.synchronize.Barrier, done: multiprocessing.synchronize.Event
) -> None:
    store = AnswerStore(path)
    start.wait()
    while not done.is_set():
        store.attempts("mg")  # the dashboard reads while participants write; must never fail


def test_several_processes_write_one_new_file_at_once(tmp_path: Path) -> None:
    path = str(tmp_path / "answers.sqlite")
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(WRITERS + 1)
    done = context.Event()
    writers = [context.Process(target=_write_many, args=(path, w, start)) for w in range(WRITERS)]
    reader = context.Process(target=_read_while_writing, args=(path, start, done))
    try:
        for process in [*writers, reader]:
            process.start()
        for process in writers:
            process.join(timeout=120)
        done.set()
        reader.join(timeout=30)
    finally:  # a writer stuck on a lock must not outlive the test
        done.set()
        for process in [*writers, reader]:
            if process.is_alive():
                process.terminate()
                process.join(timeout=10)
    assert [p.exitcode for p in writers] == [0] * WRITERS, "a writer failed (see its traceback above)"
    assert reader.exitcode == 0, "the reader failed while others wrote"

    attempts = AnswerStore(path).attempts()
    assert len(attempts) == WRITERS * RECORDS
    assert attempts["attempt"].is_unique
    for writer in range(WRITERS):
        mine = attempts[attempts["user"] == f"user{writer}"]
        # each process's rows are all there, in the order it wrote them
        assert list(mine["answer"]) == [str(n) for n in range(RECORDS)]
