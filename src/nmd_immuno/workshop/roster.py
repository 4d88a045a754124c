"""The workshop roster: who may log in to the hub, under which name, as participant or instructor.

A CSV file with the header ``username,display_name,role``. Each username becomes a Unix account on the hub
machine (the participant's server runs as that user), so it must be a valid system name: lower-case letters,
digits, ``_`` and ``-``, starting with a letter or ``_``, at most 32 characters (useradd's rule), and none of
the machine's own accounts (``root``, ``daemon``, ...). A bad roster stops the hub before it starts, with the
line and the reason: a typo must not create a stray account or lock someone out mid-workshop.
"""

from __future__ import annotations

import csv
import os
import pwd
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

HEADER = ("username", "display_name", "role")
ROLES = ("participant", "instructor")
USERNAME_PATTERN = r"^[a-z_][a-z0-9_-]{0,31}$"
# Accounts that exist on the machine below this uid are the system's own: never a participant's.
FIRST_ORDINARY_UID = 1000
RESERVED = frozenset({"root", "admin", "nobody", "jupyterhub", "nmd-answers"})


class RosterError(ValueError):
    """The roster cannot be used; the message names the file, the line and the reason."""


class Person(BaseModel):
    """One line of the roster."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    username: str = Field(pattern=USERNAME_PATTERN)
    display_name: str = Field(min_length=1, max_length=100)
    role: Literal["participant", "instructor"]

    @field_validator("username")
    @classmethod
    def _not_a_system_account(cls, name: str) -> str:
        if name in RESERVED:
            raise ValueError(f"{name!r} is reserved for the machine or the hub")
        try:
            uid = pwd.getpwnam(name).pw_uid
        except KeyError:
            return name
        if uid < FIRST_ORDINARY_UID:
            raise ValueError(f"{name!r} is a system account of this machine (uid {uid})")
        return name


@dataclass(frozen=True)
class Roster:
    """Everybody on the roster, in the file's order."""

    people: tuple[Person, ...]
    source: str

    @property
    def usernames(self) -> set[str]:
        return {person.username for person in self.people}

    @property
    def instructors(self) -> set[str]:
        return {person.username for person in self.people if person.role == "instructor"}

    @property
    def participants(self) -> set[str]:
        return {person.username for person in self.people if person.role == "participant"}

    def display_name(self, username: str) -> str | None:
        return next((p.display_name for p in self.people if p.username == username), None)


def _reason(error: ValidationError) -> str:
    parts = []
    for problem in error.errors():
        field = ".".join(str(part) for part in problem["loc"]) or "line"
        given = problem.get("input")
        message = problem["msg"]
        if problem["type"] == "string_pattern_mismatch":
            message = (
                "expected a system user name: lower-case letters, digits, '_' or '-', starting with a "
                "letter or '_', at most 32 characters"
            )
        elif problem["type"] == "literal_error":
            message = f"expected one of {', '.join(ROLES)}"
        elif message.startswith("Value error, "):
            message = message.removeprefix("Value error, ")
        parts.append(f"{field}: got {given!r}; {message}")
    return "; ".join(parts)


def parse_roster(text: str, source: str = "roster") -> Roster:
    """The roster in ``text`` (CSV with the header line); RosterError names the line and the reason."""
    rows = list(csv.reader(text.splitlines()))
    header = tuple(cell.strip() for cell in rows[0]) if rows else ()
    if header != HEADER:
        raise RosterError(f"{source}: line 1: got the header {list(header)!r}; expected {list(HEADER)!r}")
    people: list[Person] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue  # blank lines are allowed
        if len(row) != len(HEADER):
            raise RosterError(
                f"{source}: line {number}: got {len(row)} fields {row!r}; expected {len(HEADER)}: "
                + ",".join(HEADER)
            )
        values = dict(zip(HEADER, (cell.strip() for cell in row), strict=True))
        try:
            person = Person(**values)
        except ValidationError as error:
            raise RosterError(f"{source}: line {number}: {_reason(error)}") from None
        if person.username in seen:
            raise RosterError(
                f"{source}: line {number}: username: got {person.username!r} again; it is already on "
                f"line {seen[person.username]} (each person once)"
            )
        seen[person.username] = number
        people.append(person)
    if not any(person.role == "instructor" for person in people):
        raise RosterError(f"{source}: no line has the role 'instructor'; expected at least one instructor")
    return Roster(tuple(people), source)


def load_roster(path: str | os.PathLike[str]) -> Roster:
    """The roster in the CSV file at ``path``."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8-sig")  # a BOM from a spreadsheet's "CSV UTF-8" export is fine
    except (OSError, UnicodeDecodeError) as error:
        raise RosterError(f"{file}: cannot be read as a UTF-8 CSV file ({error})") from None
    return parse_roster(text, str(file))
