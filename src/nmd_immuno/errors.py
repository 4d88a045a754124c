"""Error types shared by every part of the course.

Each one is a ``ValueError`` so that a notebook can catch bad input with one ``except`` and show the
message, never a traceback, to a student.
"""

from __future__ import annotations


class DataError(ValueError):
    """A content file in ``data/`` is malformed.

    The message names the file, the row or key, and the fault, so a clinician can find the mistake.
    """

    def __init__(self, file: str, location: str, problem: str) -> None:
        self.file, self.location, self.problem = file, location, problem
        super().__init__(f"{file}: {location}: {problem}")


class PatientError(ValueError):
    """A patient profile given to ``recommend()`` is invalid.

    The message names the field, the value given and what is allowed.
    """


class DoseInputError(ValueError):
    """A dose calculator was given impossible input; the message names field, value and the allowed range."""


class DoseRefused(ValueError):
    """A safety hard stop: the calculator refuses a dose and says why (e.g. no hepatitis B screen)."""
