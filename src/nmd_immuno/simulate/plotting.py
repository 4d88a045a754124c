"""Plot cohorts side by side: mean score with its interquartile band, and the responder fraction, by month.

Under each mean a few individual patients are drawn faintly: an average of a smooth cohort hides how
uneven single courses are (crises, relapses on taper, non-responders), which is much of what the
simulator is for.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from nmd_immuno.simulate.model import SimulationInputError
from nmd_immuno.simulate.params import load_simulation_params
from nmd_immuno.simulate.validate import whole_number


def trajectory_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Per month: mean score, 25th and 75th centiles, responder fraction (the numbers behind the plot)."""
    column = frame.attrs.get("score_column", "mg_adl")
    grouped = frame.groupby("month", sort=True)
    return pd.DataFrame(
        {
            "mean": grouped[column].mean(),
            "q25": grouped[column].quantile(0.25),
            "q75": grouped[column].quantile(0.75),
            "responders": grouped["responder"].mean(),
        }
    )


#: 20 distinct colours: tab20's strong shades first, then its light ones.
_PALETTE = (
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
    "#17becf", "#aec7e8", "#ff9896", "#98df8a", "#c5b0d5", "#ffbb78", "#c49c94", "#f7b6d2", "#c7c7c7",
    "#dbdb8d", "#9edae5",
)  # fmt: skip


def strategy_colour(frame: pd.DataFrame, fallback: int = 0) -> str:
    """A strategy's colour, fixed by its place in the disorder's parameter file, not by plotting order.

    Why: the book's static plot and the widget's plot show different pairs; prednisone must not be red in
    one and blue in the other. A cohort without ``disorder``/``strategy`` attrs takes ``fallback``'s colour.
    """
    disorder, strategy = frame.attrs.get("disorder"), frame.attrs.get("strategy")
    position = fallback
    if disorder and strategy:
        strategies = list(load_simulation_params(disorder).strategies)
        if strategy in strategies:
            position = strategies.index(strategy)
    return _PALETTE[position % len(_PALETTE)]


SAMPLE_PATIENTS = 20
MAX_SAMPLE = 200


def sample_trajectories(frame: pd.DataFrame, n: int = SAMPLE_PATIENTS) -> pd.DataFrame:
    """Scores of the first ``n`` patients, one row per patient and one column per month.

    The first patients, not a random draw: with the same seed every strategy has the same virtual patients,
    so the sampled lines of two strategies are the same people under each.
    """
    column = frame.attrs.get("score_column", "mg_adl")
    chosen = frame[frame["patient"] < n]
    return chosen.pivot(index="patient", columns="month", values=column)


def plot_comparison(cohorts: dict[str, pd.DataFrame], *, sample: int = SAMPLE_PATIENTS) -> Figure:
    """Two panels: mean score with interquartile band per strategy; responder fraction over months.

    A responder has improved by at least the meaningful change from baseline (2 MG-ADL points for MG).
    ``sample`` individual patients per strategy (all of them in a smaller cohort; the title gives the number
    drawn) are drawn as faint thin lines behind the mean (0: none); their lines carry the gid ``"patient"``
    and the means ``"mean"``, so a test or a reader can tell them apart.
    Returns a matplotlib Figure. It is made through pyplot (so a notebook's inline backend knows how to show
    it) and then closed, so it appears once, where it is returned, and is not kept in pyplot's state.
    """
    if not isinstance(cohorts, dict) or not cohorts:
        raise SimulationInputError("cohorts: give a non-empty dict of strategy name -> cohort DataFrame")
    sample = whole_number("sample", sample, 0, MAX_SAMPLE)
    first = next(iter(cohorts.values()))
    score_name = first.attrs.get("score_name", "MG-ADL")
    score_max = first.attrs.get("score_max", 24)
    improvement = first.attrs.get("responder_improvement", 2)
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
    plt.close(figure)
    drawn: list[int] = []  # individual patients drawn per strategy (fewer than ``sample`` in a small cohort)
    for index, (name, frame) in enumerate(cohorts.items()):
        table = trajectory_table(frame)
        colour = strategy_colour(frame, fallback=index)
        label = frame.attrs.get("strategy_label", name)
        months = table.index.to_numpy()
        if sample:
            individual = sample_trajectories(frame, sample)
            drawn.append(len(individual))
            for row in individual.to_numpy():
                left.plot(individual.columns, row, color=colour, alpha=0.15, linewidth=0.7, gid="patient")
        left.plot(months, table["mean"], color=colour, label=label, linewidth=2, gid="mean")
        left.fill_between(months, table["q25"], table["q75"], color=colour, alpha=0.18, linewidth=0)
        right.plot(months, 100 * table["responders"], color=colour, label=label, linewidth=2, gid="mean")
    left.set_title(
        f"Mean {score_name} (band: interquartile range; faint: {_patients(drawn)})"
        if sample
        else f"Mean {score_name} (band: interquartile range)",
        fontsize="medium",
    )
    left.set_xlabel("month")
    worse = "lower" if first.attrs.get("score_direction") == "higher_is_better" else "higher"
    left.set_ylabel(f"{score_name} (0-{score_max}, {worse} is worse)")
    left.set_ylim(0, min(score_max, float(np.ceil(left.get_ylim()[1])) + 1))
    right.set_title(f"Responders (improved by {improvement} or more points)", fontsize="medium")
    right.set_xlabel("month")
    right.set_ylabel("% of patients")
    right.set_ylim(0, 100)
    for axis in (left, right):
        axis.grid(alpha=0.3)
    right.legend(loc="lower right", fontsize="small")
    n = len(first[first["month"] == 0])
    figure.suptitle(
        f"{n} virtual patients per strategy (teaching simulation, calibrated to published trials)",
        fontsize="medium",
    )
    return figure


def _patients(drawn: list[int]) -> str:
    """How many individual patients the faint lines show: one number, or a range if the cohorts differ."""
    low, high = min(drawn), max(drawn)
    count = str(high) if low == high else f"{low}-{high}"
    return f"{count} patient{'' if high == 1 else 's'}"
