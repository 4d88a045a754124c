"""Write the item-analysis report of an assignment to files (CSV table, two PNG figures, a short summary)."""

from __future__ import annotations

from pathlib import Path

from nmd_immuno.grading.course import Course
from nmd_immuno.grading.item_stats import write_item_stats
from nmd_immuno.grading.items import (
    analyse_assignment,
    difficulty_discrimination_figure,
    distribution_figure,
)


def summary_text(report) -> str:
    a = report.analysis
    lines = [
        f"Item analysis of {report.assignment}: {len(report.scores)} students, {len(a)} items, "
        f"Cronbach's alpha {report.alpha:.2f}"
        if report.alpha == report.alpha
        else f"Item analysis of {report.assignment}: {len(report.scores)} students, {len(a)} items",
    ]
    if report.excluded:
        lines.append(f"Left out (submission needs review): {', '.join(report.excluded)}")
    for _, row in a.iterrows():
        if row["flags"]:
            lines.append(
                f"- {row['item']}: {row['flags'].replace(';', ', ')} (p={row['difficulty']:.2f}, "
                f"r={row['point_biserial']:.2f}, D={row['discrimination_ul']:.2f})"
            )
    return "\n".join(lines)


def write_item_report(
    course: Course,
    assignment: str,
    output_dir: Path | None = None,
    *,
    include_review: bool = False,
    stats_dir: Path | None = None,
) -> list[Path]:
    """The report files; with ``stats_dir``, the statistics are also written back beside the items there
    (``item_stats.write_item_stats``)."""
    report = analyse_assignment(course, assignment, include_review=include_review)
    out = output_dir or course.reports_dir / "items"
    out.mkdir(parents=True, exist_ok=True)
    table = out / f"{assignment}-items.csv"
    report.analysis.to_csv(table, index=False)
    dist = out / f"{assignment}-distributions.png"
    distribution_figure(report).savefig(dist, dpi=110)
    scatter = out / f"{assignment}-difficulty-discrimination.png"
    difficulty_discrimination_figure(report).savefig(scatter, dpi=110)
    summary = out / f"{assignment}-summary.txt"
    summary.write_text(summary_text(report) + "\n", encoding="utf-8")
    paths = [table, dist, scatter, summary]
    if stats_dir is not None:
        paths.append(write_item_stats(report.analysis, assignment, folder=stats_dir))
    return paths
