"""The instructor's live dashboard: participants, % correct per item, and the answers given to one item.

Layout and wiring only: every number comes from :mod:`nmd_immuno.workshop.summary`. The bars are plain HTML
(no matplotlib figure to redraw every few seconds).

It refreshes itself every ``refresh_s`` seconds with an asyncio task on the kernel's own event loop, which
runs between cells, so the notebook stays usable. No task is started where nobody is watching and a loop
would only get in the way: outside a running event loop (plain Python, a test) and under nbgrader
(``NBGRADER_EXECUTION``), where a cell must finish. The Refresh button works everywhere.

In a workshop it reads the hub's answers service with the instructor's own token (the service answers
instructors only); a test or a script can hand it an :class:`AnswerStore` instead: both give ``attempts()``.

Two things keep the kernel responsive. The periodic refresh reads in a worker thread (``run_in_executor``)
and only assigns the widgets' values on the loop; and the dashboard waits at most :data:`DASHBOARD_WAIT_S`
for the service (the Refresh button reads on the loop).
Re-running the dashboard cell clears its output but not its widget (ipywidgets keeps it), so building a
dashboard closes the earlier one of the same store: one refresh loop per store and kernel, never a pile-up.
"""

from __future__ import annotations

import asyncio
import html
import os
from dataclasses import dataclass
from datetime import UTC, datetime

import ipywidgets as widgets
import pandas as pd

from nmd_immuno.quiz.loader import load_quiz
from nmd_immuno.workshop.client import SERVICE_VAR, AnswersService
from nmd_immuno.workshop.store import AnswerStore, WorkshopInputError
from nmd_immuno.workshop.summary import WHICH, answer_distribution, cohort_summary, participants_progress

DASHBOARD_WAIT_S = 5.0  # longest wait for the service (or a sqlite store's lock)
BAR_OK = "#2f855a"
BAR_OTHER = "#a0aec0"


