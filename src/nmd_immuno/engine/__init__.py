"""The decision engine: a generic walker over the pathways in ``data/algorithms/``.

It knows no disease. ``recommend(disorder, patient)`` validates the patient against
``data/patient_fields.yaml``, walks the disorder's pathway graph (conditions in standard JsonLogic) and
returns a :class:`Recommendation`: the therapies offered at this point, what to avoid, the warnings, the path
of steps taken with their rationale and citations. For education, never for treating patients.
"""

from nmd_immuno.engine.patient import validate_patient
from nmd_immuno.engine.recommendation import Recommendation, Step
from nmd_immuno.engine.walker import (
    PathwayNotAvailable,
    load_pathway,
    preset_labels,
    preset_patients,
    recommend,
)

__all__ = [
    "PathwayNotAvailable",
    "Recommendation",
    "Step",
    "load_pathway",
    "preset_labels",
    "preset_patients",
    "recommend",
    "validate_patient",
]
