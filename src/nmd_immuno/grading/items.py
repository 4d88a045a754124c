"""Item analysis of an assignment from the nbgrader gradebook.

An *item* is one graded cell (an autograder test cell or a manually graded answer). For each item:

- ``difficulty``: the mean proportion of the item's points obtained (classical difficulty index *p*; for an
  all-or-nothing item, the proportion of students who got it right). High *p* means easy.
- ``point_biserial``: Pearson correlation between the item score and the *rest* score (total minus this item,
  so the item does not correlate with itself). For an all-or-nothing item this is the point-biserial
  correlation. Positive: students who do well overall tend to get this item right.
- ``discrimination_ul``: upper-lower index *D*: proportion of points obtained by the top group (by total
  score, ``group_fraction`` = 27 % by convention) minus that of the bottom group.

Flags: ``too_easy`` (p above ``easy``), ``too_hard`` (p below ``hard``), ``negative_discrimination`` (r or D
below 0: the stronger students do worse, often a wrong key or an ambiguous question), ``low_discrimination``
(0 <= r < ``low``), ``no_variance`` (everybody scored the same), ``not_enough_data`` (fewer than 3 scores).
Students whose submission needs review (kernel died, invalid notebook, ...) are left out by default: their
zeros say nothing about the items.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from nmd_immuno.grading.course import Course
from nmd_immuno.grading.gradebook import grades_frame
from nmd_immuno.grading.outcomes import load_outcomes, needs_review

ANALYSIS_COLUMNS = [
    "item",
    "kind",
    "max_points",
    "n",
    "mean_score",
    "sd",
    "difficulty",
    "point_biserial",
    "upper_p",
    "lower_p",
    "discrimination_ul",
    "flags",
]


@dataclass(frozen=True)
class Thresholds:
    """Conventional cut-offs (classical test theory); change them to suit a course."""

    easy: float = 0.90
    hard: float = 0.30
    low: float = 0.20
    group_fraction: float = 0.27

    def __post_init__(self) -> None:
        for name in ("easy", "hard", "low", "group_fraction"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and 0 <= value <= 1):
                raise ValueError(f"{name}: got {value!r}; allowed: a number from 0 to 1")
        if self.hard >= self.easy:
            raise ValueError(f"hard ({self.hard}) must be below easy ({self.easy})")
        if self.group_fraction == 0 or self.group_fraction > 0.5:
            raise ValueError(f"group_fraction: got {self.group_fraction}; allowed: more than 0, at most 0.5")


@dataclass
class ItemReport:
    """Everything the report notebook and the CLI show for one assignment."""

    assignment: str
    scores: pd.DataFrame  # students x items (NaN: not scored yet)
    max_points: dict[str, float]
    kinds: dict[str, str]
    analysis: pd.DataFrame
    alpha: float
    excluded: list[str] = field(default_factory=list)


def score_matrix(grades: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, float], dict[str, str]]:
    """Students x items from a long gradebook table (``gradebook.grades_frame``).

    An answer that still waits for a manual grade is NaN, not 0. Items of several notebooks are named
    ``notebook/item``.
    """
    if grades.empty:
        return pd.DataFrame(), {}, {}
    g = grades.copy()
    multi = g["notebook"].nunique() > 1
    g["key"] = (g["notebook"] + "/" + g["item"]) if multi else g["item"]
    pending = g["needs_manual_grade"] & g["manual_score"].isna()
    g["value"] = g["score"].where(~pending)
    matrix = g.pivot(index="student", columns="key", values="value").sort_index()
    matrix.columns.name = None
    max_points = {k: float(v) for k, v in g.groupby("key")["max_score"].first().items()}
    kinds = {k: str(v) for k, v in g.groupby("key")["kind"].first().items()}
    return matrix.astype(float), max_points, kinds


def _pearson(x: np.ndarray, y: np.ndarray) -> float:
    if len(x) < 3 or np.std(x) == 0 or np.std(y) == 0:
        return float("nan")
    return float(np.corrcoef(x, y)[0, 1])


def item_analysis(
    scores: pd.DataFrame,
    max_points: Mapping[str, float],
    *,
    kinds: Mapping[str, str] | None = None,
    thresholds: Thresholds | None = None,
) -> pd.DataFrame:
    """Difficulty, point-biserial, upper-lower discrimination and flags per item (one row per item)."""
    t = thresholds or Thresholds()
    missing = [c for c in scores.columns if c not in max_points]
    if missing:
        raise ValueError(f"max_points: no maximum given for items {missing}")
    bad = {k: v for k, v in max_points.items() if not (v > 0)}
    if bad:
        raise ValueError(f"max_points: got {bad}; allowed: points > 0")
    total = scores.sum(axis=1, skipna=True)
    order = sorted(scores.index, key=lambda s: (-total[s], s))  # strongest first, ties by student id
    n_students = len(order)
    n_group = max(1, round(t.group_fraction * n_students)) if n_students >= 2 else 0
    upper, lower = order[:n_group], order[n_students - n_group :] if n_group else []
    rows = []
    for item in scores.columns:
        col = scores[item]
        have = col.dropna()
        mx = float(max_points[item])
        frac = have / mx
        n = int(have.size)
        rest = (total - col.fillna(0.0))[have.index]
        r = _pearson(have.to_numpy(), rest.to_numpy())
        up = scores.loc[upper, item].dropna() / mx if n_group else pd.Series(dtype=float)
        lo = scores.loc[lower, item].dropna() / mx if n_group else pd.Series(dtype=float)
        upper_p = float(up.mean()) if len(up) else float("nan")
        lower_p = float(lo.mean()) if len(lo) else float("nan")
        d = upper_p - lower_p if len(up) and len(lo) else float("nan")
        p = float(frac.mean()) if n else float("nan")
        rows.append(
            {
                "item": item,
                "kind": (kinds or {}).get(item, ""),
                "max_points": mx,
                "n": n,
                "mean_score": float(have.mean()) if n else float("nan"),
                "sd": float(have.std(ddof=0)) if n else float("nan"),
                "difficulty": p,
                "point_biserial": r,
                "upper_p": upper_p,
                "lower_p": lower_p,
                "discrimination_ul": d,
                "flags": ";".join(_flags(p, r, d, n, have, t)),
            }
        )
    return pd.DataFrame(rows, columns=ANALYSIS_COLUMNS)


def _flags(p: float, r: float, d: float, n: int, have: pd.Series, t: Thresholds) -> list[str]:
    if n < 3:
        return ["not_enough_data"]
    flags = []
    if p > t.easy:
        flags.append("too_easy")
    if p < t.hard:
        flags.append("too_hard")
    if have.nunique() <= 1:
        flags.append("no_variance")
    if (not math.isnan(r) and r < 0) or (not math.isnan(d) and d < 0):
        flags.append("negative_discrimination")
    elif not math.isnan(r) and r < t.low:
        flags.append("low_discrimination")
    return flags


def cronbach_alpha(scores: pd.DataFrame) -> float:
    """Internal consistency of the items (students with every item scored); NaN if it cannot be computed."""
    complete = scores.dropna()
    k = complete.shape[1]
    if k < 2 or len(complete) < 3:
        return float("nan")
    total_var = complete.sum(axis=1).var(ddof=1)
    if total_var == 0:
        return float("nan")
    return float(k / (k - 1) * (1 - complete.var(ddof=1).sum() / total_var))


def example_scores(n_students: int = 40, seed: int = 1) -> tuple[pd.DataFrame, dict[str, float]]:
    """A synthetic cohort (not real students) for learning to read the report: one item of each kind the flags
    are meant to catch, driven by a simulated ability."""
    rng = np.random.default_rng(seed)
    ability = rng.normal(size=n_students)
    noise = rng.normal(scale=0.6, size=(4, n_students))
    scores = pd.DataFrame(
        {
            "dose_arithmetic": (ability + noise[0] > -2.2).astype(float) * 2,
            "hard_stop_check": (ability + noise[1] > -0.2).astype(float) * 2,
            "crisis_plan": np.clip(np.round(ability + noise[2] + 1.2), 0, 3),
            "ambiguous_item": (ability + noise[3] < -0.2).astype(float),
            "rare_subtype": (ability > 1.6).astype(float) * 2,
        },
        index=[f"student{i:02d}" for i in range(n_students)],
    )
    return scores, {
        "dose_arithmetic": 2,
        "hard_stop_check": 2,
        "crisis_plan": 3,
        "ambiguous_item": 1,
        "rare_subtype": 2,
    }


def analyse_assignment(
    course: Course,
    assignment: str,
    *,
    include_review: bool = False,
    kinds: Iterable[str] = ("autograded", "manual", "task"),
    thresholds: Thresholds | None = None,
) -> ItemReport:
    """Item analysis of ``assignment`` from the course's gradebook (real nbgrader sqlite database)."""
    grades = grades_frame(course, assignment)
    grades = grades[grades["kind"].isin(list(kinds))]
    excluded: list[str] = []
    if not include_review:
        outcomes = load_outcomes(course.outcomes_dir(assignment))
        excluded = sorted(s for s, o in outcomes.items() if needs_review(o.status))
        grades = grades[~grades["student"].isin(excluded)]
    scores, max_points, kind_of = score_matrix(grades)
    analysis = item_analysis(scores, max_points, kinds=kind_of, thresholds=thresholds)
    return ItemReport(assignment, scores, max_points, kind_of, analysis, cronbach_alpha(scores), excluded)


