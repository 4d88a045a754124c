"""Immunotherapy in Neuromuscular Disorders: the course's importable package.

Public API (see ``shared/spec/decision-api.md``): ``recommend``, ``DISORDERS``, ``PatientError``,
``therapy_class``; ``nmd_immuno.dosing``; ``nmd_immuno.simulate``. For education, not for treating patients.
"""

from nmd_immuno import execution_inputs

# First, before any module reads data/: during a book build, the page's kernel records what it reads.
execution_inputs.start_recording()

from nmd_immuno.content.therapies import therapy_class  # noqa: E402
from nmd_immuno.content.vocabulary import DISORDERS  # noqa: E402
from nmd_immuno.errors import PatientError  # noqa: E402

__all__ = ["DISORDERS", "PatientError", "recommend", "therapy_class"]


def __getattr__(name: str):
    # recommend lives in the engine; imported lazily so that `import nmd_immuno` stays cheap and
    # the dosing calculators work even while an algorithm file is being edited.
    if name == "recommend":
        from nmd_immuno.engine import recommend

        return recommend
    raise AttributeError(name)
