"""Key each page's execution by the course files it actually read (data/, src/), and the whole cache by the
lock file and the list of input files.

jupyter-cache decides whether a page must be re-executed from the page's own code cells only. A chapter whose
code is ``dose_calculators()`` looks unchanged when a dose limit in ``data/`` or a calculator in ``src/``
changes, so a cached page would silently show stale numbers. Two levels fix that without re-executing every
chapter for every edit:

- **Per page.** Every executed page gets two hidden cells (:func:`inject_recording_cells`): the first starts
  :mod:`nmd_immuno.execution_inputs` recording the files under the input folders that the kernel opens (data
  files, and the package modules it imports), the last writes them to a manifest. The first cell also holds a
  marker, so it keys jupyter-cache. On the next build the marker stays as it was while the page's recorded
  files are unchanged, and changes (the page is re-read and re-executed) as soon as one of them changes.
  A page without a manifest gets a marker from every input file, as before.
- **Whole cache.** The cache folder is ``<cache>/inputs-<digest>`` over the content of the file inputs
  (``requirements.lock``) and the names of every file in the folder inputs: a new environment, or a file
  added, removed or renamed (which a page that lists a folder could notice without opening the file), selects
  a fresh cache and re-reads every page. Stale sibling folders are pruned.

Why not stale: a page's execution is determined by its code (jupyter-cache's key) and the files it reads; the
manifest is those files, as read by the execution that produced the cached outputs.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

from nmd_immuno import execution_inputs

logger = logging.getLogger(__name__)

PREFIX = "inputs-"
DEFAULT_INPUTS = ("data", "src", "requirements.lock")
# Names that never influence what a notebook computes (bytecode, build metadata, editor litter).
IGNORED_NAMES = frozenset({"__pycache__", ".ipynb_checkpoints", ".DS_Store", ".pytest_cache", ".ruff_cache"})
IGNORED_SUFFIXES = (".pyc", ".pyo", ".egg-info")


def _files(root: Path) -> Iterator[Path]:
    """Every file under ``root`` (or ``root`` itself) that can change an executed page, in a stable order."""
    if root.is_file():
        yield root
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(
            d for d in dirnames if d not in IGNORED_NAMES and not d.endswith(IGNORED_SUFFIXES)
        )
        for name in sorted(filenames):
            if name not in IGNORED_NAMES and not name.endswith(IGNORED_SUFFIXES):
                yield Path(dirpath) / name


def inputs_digest(paths: Iterable[Path]) -> str:
    """SHA-256 over the relative names and bytes of every input file (missing paths count as absent).

    Content, not modification times: a fresh clone or a ``touch`` must not invalidate the cache, an edit must.
    """
    digest = hashlib.sha256()
    for root in paths:
        digest.update(f"root:{root.name}:{root.exists()}\n".encode())
        if not root.exists():
            continue
        for file in _files(root):
            rel = file.relative_to(root).as_posix() if root.is_dir() else file.name
            digest.update(f"file:{rel}\n".encode())
            digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()


def listing_digest(paths: Iterable[Path]) -> str:
    """SHA-256 over the content of the file inputs and the relative names of every file in the folder inputs.

    The whole-cache key: editing a file under ``data/`` or ``src/`` leaves it alone (each page follows its own
    files), adding, removing or renaming one changes it.
    """
    digest = hashlib.sha256()
    for root in paths:
        digest.update(f"root:{root.name}:{root.exists()}\n".encode())
        if root.is_file():
            digest.update(hashlib.sha256(root.read_bytes()).digest())
        elif root.is_dir():
            for file in _files(root):
                digest.update(f"file:{file.relative_to(root).as_posix()}\n".encode())
    return digest.hexdigest()


def page_marker(manifest: Path, fallback: str) -> str:
    """The key of one page's inputs: unchanged while the files its last execution read are unchanged.

    ``fallback`` (a digest of every input) when the page has no manifest yet or it cannot be read.
    """
    try:
        recorded = json.loads(manifest.read_text(encoding="utf-8"))
        files = [Path(f) for f in recorded["files"]]
        marker, digest = str(recorded["marker"]), str(recorded["digest"])
    except (OSError, ValueError, KeyError, TypeError):
        return fallback
    current = execution_inputs.files_digest(files)
    return marker if current == digest else current


_CODE_CELL = re.compile(r"^```\{code-cell\}", re.MULTILINE)


def inject_recording_cells(source: str, docname: str, marker: str) -> str:
    """The MyST notebook ``source`` with a hidden first and last code cell that record what it reads.

    Pages without code cells are returned unchanged (nothing is executed, nothing can go stale).
    """
    first = _CODE_CELL.search(source)
    if first is None:
        return source
    start = (
        "```{code-cell} ipython3\n:tags: [remove-cell]\n\n"
        "from nmd_immuno.execution_inputs import record_inputs\n\n"
        f"record_inputs({docname!r}, {marker!r})\n```\n\n"
    )
    end = (
        "\n\n```{code-cell} ipython3\n:tags: [remove-cell]\n\n"
        "from nmd_immuno.execution_inputs import write_manifest\n\n"
        "write_manifest()\n```\n"
    )
    return source[: first.start()] + start + source[first.start() :].rstrip("\n") + end


def keyed_cache_dir(base: Path, digest: str, *, prune: bool = True) -> Path:
    """The cache folder for this digest under ``base``; other ``inputs-*`` folders are deleted when
    ``prune``."""
    target = base / f"{PREFIX}{digest[:16]}"
    if prune and base.is_dir():
        for sibling in base.iterdir():
            if sibling.is_dir() and sibling.name.startswith(PREFIX) and sibling != target:
                logger.info(f"[nmd_immuno] removing stale execution cache {sibling}")
                shutil.rmtree(sibling, ignore_errors=True)
    target.mkdir(parents=True, exist_ok=True)
    return target


def input_paths(confdir: Path, configured: Iterable[str]) -> list[Path]:
    """The configured inputs (relative to the book's root) plus the data folder the kernel really reads.

    ``NMD_IMMUNO_DATA`` points the package at another data folder (tests use it); that folder is what the
    executed pages read, so it is hashed too.
    """
    paths = [(confdir / p).resolve() for p in configured]
    override = os.environ.get("NMD_IMMUNO_DATA")
    if override:
        paths.append(Path(override).resolve())
    return paths


def _on_config_inited(app: Sphinx, config: Config) -> None:
    confdir = Path(app.confdir)
    paths = input_paths(confdir, config.nmd_cache_inputs)
    digest = listing_digest(paths)
    configured = config.nb_execution_cache_path or str(Path(app.outdir).parent / ".jupyter_cache")
    base = Path(configured)
    if not base.is_absolute():
        base = confdir / base
    # A cache folder chosen by an earlier run of this extension is replaced by its parent (the stable base).
    if base.name.startswith(PREFIX):
        base = base.parent
    target = keyed_cache_dir(base, digest)
    config.nb_execution_cache_path = str(target)
    config.nmd_inputs_digest = digest
    folders = [p for p in paths if p.is_dir()]
    # The kernels the build starts inherit these: where to write what a page read, and what counts as input.
    os.environ[execution_inputs.MANIFEST_DIR_ENV] = str(target / "nmd-inputs")
    os.environ[execution_inputs.ROOTS_ENV] = os.pathsep.join(str(p) for p in folders)
    app.nmd_all_inputs_digest = inputs_digest(paths)  # type: ignore[attr-defined]
    logger.info(f"[nmd_immuno] execution cache keyed by the environment and the input files: {target}")


def _manifest(docname: str) -> Path:
    return Path(os.environ[execution_inputs.MANIFEST_DIR_ENV]) / f"{docname}.json"


def _marker(app: Sphinx, docname: str) -> str:
    return page_marker(_manifest(docname), app.nmd_all_inputs_digest)  # type: ignore[attr-defined]


def _markers(env: BuildEnvironment) -> dict[str, str]:
    if not hasattr(env, "nmd_page_markers"):
        env.nmd_page_markers = {}  # type: ignore[attr-defined]
    return env.nmd_page_markers  # type: ignore[attr-defined]


def _on_source_read(app: Sphinx, docname: str, source: list[str]) -> None:
    marker = _marker(app, docname)
    injected = inject_recording_cells(source[0], docname, marker)
    if injected != source[0]:
        source[0] = injected
        _markers(app.env)[docname] = marker


def _on_env_get_outdated(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """Pages whose recorded inputs changed since they were executed: re-read, and so re-executed."""
    markers = _markers(env)
    stale = [doc for doc, marker in markers.items() if doc in env.found_docs and _marker(app, doc) != marker]
    if stale:
        logger.info(f"[nmd_immuno] inputs changed for: {', '.join(sorted(stale))}")
    return stale


def _on_env_purge_doc(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    _markers(env).pop(docname, None)


def _on_env_merge_info(
    app: Sphinx, env: BuildEnvironment, docnames: list[str], other: BuildEnvironment
) -> None:
    _markers(env).update({d: m for d, m in _markers(other).items() if d in docnames})


def setup(app: Sphinx) -> None:
    """``nmd_cache_inputs``: paths (relative to the book root) whose content keys the execution cache."""
    app.add_config_value("nmd_cache_inputs", list(DEFAULT_INPUTS), "env", [list])
    # Holds the whole-cache digest; rebuild="env" makes Sphinx re-read every document when it changes.
    app.add_config_value("nmd_inputs_digest", "", "env", [str])
    # Before myst-nb turns the Sphinx config into its own (builder-inited) and before the env is loaded.
    app.connect("config-inited", _on_config_inited, priority=400)
    # Before myst-nb reads the page: the recording cells must be part of the notebook it hashes and executes.
    app.connect("source-read", _on_source_read, priority=400)
    app.connect("env-get-outdated", _on_env_get_outdated)
    app.connect("env-purge-doc", _on_env_purge_doc)
    app.connect("env-merge-info", _on_env_merge_info)
