"""Print how long the book takes to build: cold, with nothing changed, from the cache, after a data change.

The five builds: an empty ``_build``; again with nothing changed; after the pages were dropped (as
``jupyter-book clean`` does), so every page comes from the execution cache; after a change in a file that one
chapter reads (only that chapter re-executes); after a change in the bibliography, which every chapter reads.

Runs on a scratch copy of the repository (the real ``_build`` and its cache are left alone), with exactly the
command of `make build`. Usage::

    .venv/bin/python benchmarks/bench_book_build.py [--skip-data-change] [--keep]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the build harness the tests use
from buildtools import BookBuild, build_book, scratch_copy


def _report(label: str, build: BookBuild) -> None:
    status = "ok" if build.returncode == 0 and not build.warnings() else f"FAILED (exit {build.returncode})"
    print(
        f"{label:<42} {build.seconds:8.1f} s   executed {len(build.executed()):2d}   "
        f"from cache {len(build.from_cache()):2d}   {status}",
        flush=True,
    )
    if status != "ok":
        print("\n".join(build.output.splitlines()[-30:]))
        raise SystemExit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-data-change", action="store_true", help="no rebuild after a data change")
    parser.add_argument("--keep", action="store_true", help="keep the scratch copy and print where it is")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="nmd-bench-book-"))
    try:
        repo = scratch_copy(workdir / "repo")
        env = {"NMD_IMMUNO_DATA": str(repo / "data"), "PYTHONPATH": str(repo / "src")}
        print(f"book build benchmark (scratch copy: {repo})")
        _report("cold build (empty _build)", build_book(repo, env=env))
        _report("rebuild, nothing changed", build_book(repo, env=env))
        for generated in ("html", ".doctrees", "jupyter_execute"):
            shutil.rmtree(repo / "_build" / generated, ignore_errors=True)
        _report("rebuild from the execution cache only", build_book(repo, env=env))
        if not args.skip_data_change:
            # A file one chapter reads: only the chapters whose kernels read it are executed again.
            quiz = repo / "data" / "quizzes" / "mmn.yaml"
            quiz.write_text(quiz.read_text(encoding="utf-8") + "\n# benchmark: one chapter's data\n")
            _report("rebuild after a change in one quiz file", build_book(repo, env=env))
            # A file every chapter reads (the bibliography): every executed chapter runs again.
            bib = repo / "data" / "references.bib"
            bib.write_text(bib.read_text(encoding="utf-8") + "\n% benchmark: a change under data/\n")
            _report("rebuild after a change in references.bib", build_book(repo, env=env))
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
