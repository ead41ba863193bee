"""Business rule tasks call a deployed decision by id, in SpiffWorkflow's, Camunda 7's or Camunda 8's
form; the table is bound into the spec; what cannot be bound is refused at deployment naming the task."""

from __future__ import annotations

from dataclasses import replace

import pytest
from lxml import etree

from engine.dmn.reading import read_decision
from engine.dmn.tasks import called_decisions, decision_reference
from engine.errors import ExecutionFailed, ModelInvalid
from engine.parsing import parse_model
from tests.conftest import BPMN_MODELS, read_model
from tests.decision_tables import (
    CAMUNDA_CALL,
    SPIFF_CALL,
    ZEEBE_CALL,
    bpmn_calling,
    dmn,
    lookup_of,
    run_decision,
    shipped_decisions,
)

DISH = dmn([(('"Winter"', "-"), '"Stew"'), (("-", "-"), '"Salad"')], hit_policy="FIRST")
WINTER = {"season": "Winter", "guests": 5}


def refusal(model: bytes, *files: bytes) -> ModelInvalid:
    with pytest.raises(ModelInvalid) as caught:
        parse_model(model, "chon_mon.bpmn", decisions=lookup_of(*files) if files else None)
    assert caught.value.details["element"] == "decide"
    return caught.value


@pytest.mark.parametrize("call", [SPIFF_CALL, CAMUNDA_CALL, ZEEBE_CALL], ids=["spiffworkflow", "camunda", "zeebe"])
def test_each_modeler_s_way_of_naming_the_decision_calls_it(call):
    assert run_decision(DISH, WINTER, bpmn_calling(call=call))["dish"] == "Stew"


def test_the_decision_a_task_calls_is_read_from_the_bpmn_tree():
    root = etree.fromstring(bpmn_calling("le_phi", CAMUNDA_CALL))
    assert called_decisions(root) == {"decide": "le_phi"}


def test_a_decision_that_is_not_deployed_is_refused_naming_it():
    error = refusal(bpmn_calling("mon_an"), DISH)
    assert "The business rule task 'decide' calls the decision 'mon_an', which is not deployed" in error.message


def test_without_deployed_decisions_a_business_rule_task_is_refused():
    assert "which is not deployed: deploy its .dmn file first" in refusal(bpmn_calling()).message


def test_a_task_naming_no_decision_is_refused():
    model = bpmn_calling(call=("", ""))
    assert "names no decision" in refusal(model, DISH).message


def test_a_computed_decision_reference_is_refused():
    assert "computes its decision" in refusal(bpmn_calling("${which}", CAMUNDA_CALL), DISH).message


def test_two_different_references_on_one_task_are_refused():
    model = bpmn_calling("dish", SPIFF_CALL, attributes='camunda:decisionRef="other"')
    assert "names different decisions" in refusal(model, DISH).message


def test_camunda_binding_by_version_pins_the_version():
    node = etree.fromstring(bpmn_calling("dish", CAMUNDA_CALL,
                                         attributes='camunda:decisionRefBinding="version" '
                                                    'camunda:decisionRefVersion="2"')).find(
        ".//{http://www.omg.org/spec/BPMN/20100524/MODEL}businessRuleTask")
    assert (decision_reference(node).decision_id, decision_reference(node).version) == ("dish", 2)


def test_a_pinned_version_that_is_not_deployed_is_refused():
    model = bpmn_calling("dish", CAMUNDA_CALL,
                         attributes='camunda:decisionRefBinding="version" camunda:decisionRefVersion="2"')
    tables = {("dish", None): replace(read_decision(DISH, "t.dmn").table, version=1)}
    with pytest.raises(ModelInvalid) as caught:
        parse_model(model, "t.bpmn", decisions=lambda ref, _e: tables.get((ref.decision_id, ref.version)))
    assert "calls version 2 of the decision 'dish', which is not deployed" in caught.value.message


def test_binding_by_version_tag_is_refused():
    model = bpmn_calling("dish", CAMUNDA_CALL, attributes='camunda:decisionRefBinding="versionTag"')
    assert "binds decision 'dish' by versionTag" in refusal(model, DISH).message


def test_zeebe_s_result_variable_gets_the_result_as_camunda_8_gives_it():
    result = run_decision(DISH, WINTER, bpmn_calling(call=ZEEBE_CALL))
    assert result == {"dish": "Stew", "result": "Stew"}
    collect = dmn([(('"Winter"', "-"), '"Stew"'), (("-", "-"), '"Salad"')], hit_policy="COLLECT")
    assert run_decision(collect, WINTER, bpmn_calling(call=ZEEBE_CALL))["result"] == ["Stew", "Salad"]


@pytest.mark.parametrize("mapping, expected", [
    ("singleEntry", "Stew"), ("singleResult", {"dish": "Stew"}), ("collectEntries", ["Stew"]),
    ("resultList", [{"dish": "Stew"}]),
])
def test_camunda_7_s_result_variable_follows_map_decision_result(mapping, expected):
    model = bpmn_calling("dish", CAMUNDA_CALL,
                         attributes=f'camunda:resultVariable="result" camunda:mapDecisionResult="{mapping}"')
    assert run_decision(DISH, WINTER, model)["result"] == expected


def test_a_single_result_mapping_with_several_results_fails_at_run_time():
    collect = dmn([(('"Winter"', "-"), '"Stew"'), (("-", "-"), '"Salad"')], hit_policy="COLLECT")
    model = bpmn_calling("dish", CAMUNDA_CALL,
                         attributes='camunda:resultVariable="result" camunda:mapDecisionResult="singleResult"')
    with pytest.raises(ExecutionFailed) as caught:
        run_decision(collect, WINTER, model)
    assert "2 rules give results, and the result variable 'result' maps a single result" in caught.value.message


def test_a_single_entry_mapping_of_a_table_with_two_outputs_is_refused():
    two = dmn([(("-", "-"), ('"a"', '"b"'))], outputs=(("A", "a", "string", None), ("B", "b", "string", None)))
    model = bpmn_calling("dish", CAMUNDA_CALL,
                         attributes='camunda:resultVariable="r" camunda:mapDecisionResult="singleEntry"')
    assert "which takes one output; the table has 2" in refusal(model, two).message


def test_a_decision_run_again_replaces_its_list_result():
    collect = dmn([(("-", "-"), '"Soup"'), (("-", "-"), '"Soup"')], hit_policy="COLLECT")
    assert run_decision(collect, {"dish": ["Stew", "Soup", "Tea"]}, whole=True)["dish"] == ["Soup", "Soup"]


def test_the_seed_model_binds_the_shipped_fee_table():
    parsed = parse_model(read_model("cap_ban_sao_van_bang.bpmn"), "cap_ban_sao_van_bang.bpmn",
                         decisions=shipped_decisions())
    table = parsed.subprocess_specs["Processing"].task_specs["tinh_le_phi"].dmnEngine.decision_table
    assert (table.decision_id, table.policy) == ("le_phi_ban_sao", "COLLECT SUM")
    assert (BPMN_MODELS / "le_phi_ban_sao.dmn").exists()
