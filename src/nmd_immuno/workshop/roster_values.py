"""The workshop roster as Zero to JupyterHub values: who may log in, and the two groups.

Why generated: on Kubernetes the hub reads its users from the chart's values, not from the course's CSV; a
hand-copied list drifts from the roster. ``python -m nmd_immuno.workshop.roster_values cohort.csv >
roster-values.yaml`` validates the roster exactly as ``make workshop`` does (a bad line stops it with the
line and the reason) and prints the values to pass to helm beside ``deploy/z2jh/values.yaml``.
"""

from __future__ import annotations

import sys
from typing import Any

import yaml

from nmd_immuno.workshop.roster import Roster, RosterError, load_roster


def roster_values(roster: Roster) -> dict[str, Any]:
    """The chart values that give the roster's people, and only them, access.

    Instructors are not hub admins (an admin could open a participant's server): as on one server, they get
    their rights from the ``instructors`` group's role in ``deploy/z2jh/values.yaml``.
    """
    return {
        "hub": {
            "config": {
                "Authenticator": {
                    "allowed_users": sorted(roster.usernames),
                },
                "JupyterHub": {
                    "load_groups": {
                        "instructors": {"users": sorted(roster.instructors)},
                        "participants": {"users": sorted(roster.participants)},
                    }
                },
            }
        }
    }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        usage = "usage: python -m nmd_immuno.workshop.roster_values ROSTER.csv > roster-values.yaml"
        print(usage, file=sys.stderr)
        return 2
    try:
        roster = load_roster(args[0])
    except RosterError as error:
        print(f"roster refused: {error}", file=sys.stderr)
        return 1
    sys.stdout.write(f"# Generated from {args[0]} by nmd_immuno.workshop.roster_values; do not edit.\n")
    sys.stdout.write(yaml.safe_dump(roster_values(roster), sort_keys=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
