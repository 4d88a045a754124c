"""Typed, validated access to everything in ``data/``.

One loader per kind of content, each in its own module (``drugs``, ``algorithms``, ``quizzes``, ``trials``,
``simulation``...), all built on :mod:`nmd_immuno.content.loader`, which turns a schema violation into a
:class:`~nmd_immuno.errors.DataError` naming the file, the row or key, and what is wrong.
"""

from nmd_immuno.content.bibliography import bibliography_keys, check_references, format_reference
from nmd_immuno.content.loader import load_csv_models, load_yaml_model
from nmd_immuno.content.therapies import THERAPY_IDS, therapy_class, therapy_label

__all__ = [
    "THERAPY_IDS",
    "bibliography_keys",
    "check_references",
    "format_reference",
    "load_csv_models",
    "load_yaml_model",
    "therapy_class",
    "therapy_label",
]