def _bar(pct: float, colour: str = BAR_OK) -> str:
    width = 0.0 if pd.isna(pct) else max(0.0, min(100.0, float(pct)))
    label = "–" if pd.isna(pct) else f"{pct:.0f} %"
    return (
        '<div style="display:flex;align-items:center;gap:0.4em">'
        f'<div style="width:12em;background:#edf2f7;height:0.9em"><div style="width:{width:.1f}%;'
        f'background:{colour};height:100%"></div></div><span>{label}</span></div>'
    )


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f'<th style="text-align:left;padding:0 0.8em 0 0">{html.escape(h)}</th>' for h in header)
    body = "".join(
        "<tr>" + "".join(f'<td style="padding:0 0.8em 0 0">{cell}</td>' for cell in row) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def progress_html(progress: pd.DataFrame) -> str:
    if progress.empty:
        return "<p>No answers yet.</p>"
    rows = [
        [
            html.escape(str(row.user)),
            str(row.items_answered),
            str(row.items_correct),
            str(row.correct_first_try),
            str(row.attempts),
            row.last_answer_at.strftime("%H:%M:%S"),
        ]
        for row in progress.itertuples()
    ]
    header = ["participant", "items answered", "correct now", "right first time", "attempts", "last (UTC)"]
    return _table(header, rows)


def items_html(summary: pd.DataFrame, several_quizzes: bool) -> str:
    if summary.empty:
        return "<p>No items answered yet.</p>"
    rows = [
        [
            html.escape(f"{row.quiz_id} / {row.item_id}" if several_quizzes else str(row.item_id)),
            str(row.participants),
            _bar(row.first_correct_pct),
            _bar(row.latest_correct_pct),
        ]
        for row in summary.itertuples()
    ]
    return _table(["item", "answered", "correct at first attempt", "correct now"], rows)


def distribution_html(distribution: pd.DataFrame) -> str:
    if distribution.empty:
        return "<p>Nobody has answered this item yet.</p>"
    rows = [
        [
            html.escape(str(row.answer)) + (" ✓" if row.correct else ""),
            str(row.participants),
            _bar(row.share_pct, BAR_OK if row.correct else BAR_OTHER),
        ]
        for row in distribution.itertuples()
    ]
    return _table(["answer", "participants", "share"], rows)


def _auto_refresh_loop() -> asyncio.AbstractEventLoop | None:
    """The running kernel loop to refresh on, or None where a periodic task must not run."""
    if os.environ.get("NBGRADER_EXECUTION"):
        return None
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


@dataclass(frozen=True)
class _Reading:
    """One read of the store: what :meth:`WorkshopDashboard._draw` shows; ``distribution`` is that of
    ``chosen`` seen as ``which`` (None when no item is chosen)."""

    summary: pd.DataFrame
    progress: pd.DataFrame
    chosen: tuple[str, str] | None
    which: str
    distribution: pd.DataFrame | None


# The live dashboard of each source (service URL or store) in this kernel: a new one closes the one before.
_LIVE: dict[str, WorkshopDashboard] = {}


def _store_key(store: AnswerStore | AnswersService) -> str:
    return store.key


class WorkshopDashboard(widgets.VBox):
    """Status line and Refresh button, the participants' progress, bars per item, one item's answers."""

    _task: asyncio.Task[None] | None = None  # the periodic refresh, when one runs

    def __init__(
        self, store: AnswerStore | AnswersService, quiz_id: str | None = None, refresh_s: float | None = 5
    ) -> None:
        if refresh_s is not None and (
            isinstance(refresh_s, bool) or not isinstance(refresh_s, int | float) or not refresh_s > 0
        ):
            raise WorkshopInputError(
                f"refresh_s: got {refresh_s!r}; expected seconds > 0, or None for no refresh"
            )
        self.store, self.quiz_id, self.refresh_s = store, quiz_id, refresh_s
        self.item_order = [item.id for _, item in load_quiz(quiz_id).items()] if quiz_id else None
        self._drawing = False  # while a reading is drawn, choosing its item must not read the store again
        self.status = widgets.HTML()
        self.refresh_button = widgets.Button(description="Refresh", icon="refresh")
        self.refresh_button.on_click(lambda _: self.refresh())
        self.progress = widgets.HTML()
        self.items = widgets.HTML()
        self.item_picker = widgets.Dropdown(description="Item:", options=[])
        self.which = widgets.ToggleButtons(
            options=list(reversed(WHICH)), value="latest", description="Answers:"
        )
        self.distribution = widgets.HTML()
        self.item_picker.observe(lambda _: self._show_distribution(), names="value")
        self.which.observe(lambda _: self._show_distribution(), names="value")
        title = f"Workshop dashboard: {quiz_id}" if quiz_id else "Workshop dashboard: all quizzes"
        super().__init__(
            [
                widgets.HTML(f"<h3>{html.escape(title)}</h3>"),
                widgets.HBox([self.refresh_button, self.status]),
                widgets.HTML("<h4>Participants</h4>"),
                self.progress,
                widgets.HTML("<h4>Items</h4>"),
                self.items,
                widgets.HTML("<h4>Answers to one item</h4>"),
                widgets.HBox([self.item_picker, self.which]),
                self.distribution,
            ]
        )
        earlier = _LIVE.get(_store_key(store))
        if earlier is not None:
            earlier.close()  # its cell was re-run: its output is gone, its refresh loop must go too
        _LIVE[_store_key(store)] = self
        loop = None if refresh_s is None else _auto_refresh_loop()
        if loop is not None:
            self._task = loop.create_task(self._refresh_forever())  # first runs at the next await
        self.refresh()

    def refresh(self) -> None:
        """Read the store again and redraw everything; a store that cannot be read is shown, not raised."""
        try:
            reading = self._read()
        except Exception as error:  # the dashboard must survive a locked or missing file and try again
            self._show_error(error)
            return
        self._draw(reading)

    def _read(self) -> _Reading:
        """Everything to draw, read from the store; no widget is changed (safe in a worker thread)."""
        summary = cohort_summary(self.store, self.quiz_id, self.item_order)
        progress = participants_progress(self.store, self.quiz_id)
        values = list(zip(summary["quiz_id"], summary["item_id"], strict=True))
        chosen = self.item_picker.value if self.item_picker.value in values else None
        chosen = chosen or (values[0] if values else None)
        which = self.which.value
        distribution = answer_distribution(self.store, *chosen, which) if chosen else None
        return _Reading(summary, progress, chosen, which, distribution)

    def _draw(self, reading: _Reading) -> None:
        """Show a reading: on the kernel's loop only, where widget values may be assigned."""
        summary, progress = reading.summary, reading.progress
        self.progress.value = progress_html(progress)
        self.items.value = items_html(summary, several_quizzes=self.quiz_id is None)
        options = [
            (f"{row.quiz_id} / {row.item_id}", (row.quiz_id, row.item_id)) for row in summary.itertuples()
        ]
        values = [value for _, value in options]
        chosen = self.item_picker.value
        self._drawing = True
        try:
            if values != [value for _, value in self.item_picker.options]:
                self.item_picker.options = options  # new options clear the choice: keep the instructor's
                self.item_picker.value = chosen if chosen in values else (values[0] if values else None)
        finally:
            self._drawing = False
        if (self.item_picker.value, self.which.value) == (reading.chosen, reading.which):
            shown = reading.distribution
            self.distribution.value = "" if shown is None else distribution_html(shown)
        else:  # the instructor chose another item while the store was read
            self._show_distribution()
        now = datetime.now(UTC).strftime("%H:%M:%S")
        every = f", every {self.refresh_s:g} s" if self._auto_refreshing else ""
        self.status.value = (
            f"{len(progress)} participant(s), {int(progress['attempts'].sum())} answer(s); "
            f"updated {now} UTC{every}"
        )

    def _show_error(self, error: Exception) -> None:
        self.status.value = (
            f'<span style="color:#c53030">{html.escape(f"Cannot read the store: {error}")}</span>'
        )

    @property
    def _auto_refreshing(self) -> bool:
        return self._task is not None and not self._task.done()

    def _show_distribution(self) -> None:
        if self._drawing:
            return
        if self.item_picker.value is None:
            self.distribution.value = ""
            return
        quiz_id, item_id = self.item_picker.value
        try:
            table = answer_distribution(self.store, quiz_id, item_id, self.which.value)
        except Exception as error:
            self.distribution.value = html.escape(f"Cannot read the store: {error}")
            return
        self.distribution.value = distribution_html(table)

    async def _refresh_forever(self) -> None:
        """Every ``refresh_s``: read the store in a worker thread, then draw here, on the kernel's loop."""
        assert self.refresh_s is not None
        loop = asyncio.get_running_loop()
        while self.comm is not None:  # closing the widget ends the loop
            await asyncio.sleep(self.refresh_s)
            if self.comm is None:
                break
            try:
                reading = await loop.run_in_executor(None, self._read)
            except Exception as error:
                self._show_error(error)
                continue
            if self.comm is not None:
                self._draw(reading)

    def close(self) -> None:
        """Stop the periodic refresh with the widget."""
        if self._task is not None:
            self._task.cancel()
        store = getattr(self, "store", None)  # ipywidgets also closes a widget whose __init__ raised
        if store is not None and _LIVE.get(_store_key(store)) is self:
            del _LIVE[_store_key(store)]
        super().close()


def workshop_dashboard(quiz_id: str | None = None, refresh_s: float | None = 5) -> WorkshopDashboard:
    """The dashboard of the hub's answers service (one quiz, or all when ``quiz_id`` is None)."""
    service = AnswersService.from_env(timeout_s=DASHBOARD_WAIT_S)
    if service is None:
        raise WorkshopInputError(
            f"{SERVICE_VAR} or JUPYTERHUB_API_TOKEN is not set: no workshop to show. The course's hub sets "
            "both in every user's server; the dashboard works for instructors on that hub"
        )
    return WorkshopDashboard(service, quiz_id, refresh_s)
