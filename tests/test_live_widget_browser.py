"""The live explorer in a real browser: Voila serves the lab notebook with a kernel, Playwright drives it.

Proves the whole live chain (kernel, ipywidgets front end, engine, flowchart) works offline: choosing MuSK
in the antibody dropdown must change the offered therapies on screen. Voila is started on 127.0.0.1 on a free
port by the fixture and stopped afterwards; the ``page`` fixture (tests/conftest.py) fails the test on any
console error, failed request or request leaving the machine.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = "notebooks/myasthenia-gravis-simulator.ipynb"
VOILA = Path(sys.executable).with_name("voila")
START_TIMEOUT_S = 90
FOREIGN_EXTENSIONS = ["@jupyter/nbgrader", "@jupyter-notebook/lab-extension", "jupyterlab-jupytext"]
# Voila's lab template links Font Awesome from a CDN although Voila's own bundle already contains it (the
# icons work offline). The test answers exactly those two stylesheet requests with an empty stylesheet; any
# other request leaving the machine is still blocked and fails the test through the ``page`` fixture.
FONT_AWESOME_CDN = "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@*/css/*.css"
RENDER_TIMEOUT_MS = (
    180_000  # the kernel starts and runs the notebook before the widgets appear; CPU is shared
)

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def voila_url(tmp_path: Path) -> Iterator[str]:
    """URL of a Voila server of the MG lab notebook, started for this test and stopped after it."""
    if not VOILA.exists():
        pytest.skip("voila is not installed in this environment")
    port = _free_port()
    log = (tmp_path / "voila.log").open("w")
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [
            str(VOILA),
            "--no-browser",
            f"--port={port}",
            "--Voila.ip=127.0.0.1",
            # JupyterLab extensions of this environment that cannot load inside Voila (nbgrader, jupytext,
            # notebook) and log console errors that have nothing to do with the course.
            f"--VoilaConfiguration.extension_denylist={FOREIGN_EXTENSIONS!r}",
            NOTEBOOK,
        ],
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        start_new_session=True,  # its own process group: the kernel it spawns is stopped with it
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _listening(port):
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail("voila did not start:\n" + (tmp_path / "voila.log").read_text()[-3000:])
            time.sleep(0.3)
        yield f"http://127.0.0.1:{port}/"
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        log.close()


def _offered(page: Any) -> set[str]:
    return set(page.eval_on_selector_all(".nmd-therapies li", "items => items.map(i => i.dataset.therapy)"))


def test_choosing_musk_changes_the_offered_therapies(page: Any, voila_url: str) -> None:
    page.route(FONT_AWESOME_CDN, lambda route: route.fulfill(status=200, content_type="text/css", body=""))
    page.goto(voila_url, wait_until="load", timeout=RENDER_TIMEOUT_MS)
    page.wait_for_selector(".nmd-field-antibody select", timeout=RENDER_TIMEOUT_MS)
    page.wait_for_selector(".nmd-therapies li", timeout=RENDER_TIMEOUT_MS)

    page.select_option(".nmd-preset select", label="Refractory AChR+ MG after two agents, 55 years")
    page.wait_for_selector('.nmd-therapies li[data-therapy="eculizumab"]', timeout=60_000)
    achr = _offered(page)
    assert {"eculizumab", "efgartigimod"} <= achr and "rituximab" not in achr
    page.wait_for_selector('.nmd-chart g[id="node-refractory_achr"].nmd-on-path', timeout=60_000)

    page.select_option(".nmd-field-antibody select", label="MuSK antibody positive")
    page.wait_for_selector('.nmd-therapies li[data-therapy="rituximab"]', timeout=60_000)
    musk = _offered(page)
    assert "rituximab" in musk
    assert not musk & {"eculizumab", "ravulizumab", "zilucoplan", "thymectomy"}
    avoided = set(page.eval_on_selector_all(".nmd-avoid li", "items => items.map(i => i.dataset.therapy)"))
    assert {"eculizumab", "thymectomy"} <= avoided
    # The highlighted path in the flowchart followed the change (the chart arrives just after the list).
    page.wait_for_selector('.nmd-chart g[id="node-refractory_musk"].nmd-on-path', timeout=60_000)
    assert page.locator('.nmd-chart g[id="node-refractory_achr"].nmd-on-path').count() == 0

    # An impossible combination shows the engine's message in the widget, not a traceback.
    page.select_option(".nmd-field-sex select", label="male")
    page.check(".nmd-field-pregnant input[type=checkbox]")
    page.wait_for_selector(".nmd-message.nmd-error", timeout=60_000)
    message = page.inner_text(".nmd-message.nmd-error")
    assert "invalid combination" in message and "Traceback" not in page.content()
