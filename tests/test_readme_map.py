"""The README's map of the repository stays true: every part of the package is on it, and nothing it names
is gone.

Why a test: the map is how a new maintainer finds where a thing lives; one that has drifted sends them to
the wrong module, which is worse than no map.
"""

from __future__ import annotations

import re

from nmd_immuno.paths import REPO_ROOT

PACKAGE = REPO_ROOT / "src" / "nmd_immuno"


def map_block() -> str:
    """The fenced block of the README's "A map of the repository" section."""
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## A map of the repository", 1)[1]
    return section.split("```", 2)[1]


def package_block() -> str:
    """The lines of the map under ``src/nmd_immuno/`` (up to the next top-level entry)."""
    lines = map_block().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("src/nmd_immuno/"))
    ends = (i for i in range(start + 1, len(lines)) if lines[i] and not lines[i].startswith(" "))
    end = next(ends, len(lines))
    return "\n".join(lines[start:end])


def package_entries() -> list[str]:
    """Subpackages (``name/``) and top-level modules (``name.py``) of ``src/nmd_immuno``."""
    subpackages = [f"{p.name}/" for p in sorted(PACKAGE.iterdir()) if (p / "__init__.py").is_file()]
    data_folders = [f"{p.name}/" for p in sorted(PACKAGE.iterdir()) if p.is_dir() and p.name == "static"]
    modules = [p.name for p in sorted(PACKAGE.glob("*.py")) if p.name != "__init__.py"]
    return subpackages + data_folders + modules


def test_every_part_of_the_package_is_on_the_map() -> None:
    block = package_block()
    missing = [entry for entry in package_entries() if not re.search(rf"(^|[\s,]){re.escape(entry)}", block)]
    assert missing == [], f"parts of src/nmd_immuno missing from the README map: {missing}"


def test_the_map_names_only_what_exists() -> None:
    named = re.findall(r"^  ([a-z_]+(?:/|\.py))", package_block(), flags=re.MULTILINE)
    named += re.findall(r"^  [a-z_]+\.py, ([a-z_]+\.py)", package_block(), flags=re.MULTILINE)
    assert named, "no package entries found in the map"
    gone = [entry for entry in named if not (PACKAGE / entry.rstrip("/")).exists()]
    assert gone == [], f"the README map names parts of the package that do not exist: {gone}"


def test_top_level_folders_are_on_the_map() -> None:
    block = map_block()
    tracked = ["data/", "src/nmd_immuno/", "book/", "notebooks/", "assignments/", "workshop/", "deploy/",
               "tests/", "benchmarks/"]
    for folder in tracked:
        assert (REPO_ROOT / folder).is_dir(), folder
        assert re.search(rf"^{re.escape(folder)}", block, flags=re.MULTILINE), f"{folder} not on the map"