def distribution_figure(report: ItemReport) -> Figure:
    """One small bar chart per item: how many students obtained each score."""
    items = list(report.scores.columns)
    ncols = min(4, max(1, len(items)))
    nrows = max(1, math.ceil(len(items) / ncols))
    fig = plt.figure(figsize=(3.2 * ncols, 2.4 * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for ax, item in zip(axes.flat, items, strict=False):
        counts = report.scores[item].dropna().value_counts().sort_index()
        ax.bar([f"{v:g}" for v in counts.index], counts.to_numpy(), color="#4477aa")
        ax.set_title(f"{item} (max {report.max_points[item]:g})", fontsize=9)
        ax.set_xlabel("score", fontsize=8)
        ax.set_ylabel("students", fontsize=8)
    for ax in list(axes.flat)[len(items) :]:
        ax.set_visible(False)
    fig.suptitle(f"Score distribution per item: {report.assignment}")
    return _detached(fig)


def difficulty_discrimination_figure(report: ItemReport, thresholds: Thresholds | None = None) -> Figure:
    """Each item placed by difficulty (x) and point-biserial discrimination (y), with the flag zones
    shaded."""
    t = thresholds or Thresholds()
    a = report.analysis
    fig = plt.figure(figsize=(6.4, 4.2), layout="constrained")
    ax = fig.subplots()
    ax.axvspan(0, t.hard, color="#f4cccc", alpha=0.6, label="too hard")
    ax.axvspan(t.easy, 1.0, color="#fff2cc", alpha=0.8, label="too easy")
    ax.axhspan(-1, 0, color="#d9d2e9", alpha=0.6, label="negative discrimination")
    ax.axhline(t.low, color="grey", lw=0.8, ls="--")
    y = a["point_biserial"].fillna(0.0)
    ax.scatter(a["difficulty"], y, color="#222222", zorder=3)
    for _, row in a.iterrows():
        right = row["difficulty"] > 0.75  # keep labels inside the axes
        ax.annotate(
            str(row["item"]),
            (row["difficulty"], 0.0 if pd.isna(row["point_biserial"]) else row["point_biserial"]),
            fontsize=8,
            xytext=(-4 if right else 4, 3),
            textcoords="offset points",
            ha="right" if right else "left",
        )
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-1.0, 1.0)
    ax.set_xlabel("difficulty index p (proportion of points obtained)")
    ax.set_ylabel("point-biserial r (item vs rest)")
    ax.set_title(f"Item difficulty and discrimination: {report.assignment}")
    ax.legend(fontsize=7, loc="lower left")
    return _detached(fig)


def _detached(fig: Figure) -> Figure:
    """Made through pyplot (so a notebook's inline backend can show it), then closed: it appears once,
    where it is returned or displayed, and is not kept in pyplot's global state."""
    plt.close(fig)
    return fig
