"""Record which course files a chapter's execution actually read, so the book re-executes only the chapters
whose inputs changed.

Why: jupyter-cache re-executes a page only when the page's own code changes, so the book build keys each
page by the files under ``data/`` and ``src/`` that its kernel opened (see
:mod:`nmd_immuno.sphinxext.inputs_cache`). The kernel side is here, free of Sphinx, because the book build
injects two hidden cells into every executed chapter: the first calls :func:`record_inputs`, the last
:func:`write_manifest`. Recording itself starts when the package is first imported
(:func:`start_recording`), since the import already reads ``data/``. Python's audit hooks see every file the
kernel opens, including the bytecode of the modules it imports, which is mapped back to the module's source.

Nothing happens unless the build sets ``NMD_INPUTS_MANIFEST_DIR``: in a live notebook these calls are no-ops.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path

MANIFEST_DIR_ENV = "NMD_INPUTS_MANIFEST_DIR"
ROOTS_ENV = "NMD_INPUTS_ROOTS"  # os.pathsep-separated folders whose files count as inputs

_recording: dict[str, object] = {}


def _source_of(path: Path) -> Path:
    """``pkg/__pycache__/mod.cpython-311.pyc`` -> ``pkg/mod.py``: an import reads bytecode, the input is the
    source."""
    if path.suffix == ".pyc" and path.parent.name == "__pycache__":
        return path.parent.parent / (path.name.split(".", 1)[0] + ".py")
    return path


def files_digest(files: Iterable[Path]) -> str:
    """SHA-256 over the names and bytes of ``files`` (a missing file counts as absent, not as an error)."""
    digest = hashlib.sha256()
    for file in sorted(set(files)):
        digest.update(f"file:{file.as_posix()}\n".encode())
        try:
            digest.update(hashlib.sha256(file.read_bytes()).digest())
        except FileNotFoundError:
            digest.update(b"missing")
    return digest.hexdigest()


def start_recording() -> None:
    """Start recording every file under the input roots that this process opens (once; a no-op outside a
    book build).

    Called by ``nmd_immuno/__init__.py`` before anything else, because importing the package already reads
    ``data/`` (the therapy vocabulary): a hook installed later would miss those reads.
    """
    manifest_dir = os.environ.get(MANIFEST_DIR_ENV)
    if not manifest_dir or _recording:
        return
    roots = tuple(Path(r).resolve() for r in os.environ.get(ROOTS_ENV, "").split(os.pathsep) if r)
    seen: set[Path] = set()

    def hook(event: str, args: tuple[object, ...]) -> None:
        if event != "open" or not args or not isinstance(args[0], str | os.PathLike):
            return
        try:
            path = Path(os.fsdecode(args[0])).resolve()
        except (OSError, ValueError):
            return
        if any(path.is_relative_to(root) for root in roots):
            seen.add(_source_of(path))

    sys.addaudithook(hook)  # audit hooks cannot be removed; the kernel ends with the page
    _recording.update(dir=manifest_dir, roots=roots, seen=seen)
    # The package's own first module was opened before the hook existed.
    seen.update(p for p in (Path(__file__).resolve(), Path(__file__).resolve().with_name("__init__.py")))


def record_inputs(docname: str, marker: str) -> None:
    """Name the page being recorded and the key the build chose for it.

    ``marker`` is also in the calling cell's source, so it keys the execution cache; it is written back into
    the manifest so the next build can tell whether the page is still up to date.
    """
    start_recording()
    if _recording:
        _recording.update(docname=docname, marker=marker)


def write_manifest() -> None:
    """Write what the page read: ``<manifest dir>/<docname>.json`` with the files, their digest and the
    marker."""
    if "docname" not in _recording:
        return
    seen: set[Path] = _recording["seen"]  # type: ignore[assignment]
    files = sorted(p for p in set(seen) if p.is_file())
    target = Path(str(_recording["dir"])) / f"{_recording['docname']}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    manifest = {
        "marker": _recording["marker"],
        "files": [str(p) for p in files],
        "digest": files_digest(files),
    }
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    tmp.replace(target)
