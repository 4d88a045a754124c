"""Key the notebook execution cache by the content of the course's inputs (data/, src/, the lock file).

jupyter-cache decides whether a page must be re-executed from the page's own code cells only. A chapter whose
code is ``dose_calculators()`` looks unchanged when a dose limit in ``data/`` or a calculator in ``src/``
changes, so a cached page would silently show stale numbers. Here the cache folder becomes
``<cache>/inputs-<digest>``: any change in the inputs selects a fresh, empty cache (every page re-executes)
and the Sphinx environment is invalidated (a config value that changes forces every document to be re-read).
Stale sibling folders are pruned so the cache does not grow without bound.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

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
    digest = inputs_digest(input_paths(confdir, config.nmd_cache_inputs))
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
    logger.info(f"[nmd_immuno] execution cache keyed by data/src: {target}")


def setup(app: Sphinx) -> None:
    """``nmd_cache_inputs``: paths (relative to the book root) whose content keys the execution cache."""
    app.add_config_value("nmd_cache_inputs", list(DEFAULT_INPUTS), "env", [list])
    # Holds the digest; rebuild="env" makes Sphinx re-read every document when the inputs change.
    app.add_config_value("nmd_inputs_digest", "", "env", [str])
    # Before myst-nb turns the Sphinx config into its own (builder-inited) and before the env is loaded.
    app.connect("config-inited", _on_config_inited, priority=400)
