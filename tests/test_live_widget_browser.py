"""The live explorer in a real browser: Voila serves the MG chapter with a kernel, Playwright drives it.

Proves the whole live chain (kernel, ipywidgets front end, engine, flowchart) works offline in the page a
resident opens: choosing MuSK in the chapter's algorithm explorer must change the offered therapies on screen.
The chapter (``book/myasthenia-gravis.md``, the MyST format its jupytext front matter declares) is converted
with jupytext into a notebook in a temporary folder, and Voila runs all of its cells. The lab notebook
(``notebooks/myasthenia-gravis-simulator.ipynb``, the explorer alone) is driven the same way; it costs a few
seconds. Voila is started on 127.0.0.1 on a free port by the fixture and stopped afterwards; the ``page``
fixture (tests/conftest.py) fails the test on any console error, failed request or request leaving the
machine.

The chapter also shows static recommendations (AChR and MuSK) and a static flowchart above the explorer, with
the same CSS classes as the live widget; every query is therefore scoped to the explorer, and its fields are
found by their visible labels.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from server_helpers import free_port, stop_group, wait_until_listening

REPO = Path(__file__).resolve().parents[1]
CHAPTER = REPO / "book" / "myasthenia-gravis.md"
LAB_NOTEBOOK = REPO / "notebooks" / "myasthenia-gravis-simulator.ipynb"
VOILA = Path(sys.executable).with_name("voila")
START_TIMEOUT_S = 90
FOREIGN_EXTENSIONS = ["@jupyter/nbgrader", "@jupyter-notebook/lab-extension", "jupyterlab-jupytext"]
# Voila's lab template links exactly these two Font Awesome stylesheets from a CDN although Voila's own
# bundle already contains Font Awesome (the icons work offline). The test answers these two URLs, and only
# them, with an empty stylesheet; any other request leaving the machine is still blocked and fails the test
# through the ``page`` fixture (so does a changed URL in a newer Voila: update the set then).
FONT_AWESOME_CDN = frozenset(
    f"https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@^5/css/{name}"
    for name in ("all.min.css", "v4-shims.min.css")
)
RENDER_TIMEOUT_MS = 180_000  # the kernel starts and runs every cell before the widgets appear; CPU is shared
CHANGE_TIMEOUT_MS = 60_000
EXPLORER = ".nmd-algorithm-explorer"
CELL_ERROR = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def _chapter_notebook(folder: Path) -> Path:
    """The chapter as ``folder/myasthenia-gravis.ipynb``, converted by jupytext as the book build reads it.

    The chapter's cells need only the ``nmd_immuno`` package (the fixture puts ``src/`` on the kernel's path)
    and find ``data/`` through the package, not through the working directory, so running them in a
    temporary folder is faithful. Refuses a chapter without code cells or without the explorer, so a renamed
    call fails here with a clear message instead of timing out in the browser.
    """
    jupytext = pytest.importorskip("jupytext")
    notebook = jupytext.read(CHAPTER)
    sources = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    assert any("explorer_tool(" in source for source in sources), (
        f"{CHAPTER.relative_to(REPO)}: no code cell calls explorer_tool(...)"
    )
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "myasthenia-gravis.ipynb"
    jupytext.write(notebook, target)
    return target


@contextlib.contextmanager
def _voila(notebook: Path, workdir: Path) -> Iterator[str]:
    """Serve ``notebook`` with Voila on a free 127.0.0.1 port; yield its URL; stop Voila and its kernel."""
    port = free_port()
    log_path = workdir / "voila.log"
    log = log_path.open("w")
    python_path = os.pathsep.join(filter(None, [str(REPO / "src"), os.environ.get("PYTHONPATH")]))
    env = {
        **os.environ,
        "JUPYTER_RUNTIME_DIR": str(workdir / "runtime"),
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": python_path,
    }
    env.pop("NMD_IMMUNO_DATA", None)  # the real data/, as in the book
    process = subprocess.Popen(
        [
            str(VOILA),
            "--no-browser",
            f"--port={port}",
            "--Voila.ip=127.0.0.1",
            # JupyterLab extensions of this environment that cannot load inside Voila (nbgrader, jupytext,
            # notebook) and log console errors that have nothing to do with the course.
            f"--VoilaConfiguration.extension_denylist={FOREIGN_EXTENSIONS!r}",
            "--VoilaConfiguration.show_tracebacks=True",  # a failing cell shows why, in the page
            notebook.name,
        ],
        cwd=notebook.parent,  # Voila's root; the kernel runs in the notebook's folder
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        start_new_session=True,  # its own process group: the kernel it spawns is stopped with it
    )
    try:
        try:
            wait_until_listening(process, port, START_TIMEOUT_S)
        except AssertionError as error:
            log.flush()
            pytest.fail(f"voila did not start ({error}):\n" + log_path.read_text()[-3000:])
        yield f"http://127.0.0.1:{port}/"
    finally:
        stop_group(process)
        log.close()


@pytest.fixture(params=["chapter", "lab"])
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """``(which, url)``: a Voila server of the MG chapter or of the lab notebook, stopped after the test."""
    if not VOILA.exists():
        pytest.skip("voila is not installed in this environment")
    notebook = _chapter_notebook(tmp_path / "chapter") if request.param == "chapter" else LAB_NOTEBOOK
    with _voila(notebook, tmp_path) as url:
        yield request.param, url


def _stub_font_awesome(page: Any) -> None:
    """Answer the template's two CDN stylesheets, and nothing else, with an empty stylesheet."""
    # The browser sends the "^" of the version range percent-encoded.
    page.route(
        lambda url: unquote(url) in FONT_AWESOME_CDN,
        lambda route: route.fulfill(status=200, content_type="text/css", body=""),
    )


