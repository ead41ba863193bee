"""Translations as the engine runs them: deployment's checks accept them, gateway conditions in JUEL and
FEEL route a real workflow, a DMN table with FEEL cells decides through SpiffWorkflow, the helpers reach
every expression but no script and no task data, and each helper bounds the work it does."""

from __future__ import annotations

from xml.sax.saxutils import escape

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from engine import runtime
from engine.errors import ExecutionFailed
from engine.expressions import HELPER_NAMES, ExpressionFailed, helpers_for, timer_value, translate
from engine.parsing import parse_model
from engine.sandbox import SandboxError, compile_model_code
from engine.scripting import make_script_engine
from tests.unit.expressions.running import FEEL, evaluate

GATEWAY = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="http://x">
  <bpmn:process id="review" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="intake"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:exclusiveGateway id="decide" default="to_other">
      <bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>to_approve</bpmn:outgoing><bpmn:outgoing>to_other</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:intermediateCatchEvent id="wait">
      <bpmn:incoming>to_other</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration>{timer}</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:userTask id="approve"><bpmn:incoming>to_approve</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="intake"/>
    <bpmn:sequenceFlow id="f2" sourceRef="intake" targetRef="decide"/>
    <bpmn:sequenceFlow id="to_approve" sourceRef="decide" targetRef="approve">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="to_other" sourceRef="decide" targetRef="wait"/>
    <bpmn:sequenceFlow id="f3" sourceRef="wait" targetRef="end"/>
    <bpmn:sequenceFlow id="f4" sourceRef="approve" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>"""


def deploy(condition: str, timer: str = "PT4H"):
    """The model with its condition and timer translated, as deployment will store them, through the
    engine's deployment checks."""
    python = translate(condition, kind="condition").python
    timer_python = timer_value(timer).python
    content = GATEWAY.format(condition=escape(python), timer=escape(timer_python)).encode()
    return parse_model(content, "review.bpmn")


def route(condition: str, form: dict) -> str:
    """The element the workflow waits at once the intake task is completed with `form`."""
    parsed = deploy(condition)
    workflow = BpmnWorkflow(parsed.spec, parsed.subprocess_specs, script_engine=make_script_engine())
    runtime.run_engine_steps(workflow)
    [intake] = runtime.ready_human_tasks(workflow)
    intake.data.update(form)
    runtime.run_task(intake)
    runtime.run_engine_steps(workflow)
    ready = runtime.ready_human_tasks(workflow)
    return ready[0].task_spec.bpmn_id if ready else "wait"


@pytest.mark.parametrize("condition, form, element", [
    ("${approved}", {"approved": "true"}, "approve"),
    ("${approved}", {"approved": "false"}, "wait"),
    ("${approved == true}", {"approved": "true"}, "approve"),
    ("#{amount > 1000 && !urgent}", {"amount": "5000", "urgent": False}, "approve"),
    ("${x == 'Reject'}", {"x": "Accept"}, "wait"),
    ("${empty docs}", {"docs": []}, "approve"),
    ("${continue}", {"continue": True}, "approve"),
    ('= progress = "in bed"', {"progress": "in bed"}, "approve"),
    ("= amount > 1000 and not(urgent)", {"amount": 5000, "urgent": False}, "approve"),
    ("= amount > 1000", {"amount": "5000"}, "wait"),
    ("= order.missing = null", {"order": {}}, "approve"),
    ("= score between 1 and 10", {}, "wait"),
])
def test_a_gateway_condition_written_in_juel_or_feel_routes_the_workflow(condition, form, element):
    assert route(condition, form) == element


def test_an_unknown_juel_variable_fails_the_gateway_with_camundas_message():
    with pytest.raises(ExecutionFailed) as caught:
        route("${amount > 1000}", {"total": 5})

    assert "Unknown property used in expression: amount" in caught.value.message
    assert """juel_cmp(">", juel_var("amount"), 1000)""" in caught.value.message


DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="dinner" name="Dinner" namespace="http://x">
  <decision id="dish" name="Dish">
    <decisionTable id="table" hitPolicy="FIRST">
      <input id="in_season" label="Season"><inputExpression id="e1" typeRef="string"><text>{season}</text>
      </inputExpression></input>
      <input id="in_guests" label="Guests"><inputExpression id="e2" typeRef="integer"><text>{guests}</text>
      </inputExpression></input>
      <output id="out" label="Dish" name="dish" typeRef="string"/>
      {rules}
    </decisionTable>
  </decision>
</definitions>"""
RULES = [  # (season cell, guests cell, dish), FEEL as dmn-js writes them
    ('"Winter","Spring"', "<= 8", '"Stew"'),
    ('not("Winter","Spring")', "[1..4]", '"Salad"'),
    ("-", "]4..20[", '"Roast"'),
    ("-", "-", '"Soup"'),
]
BUSINESS_RULE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="http://x">
  <bpmn:process id="dinner" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:businessRuleTask id="decide"><bpmn:extensionElements>
        <spiffworkflow:calledDecisionId>dish</spiffworkflow:calledDecisionId></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:businessRuleTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="decide"/>
    <bpmn:sequenceFlow id="f2" sourceRef="decide" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>"""


