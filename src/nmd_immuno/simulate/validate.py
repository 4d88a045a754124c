"""Input checks shared by the simulator's public entry points (cohorts, trial replication, plots).

Why one place: each entry point used to carry its own copy of "a whole number in a range", and the copies
drifted (one refused ``numpy.int64``, the others accepted it). A notebook or widget must get the same answer,
and the same message, whichever function it calls.
"""

from __future__ import annotations

import numbers

from nmd_immuno.simulate.model import SimulationInputError


def whole_number(field: str, value: object, low: int, high: int) -> int:
    """``value`` as an int if it is a whole number from ``low`` to ``high``, else an error naming ``field``.

    Any integral type is accepted (``int``, ``numpy.int64``...), ``bool`` is not (``True`` is not a cohort
    size), nor are floats, even whole ones (``2.0`` usually means a computation went wrong upstream).
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise SimulationInputError(f"{field}: must be a whole number from {low} to {high} (given: {value!r})")
    if not low <= int(value) <= high:
        raise SimulationInputError(f"{field}: {value} is out of range; allowed: {low} to {high}")
    return int(value)
