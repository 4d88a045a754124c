"""The pathway files are refused, with the file and the key named, whenever they are malformed.

Each test breaks one thing in a copy of the real MG pathway (in a temporary folder) and checks the message, so
a clinician editing ``data/algorithms/`` learns exactly where the mistake is.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from nmd_immuno.content.algorithms import available_algorithms, load_algorithm
from nmd_immuno.content.bibliography import bibliography_keys
from nmd_immuno.content.loader import load_yaml_model
from nmd_immuno.content.logic_check import JSONLOGIC_OPERATORS
from nmd_immuno.content.patient_fields import PatientFields, load_patient_fields
from nmd_immuno.content.therapies import THERAPY_IDS
from nmd_immuno.errors import DataError
from nmd_immuno.paths import data_dir

SOURCE = data_dir() / "algorithms" / "myasthenia_gravis.yaml"
FILE = "myasthenia_gravis.yaml"


def original() -> dict[str, Any]:
    return yaml.safe_load(SOURCE.read_text(encoding="utf-8"))


def node(doc: dict[str, Any], node_id: str) -> dict[str, Any]:
    return next(n for n in doc["nodes"] if n["id"] == node_id)


def broken(tmp_path: Path, change: Callable[[dict[str, Any]], None]) -> str:
    """Load a copy of the MG pathway after ``change``; return the DataError message it must raise."""
    doc = copy.deepcopy(original())
    change(doc)
    target = tmp_path / FILE
    target.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_algorithm(target)
    message = str(info.value)
    assert FILE in message, f"the message does not name the file: {message}"
    return message


def test_the_real_pathways_load() -> None:
    assert "myasthenia_gravis" in available_algorithms()
    for disorder in available_algorithms():
        algorithm = load_algorithm(disorder)
        assert algorithm.nodes and algorithm.presets


def test_an_unchanged_copy_loads(tmp_path: Path) -> None:
    target = tmp_path / FILE
    target.write_text(yaml.safe_dump(original(), sort_keys=False), encoding="utf-8")
    assert load_algorithm(target).start == "crisis_check"


def test_every_therapy_id_and_citation_in_the_data_resolves() -> None:
    """Independent of the loader: walk the raw YAML and check every id and key against the vocabularies."""
    known_refs = bibliography_keys()

    def visit(value: Any, key: str | None = None) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                visit(v, k)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, str) and key in {
                    "offer",
                    "avoid",
                    "therapies",
                    "offers_include",
                    "offers_exclude",
                    "avoid_include",
                }:
                    assert item in THERAPY_IDS, item
                elif isinstance(item, str) and key == "references":
                    assert item in known_refs, item
                else:
                    visit(item, key)

    for disorder in available_algorithms():
        raw = yaml.safe_load((data_dir() / "algorithms" / f"{disorder}.yaml").read_text(encoding="utf-8"))
        visit(raw)
        for preset in raw["presets"].values():
            visit(preset["patient"].get("history", {}))
            assert set(preset["patient"].get("history", {})) <= THERAPY_IDS


def test_bad_jsonlogic_operator(tmp_path: Path) -> None:
    message = broken(
        tmp_path, lambda d: node(d, "crisis_check")["branches"][0].update(when={"regex": ["x", "y"]})
    )
    assert (
        "nodes[crisis_check].branches[0].when" in message and "unknown JsonLogic operator 'regex'" in message
    )


def test_two_operators_in_one_object(tmp_path: Path) -> None:
    message = broken(
        tmp_path,
        lambda d: node(d, "crisis_check")["branches"][0].update(when={"var": "crisis", "==": [1, 1]}),
    )
    assert "exactly one operator" in message


def test_nested_bad_operator_is_found(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["facts"]["in_crisis"] = {"or": [{"var": "crisis"}, {"matches": [{"var": "mgfa_class"}, "V"]}]}

    message = broken(tmp_path, change)
    assert "facts.in_crisis.or[1]" in message and "'matches'" in message


def test_unknown_variable(tmp_path: Path) -> None:
    message = broken(
        tmp_path,
        lambda d: node(d, "distribution_check")["branches"][0].update(
            when={"==": [{"var": "distribtion"}, "ocular"]}
        ),
    )
    assert (
        "nodes[distribution_check].branches[0].when" in message
        and "unknown variable 'distribtion'" in message
    )


def test_comparison_with_an_impossible_value(tmp_path: Path) -> None:
    message = broken(
        tmp_path,
        lambda d: node(d, "refractory_by_antibody")["branches"][0].update(
            when={"==": [{"var": "antibody"}, "AChR"]}
        ),
    )
    assert "nodes[refractory_by_antibody].branches[0].when" in message and "'AChR'" in message


def test_history_compared_with_an_unknown_outcome(tmp_path: Path) -> None:
    message = broken(
        tmp_path,
        lambda d: node(d, "generalized_stage")["branches"][2].update(
            when={"==": [{"var": "history.corticosteroids"}, "responded"]}
        ),
    )
    assert "'responded'" in message and "relapse_on_taper" in message


def test_history_of_an_unknown_therapy(tmp_path: Path) -> None:
    message = broken(
        tmp_path,
        lambda d: node(d, "generalized_stage")["branches"][2].update(
            when={"==": [{"var": "history.prednisone"}, "response"]}
        ),
    )
    assert "'prednisone' is not a therapy id" in message


def test_fact_used_before_it_is_defined(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["facts"] = {"first": {"var": "facts.second"}, **d["facts"], "second": True}

    message = broken(tmp_path, change)
    assert "facts.first" in message and "defined earlier" in message


def test_unknown_goto_target(tmp_path: Path) -> None:
    message = broken(
        tmp_path, lambda d: node(d, "sparing_stage")["branches"][1].update(goto="sparing_nowhere")
    )
    assert (
        "nodes[sparing_stage].branches[1].goto" in message
        and "unknown goto target 'sparing_nowhere'" in message
    )


def test_unknown_next_target(tmp_path: Path) -> None:
    message = broken(tmp_path, lambda d: node(d, "thymectomy_early").update(next="generalised_stage"))
    assert "nodes[thymectomy_early].next" in message and "'generalised_stage'" in message


def test_unknown_start(tmp_path: Path) -> None:
    message = broken(tmp_path, lambda d: d.update(start="begin"))
    assert "start" in message and "'begin'" in message


def test_unknown_therapy_id_in_offer(tmp_path: Path) -> None:
    message = broken(tmp_path, lambda d: node(d, "crisis_rescue").update(offer=["plasmapheresis", "ivig"]))
    assert "nodes[crisis_rescue].offer[0]" in message and "unknown therapy id 'plasmapheresis'" in message


def test_unknown_therapy_id_in_conditional_offer(tmp_path: Path) -> None:
    message = broken(
        tmp_path, lambda d: node(d, "sparing_first")["offer"][-1].update(therapies=["rituximab", "rtx"])
    )
    assert "nodes[sparing_first].offer[4]" in message and "'rtx'" in message


def test_unknown_therapy_id_in_rule_avoid(tmp_path: Path) -> None:
    message = broken(tmp_path, lambda d: d["rules"][0].update(avoid=["chloroquine"]))
    assert "rules[drugs_that_worsen_mg].avoid[0]" in message and "'chloroquine'" in message


def test_unknown_therapy_id_in_therapy_note(tmp_path: Path) -> None:
    message = broken(tmp_path, lambda d: d["therapy_notes"][0].update(therapies=["soliris"]))
    assert "therapy_notes[complement_meningococcal].therapies" in message and "'soliris'" in message


def test_unknown_class_to_continue(tmp_path: Path) -> None:
    message = broken(
        tmp_path,
        lambda d: node(d, "sparing_continue")["continue_from_history"].update(classes=["steroid_sparers"]),
    )
    assert (
        "nodes[sparing_continue].continue_from_history.classes" in message and "'steroid_sparers'" in message
    )


def test_missing_references_on_a_step(tmp_path: Path) -> None:
    message = broken(tmp_path, lambda d: node(d, "refractory_musk").pop("references"))
    assert "nodes[refractory_musk].references" in message and "no citation" in message


def test_empty_references_on_a_rule(tmp_path: Path) -> None:
    message = broken(tmp_path, lambda d: d["rules"][1].update(references=[]))
    assert "rules[musk_restrictions].references" in message and "no citation" in message


def test_unknown_citation_key(tmp_path: Path) -> None:
    message = broken(
        tmp_path, lambda d: node(d, "thymectomy_early").update(references=["wolfe2016mgtx", "mgtx2016"])
    )
    assert "nodes[thymectomy_early].references" in message and "'mgtx2016'" in message


def test_unreachable_node(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["nodes"].append(
            {
                "id": "orphan",
                "title": "Orphan",
                "rationale": "x",
                "references": ["sanders2016mg"],
                "offer": ["ivig"],
            }
        )

    message = broken(tmp_path, change)
    assert "nodes[orphan]" in message and "unreachable" in message


def test_cycle(tmp_path: Path) -> None:
    message = broken(tmp_path, lambda d: node(d, "sparing_continue").update(next="generalized_stage"))
    assert (
        "loops" in message
        and "generalized_stage -> sparing_stage -> sparing_continue -> generalized_stage" in message
    )


def test_branches_need_otherwise(tmp_path: Path) -> None:
    message = broken(tmp_path, lambda d: node(d, "thymoma_check").pop("otherwise"))
    assert "nodes[thymoma_check].otherwise" in message


def test_branches_and_next_together(tmp_path: Path) -> None:
    message = broken(tmp_path, lambda d: node(d, "thymoma_check").update(next="distribution_check"))
    assert "nodes[thymoma_check].next" in message


def test_duplicate_node_id(tmp_path: Path) -> None:
    message = broken(tmp_path, lambda d: node(d, "ocular_at_goal").update(id="ocular_pyridostigmine"))
    assert "duplicate id 'ocular_pyridostigmine'" in message


def test_misspelt_key_is_refused(tmp_path: Path) -> None:
    message = broken(tmp_path, lambda d: node(d, "crisis_rescue").update(refrences=["sanders2016mg"]))
    assert "refrences" in message


def test_unknown_disorder_name(tmp_path: Path) -> None:
    message = broken(tmp_path, lambda d: d.update(disorder="myasthenia"))
    assert "disorder" in message and "'myasthenia'" in message


def test_preset_expectation_with_unknown_therapy(tmp_path: Path) -> None:
    message = broken(tmp_path, lambda d: d["presets"]["crisis"]["expect"].update(offers_include=["plex"]))
    assert "presets.crisis.expect.offers_include" in message and "'plex'" in message


def test_every_allowed_operator_is_standard_json_logic_js() -> None:
    # json-logic-js's operators (v2): the loader must not allow anything the browser evaluator lacks.
    json_logic_js = {
        "==", "===", "!=", "!==", ">", ">=", "<", "<=", "!!", "!", "%", "log", "in", "cat", "substr", "+",
        "*", "-", "/", "min", "max", "merge", "var", "missing", "missing_some", "if", "?:", "and", "or",
        "filter", "map", "reduce", "all", "none", "some",
    }  # fmt: skip
    assert json_logic_js >= JSONLOGIC_OPERATORS and "log" not in JSONLOGIC_OPERATORS


# ------------------------------------------------------------------- through NMD_IMMUNO_DATA (a copied data/)


def test_recommend_reports_a_broken_file_in_the_data_folder(data_copy: Path) -> None:
    from nmd_immuno import recommend

    path = data_copy / "algorithms" / FILE
    doc = original()
    node(doc, "crisis_rescue")["offer"] = ["plasma_exchange", "ivgi"]
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    with pytest.raises(
        DataError, match=r"algorithms/myasthenia_gravis\.yaml: nodes\[crisis_rescue\]\.offer\[1\]"
    ):
        recommend("myasthenia_gravis", {"age": 40, "antibody": "achr", "distribution": "generalized"})


def test_invalid_preset_patient_is_refused(data_copy: Path) -> None:
    from nmd_immuno.engine import preset_patients

    path = data_copy / "algorithms" / FILE
    doc = original()
    doc["presets"]["ocular"]["patient"]["antibody"] = "ach"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    with pytest.raises(DataError) as info:
        preset_patients("myasthenia_gravis")
    assert "presets.ocular.patient" in str(info.value) and "antibody: 'ach'" in str(info.value)


def test_a_missing_pathway_file_means_not_yet_available(data_copy: Path) -> None:
    from nmd_immuno import recommend
    from nmd_immuno.engine import PathwayNotAvailable

    (data_copy / "algorithms" / FILE).unlink()
    with pytest.raises(PathwayNotAvailable):
        recommend("myasthenia_gravis", {"age": 40, "antibody": "achr", "distribution": "generalized"})


# ---------------------------------------------------------------------- patient_fields.yaml


def fields_doc() -> dict[str, Any]:
    return yaml.safe_load((data_dir() / "patient_fields.yaml").read_text(encoding="utf-8"))


def load_fields(tmp_path: Path, doc: dict[str, Any]) -> str:
    target = tmp_path / "patient_fields.yaml"
    target.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_yaml_model(target, PatientFields)
    return str(info.value)


def test_patient_fields_load() -> None:
    assert load_patient_fields().fields_for("myasthenia_gravis")["antibody"].values == [
        "achr",
        "musk",
        "lrp4",
        "seronegative",
    ]


def test_patient_fields_default_outside_values(tmp_path: Path) -> None:
    doc = fields_doc()
    doc["disorders"]["cidp"]["nodal_antibody"]["default"] = "nf-155"
    message = load_fields(tmp_path, doc)
    assert "disorders.cidp.nodal_antibody" in message and "nf-155" in message


def test_patient_fields_reserved_name(tmp_path: Path) -> None:
    doc = fields_doc()
    doc["disorders"]["mmn"]["count"] = {"type": "bool", "label": "Count"}
    assert "reserved" in load_fields(tmp_path, doc)


def test_patient_fields_constraint_with_unknown_variable(data_copy: Path) -> None:
    doc = fields_doc()
    doc["constraints"][0]["invalid_when"] = {"var": "pregnnt"}
    (data_copy / "patient_fields.yaml").write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_patient_fields()
    assert "constraints[pregnant_male].invalid_when" in str(info.value) and "'pregnnt'" in str(info.value)
