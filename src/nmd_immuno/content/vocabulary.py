"""The course's shared vocabulary: the disorders and the outcomes a treatment history records.

Why its own module: the engine, the loaders, the simulator and the widgets all speak these words, and every
data file is checked against them. Kept free of imports so that any module can use it without a cycle.
"""

from __future__ import annotations

#: Disorder ids of the public API (``nmd_immuno.DISORDERS``), in the order the book presents them.
DISORDERS: tuple[str, ...] = ("cidp", "mmn", "paraproteinemic", "myasthenia_gravis", "myositis")

#: The six outcomes a history entry may record (public API vocabulary).
OUTCOMES: tuple[str, ...] = (
    "response",
    "partial",
    "no_response",
    "intolerant",
    "contraindicated",
    "relapse_on_taper",
)

#: Names the engine adds to the patient fields before evaluating a condition; a patient field may not use
#: them.
RESERVED_CONTEXT_NAMES = frozenset({"tried", "outcomes", "count", "facts"})
