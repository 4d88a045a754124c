"""The instructor's dashboard: shows the store's participants and items (in the quiz's order), one item's
answers, refreshes on the button and, only inside a running event loop, by itself; never under nbgrader."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import threading
from pathlib import Path

import pytest
from server_helpers import run_in_fresh_loop

from nmd_immuno.quiz import load_quiz
from nmd_immuno.workshop import SERVICE_VAR, AnswerStore, WorkshopInputError
from nmd_immuno.workshop import workshop_dashboard as hub_dashboard
from nmd_immuno.workshop.dashboard import DASHBOARD_WAIT_S, WorkshopDashboard
from nmd_immuno.workshop.store import BUSY_TIMEOUT_S

STORE_VAR = "TEST_WORKSHOP_STORE"  # the store the dashboards below read (the service's, in a workshop)


def workshop_dashboard(quiz_id: str | None = None, refresh_s: float | None = 5) -> WorkshopDashboard:
    """The dashboard as the hub builds it, on a store file instead of the service (same ``attempts()``)."""
    store = AnswerStore(os.environ[STORE_VAR], busy_timeout_s=DASHBOARD_WAIT_S)
    return WorkshopDashboard(store, quiz_id, refresh_s)


QUIZ = "myasthenia_gravis"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AnswerStore:
    path = tmp_path / "answers.sqlite"
    monkeypatch.setenv(STORE_VAR, str(path))
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    return AnswerStore(path)


def item_ids() -> list[str]:
    return [item.id for _, item in load_quiz(QUIZ).items()]


def test_it_needs_a_configured_store(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SERVICE_VAR, raising=False)
    with pytest.raises(WorkshopInputError, match=SERVICE_VAR):
        hub_dashboard(QUIZ)


def test_it_refuses_a_bad_refresh_interval(store: AnswerStore) -> None:
    with pytest.raises(WorkshopInputError, match=r"refresh_s: got 0; expected seconds > 0"):
        workshop_dashboard(QUIZ, refresh_s=0)


def test_it_shows_participants_items_in_quiz_order_and_one_items_answers(store: AnswerStore) -> None:
    first, second = item_ids()[:2]
    store.record("ana", QUIZ, second, "B", False)
    store.record("ben", QUIZ, second, "A", True)
    # Built in a fresh thread, where no event loop runs (the test process may have one: Playwright's).
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        dashboard = pool.submit(workshop_dashboard, QUIZ).result()
    assert dashboard._task is None, "no event loop here: no refresh task"
    assert "ana" in dashboard.progress.value and "ben" in dashboard.progress.value
    assert dashboard.items.value.index(first) < dashboard.items.value.index(second), "quiz order"
    assert "2 participant(s), 2 answer(s)" in dashboard.status.value

    dashboard.item_picker.value = (QUIZ, second)
    assert "A ✓" in dashboard.distribution.value and "50 %" in dashboard.distribution.value

    store.record("cleo", QUIZ, second, "C", False)
    assert "cleo" not in dashboard.progress.value
    dashboard.refresh_button.click()
    assert "cleo" in dashboard.progress.value and "3 participant(s)" in dashboard.status.value
    assert dashboard.item_picker.value == (QUIZ, second), "a refresh keeps the chosen item"
    assert "33 %" in dashboard.distribution.value


def test_all_quizzes_list_items_as_answered_and_keep_the_chosen_one(store: AnswerStore) -> None:
    first, second = item_ids()[:2]
    store.record("ana", QUIZ, second, "B", False)
    dashboard = workshop_dashboard(None, refresh_s=None)  # no task left on a loop the process may run
    assert [value for _, value in dashboard.item_picker.options] == [(QUIZ, second)]
    assert dashboard.item_picker.value == (QUIZ, second), "the first item is shown at once"
    assert "B" in dashboard.distribution.value
    store.record("ana", QUIZ, first, "A", True)
    store.record("ben", "cidp", "x1", "A", True)
    dashboard.refresh()
    assert len(dashboard.item_picker.options) == 3 and "cidp / x1" in dashboard.items.value
    dashboard.item_picker.value = ("cidp", "x1")
    store.record("ben", "cidp", "x2", "B", False)
    dashboard.refresh()
    assert len(dashboard.item_picker.options) == 4
    assert dashboard.item_picker.value == ("cidp", "x1"), "new items must not move the instructor's choice"


def test_an_unreadable_store_is_shown_not_raised(store: AnswerStore) -> None:
    store.path.write_text("this is not a database")
    dashboard = WorkshopDashboard(store, QUIZ, refresh_s=None)
    assert "Cannot read the store" in dashboard.status.value


def test_it_refreshes_itself_in_a_running_loop_and_stops_when_closed(store: AnswerStore) -> None:
    async def scenario() -> None:
        dashboard = workshop_dashboard(QUIZ, refresh_s=0.05)
        assert dashboard._task is not None and "every 0.05 s" in dashboard.status.value
        store.record("late", QUIZ, item_ids()[0], "A", True)
        for _ in range(100):  # poll: on a loaded machine a refresh in a worker thread may take a while
            await asyncio.sleep(0.05)
            if "late" in dashboard.progress.value:
                break
        assert "late" in dashboard.progress.value, "the periodic refresh picked the new answer up"
        dashboard.close()
        await asyncio.sleep(0.1)
        assert dashboard._task.done()

    run_in_fresh_loop(scenario())


def test_no_refresh_loop_under_nbgrader(store: AnswerStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")

    async def scenario() -> WorkshopDashboard:
        return workshop_dashboard(QUIZ, refresh_s=0.05)

    assert run_in_fresh_loop(scenario())._task is None


def test_a_new_dashboard_of_the_same_store_closes_the_earlier_one(store: AnswerStore, tmp_path: Path) -> None:
    """Re-running the dashboard cell must not leave the earlier refresh loop running for ever."""

    async def scenario() -> None:
        first = workshop_dashboard(QUIZ, refresh_s=0.05)
        other = WorkshopDashboard(AnswerStore(tmp_path / "other.sqlite"), QUIZ, refresh_s=0.05)
        second = workshop_dashboard(None, refresh_s=0.05)
        await asyncio.sleep(0.1)
        assert first._task is not None and first._task.done() and first.comm is None
        assert second._task is not None and not second._task.done(), "the new one refreshes"
        assert other._task is not None and not other._task.done(), "another store's dashboard stays"
        second.close()
        other.close()
        await asyncio.sleep(0.1)
        assert second._task.done() and other._task.done()

    run_in_fresh_loop(scenario())


def test_the_dashboard_waits_briefly_and_refreshes_off_the_kernel_loop(
    store: AnswerStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kernel loop must not block on the store: short lock wait, periodic reads in a worker thread."""
    readers: list[threading.Thread] = []
    original = AnswerStore.attempts

    def spying(self: AnswerStore, quiz_id: str | None = None):  # type: ignore[no-untyped-def]
        readers.append(threading.current_thread())
        return original(self, quiz_id)

    async def scenario() -> None:
        dashboard = workshop_dashboard(QUIZ, refresh_s=0.05)
        assert dashboard.store.busy_timeout_s == DASHBOARD_WAIT_S < BUSY_TIMEOUT_S
        loop_thread = threading.current_thread()
        readers.clear()
        store.record("late", QUIZ, item_ids()[0], "A", True)
        for _ in range(100):  # poll: on a loaded machine a refresh in a worker thread may take a while
            await asyncio.sleep(0.05)
            if "late" in dashboard.progress.value:
                break
        dashboard.close()
        assert "late" in dashboard.progress.value, "the periodic refresh still draws what it read"
        assert readers and loop_thread not in readers, "the periodic refresh read the store on the loop"

    monkeypatch.setattr(AnswerStore, "attempts", spying)
    run_in_fresh_loop(scenario())
