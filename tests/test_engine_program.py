"""The pathway program (:mod:`nmd_immuno.engine.program`): plain data that the Python walker really runs.

Why: the walker and the browser explorer are two interpreters of one program, so the program must carry
everything a walk needs (a JSON round trip changes nothing), the Python walker must read it (a changed
program changes the answer), and its message machinery must behave like the engine's (one-pass templates,
suggestions equal to difflib's). The JavaScript side is compared in tests/test_static_explorer.py.
"""

from __future__ import annotations

import copy
import difflib
import json
import random

import pytest
from pathway_helpers import random_patient

from nmd_immuno.content.algorithms import available_algorithms
from nmd_immuno.engine import preset_patients, recommend, validate_patient
from nmd_immuno.engine.program import MESSAGES, fill, program_for, suggestions, typos
from nmd_immuno.engine.walker import run_program
from nmd_immuno.errors import PatientError


@pytest.mark.parametrize("disorder", available_algorithms())
def test_program_is_json_and_the_walker_runs_it_as_recommend(disorder: str) -> None:
    program = json.loads(json.dumps(program_for(disorder)))  # only data survives
    rng = random.Random(f"program-{disorder}")
    patients = list(preset_patients(disorder).values()) + [random_patient(rng, disorder) for _ in range(150)]
    compared = 0
    for patient in patients:
        try:
            expected = recommend(disorder, patient).to_dict()
        except PatientError:
            continue
        got = run_program(program, validate_patient(disorder, patient)).to_dict()
        assert got == expected, patient
        compared += 1
    assert compared >= 50


def test_the_walker_reads_the_program() -> None:
    """A program whose nodes offer nothing makes the walker offer nothing and say why."""
    disorder = "myasthenia_gravis"
    patient = validate_patient(disorder, next(iter(preset_patients(disorder).values())))
    program = copy.deepcopy(program_for(disorder))
    assert run_program(program, patient).therapies
    for node in program["walk"]["nodes"].values():
        node["offer"], node["continue"] = [], None
    rec = run_program(program, patient)
    assert rec.therapies == [] and program["walk"]["nothing_left"] in rec.warnings


def test_fill_is_one_pass_and_leaves_other_braces() -> None:
    assert fill("{a}/{b}", a="{b}", b="x") == "{b}/x"
    assert fill(MESSAGES["history_not_mapping"], name="history", value="3") == (
        "history: 3 is not allowed; allowed: a mapping {therapy id: outcome}, "
        "e.g. {'pyridostigmine': 'partial'}"
    )
    assert fill("{missing} stays", other="x") == "{missing} stays"


def test_suggestions_are_difflibs_for_every_typo() -> None:
    options = ["age", "antibody", "history", "sex", "mgfa_class", "pregnant"]
    table = suggestions(options)
    for option in options:
        for typo in typos(option) - set(options):
            close = difflib.get_close_matches(typo, options, n=1)
            if close:
                assert table["shown"][table["typos"][typo]] == repr(close[0]), typo
            else:
                assert typo not in table["typos"]
    assert "antibdy" in table["typos"] and "sexx" in table["typos"] and "Age" in table["typos"]
