"""The therapy vocabulary of the public API, read from ``data/therapies.yaml``."""

from __future__ import annotations

from functools import cache

from pydantic import BaseModel, model_validator

from nmd_immuno.content.loader import load_yaml_model

THERAPIES_FILE = "therapies.yaml"


class TherapyVocabulary(BaseModel):
    classes: dict[str, list[str]]
    #: Readable class names: the one source for every page and table that shows a class.
    class_labels: dict[str, str]
    labels: dict[str, str]

    @model_validator(mode="after")
    def _every_id_once_and_labelled(self) -> TherapyVocabulary:
        seen: dict[str, str] = {}
        for cls, ids in self.classes.items():
            for therapy in ids:
                if therapy in seen:
                    raise ValueError(f"therapy {therapy!r} is in both {seen[therapy]!r} and {cls!r}")
                seen[therapy] = cls
        missing = sorted(set(seen) - set(self.labels))
        if missing:
            raise ValueError(f"therapies without a label: {missing}")
        unlabelled = [cls for cls in self.classes if cls not in self.class_labels]
        unknown = sorted(set(self.class_labels) - set(self.classes))
        if unlabelled or unknown:
            raise ValueError(
                f"class_labels: classes without a label {unlabelled}, labels of unknown classes {unknown}; "
                f"allowed: one label per class in {', '.join(self.classes)}"
            )
        return self

    def class_of(self) -> dict[str, str]:
        return {therapy: cls for cls, ids in self.classes.items() for therapy in ids}


@cache
def vocabulary() -> TherapyVocabulary:
    return load_yaml_model(THERAPIES_FILE, TherapyVocabulary)


def _ids() -> frozenset[str]:
    return frozenset(vocabulary().class_of())


THERAPY_IDS: frozenset[str] = _ids()


def therapy_class(therapy_id: str) -> str:
    """Class of a therapy id (``therapy_class('efgartigimod') == 'fcrn_inhibitor'``)."""
    try:
        return vocabulary().class_of()[therapy_id]
    except KeyError:
        raise ValueError(
            f"therapy: unknown id {therapy_id!r}; allowed: {', '.join(sorted(THERAPY_IDS))}"
        ) from None


def class_label(cls: str) -> str:
    """Readable name of a therapy class (``class_label('anti_cd20') == 'Anti-CD20 antibody'``)."""
    labels = vocabulary().class_labels
    if cls not in labels:
        raise ValueError(f"therapy class: unknown id {cls!r}; allowed: {', '.join(labels)}")
    return labels[cls]


def therapy_label(therapy_id: str) -> str:
    """Human-readable name of a therapy id."""
    therapy_class(therapy_id)  # validates the id
    return vocabulary().labels[therapy_id]