def decide(data: dict):
    """Run the dinner table, its FEEL translated cell by cell, through SpiffWorkflow's business rule task."""
    def cell(text, kind):
        return escape(translate(text, kind=kind, language=FEEL).python)

    rules = "".join(
        f'<rule id="r{n}"><inputEntry id="a{n}"><text>{cell(season, "unary_test")}</text></inputEntry>'
        f'<inputEntry id="b{n}"><text>{cell(guests, "unary_test")}</text></inputEntry>'
        f'<outputEntry id="o{n}"><text>{cell(dish, "value")}</text></outputEntry></rule>'
        for n, (season, guests, dish) in enumerate(RULES))
    dmn = DMN.format(season=cell("season", "value"), guests=cell("party.guests", "value"), rules=rules)
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(BUSINESS_RULE.encode(), "dinner.bpmn")
    parser.add_dmn_str(dmn.encode(), "dinner.dmn")
    workflow = BpmnWorkflow(parser.get_spec("dinner"), script_engine=make_script_engine())
    workflow.get_tasks(spec_name="start")[0].data.update(data)
    workflow.do_engine_steps()
    [decided] = workflow.get_tasks(spec_name="decide")
    return decided.data["dish"]


@pytest.mark.parametrize("season, guests, dish", [
    ("Winter", 6, "Stew"),
    ("Spring", 8, "Stew"),
    ("Summer", 3, "Salad"),
    ("Winter", 10, "Roast"),
    ("Fall", 30, "Soup"),
    (None, 2, "Salad"),  # null = "Winter" is false, so not("Winter","Spring") is true
    (None, None, "Soup"),  # a missing input is null: no range holds it
])
def test_a_dmn_table_of_feel_cells_decides_through_spiffworkflow(season, guests, dish):
    assert decide({"season": season, "party": {"guests": guests}}) == dish


def test_a_missing_dmn_input_is_null_as_in_feel():
    assert decide({"party": {}}) == "Soup"


def test_every_translation_compiles_under_the_sandbox_policy():
    texts = [("${approved}", "condition"), ("${amount > 1000 ? 'big' : 'small'}", "value"),
             ("${order.lines[0].sku eq 'A' || empty docs}", "condition"), ("${-x % 3 div 2}", "value"),
             ("= x in (1, [1..5], < 0)", "condition"), ("= a.b[1] ** 2 + -c", "value"),
             ('= not(s = "_x")', "condition")]
    for text, kind in texts:
        compile_model_code(translate(text, kind=kind).python, "eval")
    for text in ('"a","b"', 'not("a")', "[1..5]", "? > 1", '"it\'s?"'):
        compile_model_code(translate(text, kind="unary_test", language=FEEL).python.replace("?", "dmninputexpr"),
                           "eval")


def test_the_helpers_reach_every_expression_but_no_script_and_no_task_data():
    engine = make_script_engine()
    data = {"n": 1}

    assert engine.environment.evaluate('feel_var("n")', data) == 1
    engine.environment.execute("m = n + 1", data)
    assert set(data) == {"n", "m"}
    with pytest.raises(NameError):
        engine.environment.execute('m = feel_var("n")', {"n": 1})


def test_the_values_spiffworkflow_passes_along_are_variables_but_helper_functions_are_not():
    environment = make_script_engine().environment
    passed = {"invoice": {"total": 3}, "deadline": lambda step: step}

    assert environment.evaluate('feel_get(feel_var("invoice"), "total")', {}, passed) == 3
    assert environment.evaluate('feel_var("deadline")', {}, passed) is None
    assert environment.evaluate('feel_var("invoice")', {"invoice": "task data wins"}, passed) == "task data wins"


def test_the_helper_names_are_exactly_those_translations_use():
    assert HELPER_NAMES == set(helpers_for({}))
    assert all(not name.startswith("_") for name in HELPER_NAMES)


@pytest.mark.parametrize("python, message", [
    ('feel_arith("**", 10, 10 ** 6)', "over the limit"),
    ('juel_arith("*", 2 ** 9000, 2 ** 9000)', "over the limit"),
    ('[t := "x"] and [t := feel_arith("+", t, t) for i in range(40)]', "characters is over the limit"),
    ("[t := (1,)] and [t := (t, t) for i in range(100)] and [u := (1,)] and [u := (u, u) for i in range(100)]"
     " and feel_cmp('==', t, u)", "elements is over the limit"),
    ('juel_cmp("==", [[1] * 600] * 600, [[1] * 600] * 600 + [])', None),
])
def test_a_helper_bounds_its_work_since_the_sandbox_never_interrupts_one(python, message):
    # The refusal comes from the helper's own size check, before the work: no clock is asserted here.
    if message is None:  # within the limits: it just works
        assert evaluate(python) is True
    else:
        with pytest.raises((ExpressionFailed, SandboxError), match=message):
            evaluate(python)
