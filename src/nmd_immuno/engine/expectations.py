"""Check a recommendation against an :class:`~nmd_immuno.content.algorithms.Expectation`.

Why in the engine: the presets of every pathway file state what their patient must get, and the test suite's
clinical cases state the same kind of promise; both are checked here, by one function, so a fix to a check
reaches every preset and every case at once. It returns what is unmet (rather than asserting) so that a test,
the book build or a clinician's script can report every broken promise of a pathway edit together.
"""

from __future__ import annotations

from nmd_immuno.content.algorithms import Expectation
from nmd_immuno.engine.recommendation import Recommendation


def unmet(rec: Recommendation, expect: Expectation) -> list[str]:
    """Each expectation the recommendation does not meet, as a sentence naming what was found instead."""
    problems: list[str] = []
    offered = rec.therapies
    path = [step.id for step in rec.path]
    missing_steps = [s for s in expect.path_includes if s not in path]
    if missing_steps:
        problems.append(f"the walk does not pass through {missing_steps}; path: {path}")
    if expect.offers_exactly is not None:
        same = (
            offered == expect.offers_exactly
            if expect.exact_order
            else set(offered) == set(expect.offers_exactly)
        )
        if not same:
            problems.append(f"offers exactly {expect.offers_exactly} expected; offered: {offered}")
    missing = [t for t in expect.offers_include if t not in offered]
    if missing:
        problems.append(f"{missing} not offered; offered: {offered}")
    unwanted = [t for t in expect.offers_exclude if t in offered]
    if unwanted:
        problems.append(f"{unwanted} offered but must not be; offered: {offered}")
    not_avoided = [t for t in expect.avoid_include if t not in rec.avoid]
    if not_avoided:
        problems.append(f"{not_avoided} not in the avoid list; avoid: {rec.avoid}")
    for phrase in expect.warnings_include:
        if not any(phrase.lower() in warning.lower() for warning in rec.warnings):
            problems.append(f"no warning mentions {phrase!r}; warnings: {rec.warnings}")
    return problems
