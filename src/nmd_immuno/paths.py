"""Where the course's content lives.

The package reads everything clinical from the repository's ``data/`` folder so that a clinician can edit a
pathway or a dose table without touching Python. ``NMD_IMMUNO_DATA`` overrides the location, which tests
use to load deliberately broken copies.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def data_dir() -> Path:
    """The folder holding the YAML/CSV content and ``references.bib``."""
    override = os.environ.get("NMD_IMMUNO_DATA")
    return Path(override).resolve() if override else REPO_ROOT / "data"
