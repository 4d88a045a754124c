"""data/trials.csv: the published figures, their schema, and refusals of malformed copies of the file."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pandas as pd
import pytest

from nmd_immuno.content.bibliography import bibliography_keys
from nmd_immuno.errors import DataError
from nmd_immuno.paths import data_dir
from nmd_immuno.simulate import trials as trials_module
from nmd_immuno.simulate.trials import COLUMNS, load_trials

MG_TRIALS = (
    "MGTX",
    "ADAPT",
    "REGAIN",
    "CHAMPION-MG",
    "RAISE",
    "MycarinG",
    "Vivacity-MG3",
    "BeatMG",
    "RINOMAX",
)
CIDP_TRIALS = ("ICE", "PATH", "ADHERE", "PREDICT", "IMC", "RMC")
MYOSITIS_TRIALS = ("ProDERM", "RIM")


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return load_trials()


def _row(table: pd.DataFrame, trial: str, arm: str, outcome_start: str) -> pd.Series:
    rows = table[(table.trial_id == trial) & (table.arm == arm) & table.outcome.str.startswith(outcome_start)]
    assert len(rows) == 1, (trial, arm, outcome_start, len(rows))
    return rows.iloc[0]


def test_columns_are_exactly_the_contract(table):
    assert tuple(table.columns) == COLUMNS
    assert str(table["events"].dtype) == "Int64" and str(table["arm_n"].dtype) == "Int64"


def test_every_required_trial_is_listed_with_its_disorder(table):
    disorders = table.groupby("trial_id")["disorder"].first()
    expected = ((MG_TRIALS, "myasthenia_gravis"), (CIDP_TRIALS, "cidp"), (MYOSITIS_TRIALS, "myositis"))
    for trials, disorder in expected:
        for trial in trials:
            assert disorders.get(trial) == disorder, trial


def test_one_row_per_trial_arm_outcome(table):
    assert not table.duplicated(["trial_id", "arm", "outcome"]).any()


def test_every_row_cites_a_known_key_and_has_a_status(table):
    assert set(table.reference) <= bibliography_keys()
    assert set(table.status) <= {"checked", "to_check"}
    assert table.primary.dtype == bool


def test_every_trial_has_a_primary_outcome(table):
    assert table.groupby("trial_id")["primary"].any().all()


def test_counts_agree_with_the_reported_proportions(table):
    counted = table.dropna(subset=["events"])
    assert len(counted) >= 10
    assert (counted.outcome_type == "proportion").all()
    fractions = counted.events.astype(float) / counted.arm_n.astype(float)
    assert ((fractions - counted.value).abs() <= 0.0051).all()


def test_brief_figures_are_present(table):
    ice = _row(table, "ICE", "IVIG", "adjusted INCAT")
    ice_placebo = _row(table, "ICE", "placebo", "adjusted INCAT")
    assert (ice.events, ice.arm_n, ice_placebo.events, ice_placebo.arm_n) == (32, 59, 12, 58)
    assert _row(table, "MGTX", "thymectomy plus prednisone", "azathioprine").value == 0.17
    assert _row(table, "MGTX", "prednisone alone", "azathioprine").value == 0.48
    assert _row(table, "MGTX", "thymectomy plus prednisone", "hospitalisation").value == 0.09
    assert _row(table, "MGTX", "prednisone alone", "hospitalisation").value == 0.37
    adapt = _row(table, "ADAPT", "efgartigimod", "MG-ADL responders (at least")
    adapt_placebo = _row(table, "ADAPT", "placebo", "MG-ADL responders (at least")
    assert (adapt.events, adapt.arm_n, adapt_placebo.events, adapt_placebo.arm_n) == (44, 65, 19, 64)
    rinomax = _row(table, "RINOMAX", "rituximab", "minimal manifestations")
    assert (rinomax.events, rinomax.arm_n) == (17, 24)
    assert _row(table, "RINOMAX", "placebo", "minimal manifestations").events == 6
    assert _row(table, "MycarinG", "placebo", "MG-ADL responders").value == 0.313
    assert _row(table, "REGAIN", "eculizumab", "MG-ADL change, worst-rank").p_value == "0.0698"


def test_arm_sizes_add_up_to_the_number_randomised(table):
    """A typo in an arm size shows as a sum that misses the trial's total.

    Only trials whose listed arms are exactly the randomised arms: others list a subgroup (ADAPT), an analysed
    subset (RINOMAX) or a run-in stage (ADHERE).
    """
    for trial in ("MGTX", "EPITOME", "ICE", "PATH", "REGAIN", "CHAMPION-MG", "RAISE", "MycarinG", "ProDERM"):
        rows = table[(table.trial_id == trial) & table.arm_n.notna()]
        sizes = rows.groupby("arm")["arm_n"].agg(set)
        assert (sizes.map(len) == 1).all(), (trial, sizes.to_dict())
        assert sum(next(iter(s)) for s in sizes) == rows.n_randomised.iloc[0], (trial, sizes.to_dict())


def test_ice_risk_difference_row_matches_the_counts(table):
    """The published difference (33.5 points) is what the counts give: an ARR computed from them is right."""
    ivig = _row(table, "ICE", "IVIG", "adjusted INCAT")
    placebo = _row(table, "ICE", "placebo", "adjusted INCAT")
    difference = _row(table, "ICE", "IVIG", "difference in responders")
    arr = ivig.events / ivig.arm_n - placebo.events / placebo.arm_n
    assert abs(arr - difference.value) < 0.002
    assert difference.ci_low < arr < difference.ci_high


def test_uncertain_figures_are_marked_to_check(table):
    """Figures the fact base holds only from knowledge are tagged to_check (e.g. Vivacity-MG3, ProDERM)."""
    assert set(table[table.trial_id == "Vivacity-MG3"].status) == {"to_check"}
    assert _row(table, "ProDERM", "IVIG", "Total Improvement Score").status == "to_check"
    assert _row(table, "ICE", "IVIG", "adjusted INCAT").status == "checked"


# ----------------------------------------------------------------------------------- malformed copies
GOOD_ROW = {
    "trial_id": "TEST",
    "disorder": "myasthenia_gravis",
    "reference": "wolfe2016mgtx",
    "population": "p",
    "design": "d",
    "n_randomised": "100",
    "arm": "a",
    "arm_n": "50",
    "intervention": "i",
    "outcome": "o",
    "outcome_type": "proportion",
    "timepoint": "t",
    "events": "25",
    "value": "0.5",
    "ci_low": "",
    "ci_high": "",
    "p_value": "",
    "primary": "true",
    "status": "checked",
    "note": "",
}


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    """A copy of data/ selected through NMD_IMMUNO_DATA; caches are cleared before and after."""
    target = tmp_path / "data"
    target.mkdir()
    for name in ("references.bib", "therapies.yaml"):
        shutil.copy(data_dir() / name, target / name)
    monkeypatch.setenv("NMD_IMMUNO_DATA", str(target))
    trials_module.clear_cache()
    yield target
    trials_module.clear_cache()


def _write(folder: Path, rows: list[dict[str, str]], header: tuple[str, ...] = COLUMNS) -> None:
    with (folder / "trials.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(header), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def test_a_valid_scratch_file_loads(scratch):
    _write(scratch, [GOOD_ROW, {**GOOD_ROW, "arm": "b", "events": "10", "value": "0.2"}])
    assert len(load_trials()) == 2


@pytest.mark.parametrize(
    ("change", "fault"),
    [
        ({"outcome_type": "percentage"}, "outcome_type"),
        ({"value": "54", "events": ""}, "fraction between 0 and 1"),
        ({"events": "60"}, "more than arm_n"),
        ({"arm_n": ""}, "needs arm_n"),
        ({"events": "30"}, "does not match value"),
        ({"reference": "nosuchkey2099"}, "not in data/references.bib"),
        ({"ci_low": "0.6", "ci_high": "0.4"}, "above ci_high"),
        ({"ci_low": "0.1", "ci_high": ""}, "both ends"),
        ({"p_value": "significant"}, "p_value"),
        ({"value": "", "events": ""}, "value: required"),
        ({"status": "verified"}, "status"),
        ({"disorder": "migraine"}, "disorder"),
        ({"arm_n": "-3"}, "arm_n"),
    ],
)
def test_malformed_rows_are_refused_naming_file_row_and_fault(scratch, change, fault):
    _write(scratch, [GOOD_ROW, {**GOOD_ROW, "arm": "b", **change}])
    with pytest.raises(DataError) as info:
        load_trials()
    message = str(info.value)
    assert "trials.csv" in message and "row 3" in message and fault in message


def test_duplicate_trial_arm_outcome_is_refused(scratch):
    _write(scratch, [GOOD_ROW, GOOD_ROW])
    with pytest.raises(DataError, match=r"trials\.csv: row 3: duplicate"):
        load_trials()


def test_trial_level_facts_must_agree_across_rows(scratch):
    _write(scratch, [GOOD_ROW, {**GOOD_ROW, "arm": "b", "n_randomised": "120"}])
    with pytest.raises(DataError, match=r"row 3, column 'n_randomised'.*differs"):
        load_trials()


def test_a_wrong_header_is_refused(scratch):
    header = tuple(column for column in COLUMNS if column != "p_value")
    _write(scratch, [GOOD_ROW], header=header)
    with pytest.raises(DataError, match=r"row 1 \(header\).*missing: \['p_value'\]"):
        load_trials()


def test_an_edit_to_the_file_is_seen_without_clearing_the_cache(scratch):
    # A clinician fixing trials.csv in a running notebook must see the fix without a kernel restart.
    _write(scratch, [GOOD_ROW])
    assert len(load_trials()) == 1
    _write(scratch, [GOOD_ROW, {**GOOD_ROW, "arm": "b", "events": "10", "value": "0.2"}])
    assert len(load_trials()) == 2


def test_a_source_appended_to_the_bibliography_is_seen_without_a_restart(scratch):
    assert "zz_appended2099" not in bibliography_keys()
    with (scratch / "references.bib").open("a", encoding="utf-8") as handle:
        handle.write("\n@misc{zz_appended2099,\n  title = {A source appended while the kernel runs},\n}\n")
    assert "zz_appended2099" in bibliography_keys()
