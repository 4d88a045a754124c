"""The workshop roster: a CSV of username, display name and role; every username a valid system name that is
not one of the machine's own accounts; a bad roster names the line and the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from nmd_immuno.workshop.roster import RosterError, load_roster, parse_roster

HEADER = "username,display_name,role\n"
REPO = Path(__file__).resolve().parents[1]


def test_the_demo_roster_has_an_instructor_and_participants() -> None:
    roster = load_roster(REPO / "workshop" / "demo-roster.csv")
    assert roster.instructors == {"instructor"}
    assert roster.participants == {"resident1", "resident2", "resident3"}
    assert roster.display_name("resident1") == "Resident One"


def test_blank_lines_spaces_and_a_spreadsheet_bom_are_fine(tmp_path: Path) -> None:
    path = tmp_path / "cohort.csv"
    path.write_text("\ufeff" + HEADER + " ana , Ana Silva , participant\n\nteach,Dr T,instructor\n")
    roster = load_roster(path)
    assert roster.usernames == {"ana", "teach"} and roster.display_name("ana") == "Ana Silva"


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ("Ana,Ana,participant\n", "line 2: username: got 'Ana'; expected a system user name"),
        ("ana b,Ana,participant\n", "line 2: username: got 'ana b'"),
        ("1ana,Ana,participant\n", "line 2: username: got '1ana'"),
        ("a" * 33 + ",A,participant\n", "at most 32 characters"),
        ("ana,Ana,student\n", "line 2: role: got 'student'; expected one of participant, instructor"),
        ("ana,,participant\n", "line 2: display_name: got ''"),
        ("ana,Ana\n", "line 2: got 2 fields"),
        (
            "t,T,instructor\nana,A,participant\nana,B,participant\n",
            "line 4: username: got 'ana' again; it is already on line 3",
        ),
        ("root,Root,instructor\n", "line 2: username: got 'root'; 'root' is reserved"),
        ("daemon,D,instructor\n", "'daemon' is a system account of this machine (uid 1)"),
        ("ana,Ana,participant\n", None),
    ],
)
def test_a_bad_line_is_named_with_its_reason(lines: str, message: str | None) -> None:
    with pytest.raises(RosterError) as caught:
        parse_roster(HEADER + lines, "cohort.csv")
    expected = message or "no line has the role 'instructor'"
    assert str(caught.value).startswith("cohort.csv: ") and expected in str(caught.value), caught.value


def test_a_wrong_header_or_an_unreadable_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RosterError, match=r"line 1: got the header \['user', 'role'\]"):
        parse_roster("user,role\nana,participant\n", "cohort.csv")
    with pytest.raises(RosterError, match="cannot be read"):
        load_roster(tmp_path / "missing.csv")
