"""Readable displays of the simulator's results: the trial-replication table and the cohort summary."""

from __future__ import annotations

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from nmd_immuno.simulate import (
    SimulationInputError,
    compare_strategies,
    list_strategies,
    plot_comparison,
    replicate_trial,
    replication_table,
    summarize_cohorts,
    summary_table,
)
from nmd_immuno.simulate.tables import REPLICATION_HEADERS

MG = "myasthenia_gravis"


def _cells(table: str) -> tuple[list[str], list[list[str]], BeautifulSoup]:
    soup = BeautifulSoup(table, "html.parser")
    headers = [th.get_text() for th in soup.select("thead th")]
    rows = [[td.get_text() for td in tr.select("td")] for tr in soup.select("tbody tr")]
    return headers, rows, soup


def test_replication_table_reads_like_a_table_not_a_dataframe() -> None:
    frame = replicate_trial("ICE", seed=0)
    table = replication_table(frame)
    assert table._repr_html_() == str(table)
    headers, rows, soup = _cells(table)
    assert headers == [REPLICATION_HEADERS[column] for column in frame.columns]  # no index column
    assert not any("_" in header for header in headers)
    assert len(rows) == len(frame)
    text = soup.get_text()
    assert "NaN" not in text and "None" not in text and "..." not in text
    for row, (_, record) in zip(rows, frame.iterrows(), strict=True):
        shown = dict(zip(frame.columns, row, strict=True))
        assert shown["outcome"] == record["outcome"]  # the whole text, wrapped by CSS rather than cut
        if record["within_tolerance"] is None:
            assert shown["within_tolerance"] == "—" and shown["published_effect"] == "—"
        else:
            assert shown["within_tolerance"] == ("✓" if record["within_tolerance"] else "✗")
    assert "white-space:normal" in soup.td["style"]


def test_replication_table_of_a_selection_keeps_its_columns_and_order() -> None:
    columns = ["note", "arm", "within_tolerance"]
    headers, rows, _ = _cells(replication_table(replicate_trial("MGTX", seed=0)[columns]))
    assert headers == ["Note", "Arm", "Within tolerance"]
    assert all(row[2] in {"✓", "✗", "—"} for row in rows)


def test_a_failed_check_shows_a_cross() -> None:
    frame = pd.DataFrame({"arm": ["A", "B"], "within_tolerance": [False, True], "extra_col": [1.23456, None]})
    headers, rows, _ = _cells(replication_table(frame))
    assert headers == ["Arm", "Within tolerance", "Extra col"]
    assert rows == [["A", "✗", "1.235"], ["B", "✓", "—"]]


@pytest.mark.parametrize("bad", [None, [1, 2], "ICE"])
def test_tables_refuse_what_is_not_a_dataframe(bad: object) -> None:
    with pytest.raises(SimulationInputError, match=r"^frame: .* is not a DataFrame; give"):
        replication_table(bad)  # type: ignore[arg-type]
    with pytest.raises(SimulationInputError, match=r"^summary: .* is not a DataFrame; give"):
        summary_table(bad)  # type: ignore[arg-type]


def test_summary_table_heads_columns_with_strategy_labels_and_shows_shares_in_percent() -> None:
    cohorts = compare_strategies(MG, ["prednisone_alone", "placebo"], n_patients=200, months=6, seed=2)
    summary = summarize_cohorts(cohorts)
    headers, rows, soup = _cells(summary_table(summary))
    labels = list_strategies(MG)
    assert headers == ["Measure", labels["prednisone_alone"], labels["placebo"]]
    assert [th.get("data-strategy") for th in soup.select("thead th")[1:]] == ["prednisone_alone", "placebo"]
    by_name = {row[0]: row[1:] for row in rows}
    responders = by_name["responders at month 6"]
    expected = summary.loc["prednisone_alone", "responders at month 6"]
    assert responders[0].endswith("%") and float(responders[0][:-1]) == pytest.approx(
        100 * expected, abs=0.06
    )
    assert "minimal symptom expression (MG-ADL 0-1) at month 6" in by_name
    assert not any(name.startswith("MSE") for name in by_name)
    assert by_name["patients"] == ["200", "200"]  # counts stay counts


def test_cidp_summary_has_no_minimal_symptom_expression() -> None:
    """MSE is an MG outcome; the CIDP score spec names none, so the column is left out, not relabelled."""
    summary = summarize_cohorts(compare_strategies("cidp", ["ivig", "placebo"], n_patients=50, months=3))
    assert not any("minimal symptom" in column or "MSE" in column for column in summary.columns)
    assert "responders at month 3" in summary.attrs["proportions"]


def test_strategy_colours_do_not_depend_on_the_pair_plotted() -> None:
    def colours(pair: list[str]) -> dict[str, str]:
        cohorts = compare_strategies(MG, pair, n_patients=20, months=2, seed=0)
        right = plot_comparison(cohorts, sample=0).axes[1]
        return {line.get_label(): line.get_color() for line in right.lines}

    labels = list_strategies(MG)
    first = colours(["prednisone_alone", "placebo"])
    second = colours(["efgartigimod", "prednisone_alone"])
    assert first[labels["prednisone_alone"]] == second[labels["prednisone_alone"]]
    assert second[labels["efgartigimod"]] != second[labels["prednisone_alone"]]