def _field(explorer: Any, label: str) -> Any:
    """The explorer's control whose visible description is exactly ``label`` (one and only one)."""
    control = explorer.get_by_label(label, exact=True)
    assert control.count() == 1, (
        f"expected one control labelled {label!r} in the explorer, found {control.count()}"
    )
    return control


def _therapies(explorer: Any, kind: str) -> set[str]:
    """Therapy ids the explorer lists as offered (``kind="therapies"``) or to avoid (``kind="avoid"``)."""
    items = explorer.locator(f".nmd-result .nmd-{kind} li")
    return set(items.evaluate_all("items => items.map(i => i.dataset.therapy)"))


def _wait(explorer: Any, selector: str) -> None:
    explorer.locator(selector).first.wait_for(timeout=CHANGE_TIMEOUT_MS)


def test_choosing_musk_changes_the_offered_therapies(page: Any, served: tuple[str, str]) -> None:
    which, url = served
    _stub_font_awesome(page)
    page.goto(url, wait_until="load", timeout=RENDER_TIMEOUT_MS)
    explorer = page.locator(EXPLORER)
    # Voila stops at a failing cell and shows its traceback instead of the cells after it: fail with that
    # traceback at once rather than after the render timeout.
    failed_cell = page.locator(CELL_ERROR).filter(has_text="Traceback")
    explorer.or_(failed_cell).first.wait_for(timeout=RENDER_TIMEOUT_MS)
    if failed_cell.count():
        pytest.fail(f"a cell of the {which} failed in Voila:\n" + failed_cell.first.inner_text()[-3000:])
    assert explorer.count() == 1, "exactly one algorithm explorer on the page"
    antibody = _field(explorer, "Antibody")
    _wait(explorer, ".nmd-result .nmd-therapies li")
    if which == "chapter":
        # It is the chapter that is served: its title and the static examples above the explorer are there.
        assert page.get_by_role("heading", name="Myasthenia gravis", exact=True).count() == 1
        assert page.locator(".nmd-rec").count() > explorer.locator(".nmd-rec").count()

    _field(explorer, "Preset").select_option(
        label="Quiz: refractory AChR+ MG, 47 years, IVIG every 4-6 weeks"
    )
    _wait(explorer, '.nmd-result .nmd-therapies li[data-therapy="eculizumab"]')
    achr = _therapies(explorer, "therapies")
    assert {"eculizumab", "efgartigimod"} <= achr and "rituximab" not in achr
    _wait(explorer, '.nmd-chart g[id="node-refractory_achr"].nmd-on-path')

    antibody.select_option(label="MuSK antibody positive")
    _wait(explorer, '.nmd-result .nmd-therapies li[data-therapy="rituximab"]')
    musk = _therapies(explorer, "therapies")
    assert musk != achr and "rituximab" in musk
    assert not musk & {"eculizumab", "ravulizumab", "zilucoplan", "thymectomy"}
    assert {"eculizumab", "thymectomy"} <= _therapies(explorer, "avoid")
    # The highlighted path in the flowchart followed the change (the chart arrives just after the list).
    _wait(explorer, '.nmd-chart g[id="node-refractory_musk"].nmd-on-path')
    assert explorer.locator('.nmd-chart g[id="node-refractory_achr"].nmd-on-path').count() == 0

    # An impossible combination shows the engine's message in the widget, not a traceback.
    _field(explorer, "Sex").select_option(label="male")
    _field(explorer, "Pregnant").check()
    _wait(explorer, ".nmd-message.nmd-error")
    message = explorer.locator(".nmd-message.nmd-error").inner_text()
    # Voila renders the page only after every cell ran, so a traceback from any cell would be in it by now.
    assert "invalid combination" in message and "Traceback" not in page.content()
