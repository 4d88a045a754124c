"""Shared fixtures: the built book, a local server of it, a headless Debian chromium that records problems.

Book and browser fixtures are session-scoped and expensive: use them only from tests marked
``@pytest.mark.slow`` (browser tests also ``@pytest.mark.browser``). Typical browser test::

    @pytest.mark.slow
    @pytest.mark.browser
    def test_my_page(page, visit):
        visit("book/my-page.html")
        page.wait_for_selector(".widget-tab")
        assert page.problems == []   # also asserted at teardown

Environment variables:

- ``NMD_BOOK_HTML``: use an already built book folder and skip the build (quick iteration on a browser test;
  the build's "no warnings" check is then skipped too).
"""

from __future__ import annotations

import fcntl
import functools
import http.server
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from buildtools import REPO_ROOT, BookBuild, build_book

from nmd_immuno.paths import data_dir

BUILD_DIR = REPO_ROOT / "_build"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",  # Debian chromium refuses to run as root without it
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})
BUILD_TIMEOUT_S = float(os.environ.get("NMD_BOOK_BUILD_TIMEOUT", "1800"))
#: Fixtures that read the one built book in ``_build/html`` (directly or through another fixture).
BOOK_FIXTURES = frozenset({"book_build", "book_html", "book_url"})


# The tests that run a real JupyterHub with real Unix users (named nmdt-...; a hub's teardown stops every
# process of those users): one worker runs them one after the other, so no hub stops another's servers.
HUB_MODULES = frozenset(
    f"tests/{name}.py" for name in ("test_workshop_hub", "test_workshop_nbgrader_hub", "test_workshop_culler")
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Group the tests for pytest-xdist's ``--dist loadgroup``: those that read the built book together, the
    others by module.

    Why: the suite runs on two workers (`make test`), and the book lives in one folder. In one group the book
    is built once, by one worker, and no rebuild rewrites a page while another worker's browser reads it.
    The hub tests form one group too (HUB_MODULES). The rest by module, because several modules share an
    expensive module-scoped fixture (a whole nbgrader course graded once) that would otherwise be set up
    again on each worker.
    """
    for item in items:
        module = item.nodeid.split("::", 1)[0]
        if BOOK_FIXTURES & set(getattr(item, "fixturenames", ())):
            group = "book"
        elif module in HUB_MODULES:
            group = "hub"
        else:
            group = module
        item.add_marker(pytest.mark.xdist_group(group))


@pytest.fixture
def data_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A full copy of ``data/`` (``tmp_path / "data"``) that the package reads through ``NMD_IMMUNO_DATA``.

    For schema tests that break one file and expect the loader to name it: edit the copy, never ``data/``.
    Loaders cache on the file's path and modification time, so the copy is read afresh.
    """
    target = tmp_path / "data"
    shutil.copytree(data_dir(), target)
    monkeypatch.setenv("NMD_IMMUNO_DATA", str(target))
    return target


@pytest.fixture(scope="session")
def book_build() -> BookBuild | None:
    """The build of the real book, once per session (``None`` when ``NMD_BOOK_HTML`` points at a built book).

    Builds with the `make build` command into the repository's ``_build/html`` so the execution cache is
    shared with `make build` (a second run with nothing changed takes seconds). A file lock serialises the
    build across pytest-xdist workers. Fails the session's book tests if the build fails or prints any
    Sphinx warning.
    """
    if os.environ.get("NMD_BOOK_HTML"):
        return None
    BUILD_DIR.mkdir(exist_ok=True)
    with open(BUILD_DIR / ".book-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            result = build_book(timeout=BUILD_TIMEOUT_S)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    tail = "\n".join(result.output.splitlines()[-60:])
    assert result.returncode == 0, f"book build failed: {' '.join(result.command)}\n{tail}"
    assert result.warnings() == [], "book build printed warnings:\n" + "\n".join(result.warnings())
    return result


@pytest.fixture(scope="session")
def book_html(book_build: BookBuild | None) -> Path:
    """Path of the built book's HTML folder (``_build/html``), built once per session by ``book_build``.

    The build asserts no warnings. With ``NMD_BOOK_HTML`` set, that folder is used as is.
    """
    html = Path(os.environ["NMD_BOOK_HTML"]) if book_build is None else BUILD_DIR / "html"
    assert (html / "index.html").is_file(), f"no built book in {html}"
    return html


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Static file handler without per-request logging on stderr."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def book_url(book_html: Path) -> Iterator[str]:
    """Base URL (``http://127.0.0.1:<free port>/``, trailing slash) of a threaded HTTP server of the built
    book.

    Serves exactly the files of ``book_html`` (as `make serve` does), on 127.0.0.1 only; stopped after the
    session.
    """
    handler = functools.partial(_QuietHandler, directory=str(book_html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="book-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless Debian chromium (``/usr/bin/chromium``) driven by Playwright; no browser is ever downloaded.

    Launched with --no-sandbox (needed as root), --disable-gpu, --disable-quic, --no-first-run and with
    background networking, component updates and sync disabled, so the browser itself makes no requests.
    Playwright gives each launch a fresh temporary user-data dir, and every ``page`` gets a fresh context
    (empty storage). Skips the test when chromium or Playwright is missing (`make system-deps` installs
    chromium).
    """
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"{CHROMIUM} not installed (make system-deps)")
    with sync_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in {"data", "blob", "about"}:
        return True
    return parts.hostname in LOCAL_HOSTS


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A new page (in a fresh browser context) that records every problem into ``page.problems`` (a list of
    str).

    Recorded: console messages of type error, uncaught page errors, failed requests, responses with HTTP
    status >= 400, and any request to a host other than 127.0.0.1/localhost (aborted, so a page that needs
    the internet fails here as it would offline). Inspect ``page.problems`` in the test; clear it
    (``page.problems.clear()``) only after asserting on what you expected. Teardown asserts the list is
    empty: nothing else may be pending.
    """
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    tab = context.new_page()
    problems: list[str] = []
    tab.problems = problems

    def _route(route: Any) -> None:
        url = route.request.url
        if _is_local(url):
            route.continue_()
        else:
            problems.append(f"external request blocked: {route.request.method} {url}")
            route.abort("blockedbyclient")

    def _console(message: Any) -> None:
        if message.type == "error":
            location = message.location or {}
            problems.append(
                f"console error: {message.text} ({location.get('url', '')}:{location.get('lineNumber', '')})"
            )

    def _request_failed(request: Any) -> None:
        if _is_local(request.url):  # external ones are already recorded by the route
            problems.append(f"request failed: {request.method} {request.url} ({request.failure})")

    def _response(response: Any) -> None:
        if response.status >= 400:
            problems.append(f"HTTP {response.status}: {response.url}")

    context.route("**/*", _route)
    tab.on("console", _console)
    tab.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    tab.on("requestfailed", _request_failed)
    tab.on("response", _response)
    try:
        yield tab
        # Let late asynchronous loads (fonts, lazily loaded MathJax parts) report before the final check.
        if not tab.is_closed():
            tab.wait_for_load_state("networkidle")
        assert problems == [], "browser problems:\n" + "\n".join(problems)
    finally:
        context.close()


@pytest.fixture
def visit(page: Any, book_url: str) -> Callable[[str], Any]:
    """``visit("book/intro.html")`` opens a page of the served book, waits until the network is idle and
    returns the HTTP response (asserted to be 200)."""

    def _visit(path: str) -> Any:
        response = page.goto(urljoin(book_url, path), wait_until="load")
        assert response is not None and response.status == 200, f"{path}: {response and response.status}"
        page.wait_for_load_state("networkidle")
        return response

    return _visit
