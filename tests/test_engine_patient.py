"""Patient validation: every refusal names the field, the value given and what is allowed."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nmd_immuno import DISORDERS, PatientError, recommend
from nmd_immuno.content.algorithms import available_algorithms
from nmd_immuno.content.patient_fields import load_patient_fields
from nmd_immuno.engine import PathwayNotAvailable, Recommendation, preset_patients, validate_patient

MG = "myasthenia_gravis"
BASE: dict[str, Any] = {"age": 42, "antibody": "achr", "distribution": "generalized"}

# The patient fields of the public API spec (shared/spec/decision-api.md): a contract, checked value by value.
SPEC_FIELDS = {
    "cidp": {
        "variant": {"typical", "distal", "multifocal", "focal", "motor", "sensory"},
        "nodal_antibody": {"none", "nf155", "cntn1", "caspr1", "nf186", "unknown"},
        "severity": {"mild", "moderate", "severe"},
    },
    "mmn": {"anti_gm1": {"positive", "negative", "unknown"}, "severity": {"mild", "moderate", "severe"}},
    "paraproteinemic": {
        "syndrome": {"anti_mag", "igm_non_mag", "igg_iga_mgus", "poems", "canomad"},
        "severity": {"mild", "moderate", "severe"},
        "progression": {"stable", "progressive"},
        "bone_lesions": {"none", "limited", "widespread"},
        "hematologic_malignancy": bool,
    },
    "myasthenia_gravis": {
        "antibody": {"achr", "musk", "lrp4", "seronegative"},
        "distribution": {"ocular", "generalized"},
        "mgfa_class": {"I", "IIa", "IIb", "IIIa", "IIIb", "IVa", "IVb", "V"},
        "thymoma": bool,
        "crisis": bool,
        "planning_pregnancy": bool,
    },
    "myositis": {
        "subtype": {"dm", "asys", "imnm", "pm", "ibm", "ici"},
        "antibody": {
            "none",
            "jo1",
            "pl7",
            "pl12",
            "mda5",
            "tif1g",
            "nxp2",
            "mi2",
            "sae",
            "hmgcr",
            "srp",
            "other",
        },
        "statin_exposure": bool,
        "ild": {"none", "chronic", "rapidly_progressive"},
        "severity": {"mild", "moderate", "severe"},
    },
}

VALID = {
    "cidp": {"age": 60, "variant": "typical", "severity": "moderate"},
    "mmn": {"age": 45, "severity": "mild"},
    "paraproteinemic": {"age": 70, "syndrome": "anti_mag", "severity": "mild", "progression": "stable"},
    "myasthenia_gravis": dict(BASE),
    "myositis": {"age": 50, "subtype": "dm", "severity": "moderate"},
}


def refusal(patient: Any, disorder: str = MG) -> str:
    with pytest.raises(PatientError) as info:
        recommend(disorder, patient)
    return str(info.value)


def test_patient_fields_match_the_public_spec() -> None:
    fields = load_patient_fields()
    common = fields.common
    assert set(common) == {"age", "sex", "weight_kg", "pregnant", "history"}
    assert (common["age"].min, common["age"].max) == (0, 110)
    assert (common["weight_kg"].min, common["weight_kg"].max) == (2, 350)
    assert set(common["sex"].values or []) == {"female", "male"}
    assert set(fields.disorders) == set(DISORDERS)
    for disorder, spec in SPEC_FIELDS.items():
        own = fields.disorders[disorder]
        assert set(own) == set(spec), disorder
        for name, allowed in spec.items():
            if allowed is bool:
                assert own[name].type == "bool"
            else:
                assert set(own[name].values or []) == allowed, (disorder, name)


def test_unknown_disorder() -> None:
    message = refusal(BASE, disorder="myasthenia")
    assert "disorder" in message and "'myasthenia'" in message and "myasthenia_gravis" in message


def test_unknown_field_suggests_the_right_one() -> None:
    message = refusal({**BASE, "antibdy": "achr"})
    assert message.startswith("antibdy:") and "did you mean 'antibody'" in message


def test_value_outside_its_set() -> None:
    message = refusal({**BASE, "antibody": "AChR"})
    assert (
        message.startswith("antibody:")
        and "'AChR'" in message
        and "'achr'" in message
        and "'musk'" in message
    )


def test_value_outside_its_range() -> None:
    message = refusal({**BASE, "age": 130})
    assert message.startswith("age:") and "130" in message and "0 to 110" in message
    message = refusal({**BASE, "weight_kg": 1})
    assert message.startswith("weight_kg:") and "2 to 350" in message


@pytest.mark.parametrize("value", ["42", float("nan"), float("inf"), True, None])
def test_age_must_be_a_finite_number(value: Any) -> None:
    message = refusal({**BASE, "age": value})
    assert message.startswith("age:")


def test_bool_fields_refuse_strings_and_numbers() -> None:
    for value in ("yes", 1, "true"):
        message = refusal({**BASE, "thymoma": value})
        assert message.startswith("thymoma:") and "true or false" in message


def test_missing_required_field() -> None:
    message = refusal({"age": 42, "distribution": "generalized"})
    assert message.startswith("antibody: missing required field") and "'seronegative'" in message


def test_history_unknown_therapy() -> None:
    message = refusal({**BASE, "history": {"prednisone": "response"}})
    assert "history" in message and "'prednisone'" in message and "corticosteroids" in message


def test_history_unknown_outcome() -> None:
    message = refusal({**BASE, "history": {"azathioprine": "good"}})
    assert message.startswith("history.azathioprine:") and "'good'" in message
    assert "relapse_on_taper" in message and "no_response" in message


def test_history_must_be_a_mapping() -> None:
    message = refusal({**BASE, "history": ["azathioprine"]})
    assert message.startswith("history:") and "mapping" in message


def test_patient_must_be_a_mapping() -> None:
    assert "mapping" in refusal([("age", 42)])


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"pregnant": True, "sex": "male"}, "pregnant/sex"),
        ({"planning_pregnancy": True, "sex": "male"}, "planning_pregnancy/sex"),
        ({"distribution": "ocular", "mgfa_class": "IIIa"}, "distribution/mgfa_class"),
        ({"distribution": "generalized", "mgfa_class": "I"}, "distribution/mgfa_class"),
        ({"distribution": "ocular", "crisis": True}, "distribution/crisis"),
    ],
)
def test_impossible_combinations(changes: dict[str, Any], fields: str) -> None:
    message = refusal({**BASE, **changes})
    assert message.startswith(fields) and "invalid combination" in message


def test_crisis_needs_generalized_disease() -> None:
    """Crisis is bulbar or respiratory weakness: the message names both fields, the values and the way out."""
    message = refusal({**BASE, "distribution": "ocular", "mgfa_class": "I", "crisis": True})
    assert "distribution='ocular'" in message and "crisis=True" in message
    assert "generalized" in message and "crisis false" in message
    assert recommend(MG, {**BASE, "distribution": "ocular", "mgfa_class": "I", "crisis": False})


def test_defaults_are_filled_in() -> None:
    patient = validate_patient(MG, BASE)
    assert patient["thymoma"] is False and patient["crisis"] is False and patient["history"] == {}
    assert patient["sex"] is None and patient["mgfa_class"] is None and patient["pregnant"] is False


def test_input_is_not_modified() -> None:
    patient = {**BASE, "history": {"pyridostigmine": "partial"}}
    before = repr(patient)
    recommend(MG, patient)
    assert repr(patient) == before


def test_numpy_values_are_accepted() -> None:
    np = pytest.importorskip("numpy")
    patient = validate_patient(MG, {**BASE, "age": np.int64(42), "thymoma": np.bool_(False)})
    assert patient["age"] == 42 and patient["thymoma"] is False


@pytest.mark.parametrize("disorder", DISORDERS)
def test_other_disorders_validate_before_saying_not_yet_available(disorder: str) -> None:
    # An invalid patient is refused as such, whether or not the pathway exists yet.
    message = refusal({**VALID[disorder], "age": -1}, disorder=disorder)
    assert message.startswith("age:")
    if disorder in available_algorithms():
        assert isinstance(recommend(disorder, VALID[disorder]), Recommendation)
    else:
        with pytest.raises(PathwayNotAvailable, match=re.escape(f"{disorder}: the treatment pathway")):
            recommend(disorder, VALID[disorder])
        assert issubclass(PathwayNotAvailable, NotImplementedError)


@given(
    disorder=st.sampled_from(available_algorithms()),
    magnitude=st.integers(min_value=309, max_value=6000),
    sign=st.sampled_from([1, -1]),
)
@settings(max_examples=60, deadline=None)
def test_integers_too_large_for_a_float_are_refused_with_the_field_and_range(
    disorder: str, magnitude: int, sign: int
) -> None:
    numbers = [n for n, s in load_patient_fields().fields_for(disorder).items() if s.type == "number"]
    assert numbers, disorder
    field = numbers[magnitude % len(numbers)]
    with pytest.raises(PatientError) as info:
        patient = next(iter(preset_patients(disorder).values()))
        recommend(disorder, {**patient, field: sign * 10**magnitude})
    message = str(info.value)
    assert message.startswith(f"{field}: an integer of "), message
    assert "out of range; allowed: a number from" in message
