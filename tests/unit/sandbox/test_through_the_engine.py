"""The sandbox as the engine uses it: deployment refuses a model whose code the sandbox refuses,
naming the element and line; a script task that is refused or stopped fails its element and leaves
the workflow data and the stored dossier as they were; helpers and modules never land in task data."""

from __future__ import annotations

import copy
import json
from xml.sax.saxutils import escape

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from sqlalchemy import func, select

from engine import deployments, instances, runtime
from engine.errors import ExecutionFailed, ModelInvalid
from engine.models import AuditEvent, HumanTask, ProcessInstance
from engine.parsing import parse_model
from engine.sandbox import Limits
from engine.scripting import make_script_engine

MODEL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                  id="Definitions_sandbox" targetNamespace="http://motcua.gov.vn/bpmn/test">
  <bpmn:process id="sandbox_test" name="Sandbox test" isExecutable="true">
    <bpmn:startEvent id="start">
      <bpmn:outgoing>f1</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:userTask id="intake" name="Intake">
      <bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:scriptTask id="tally" name="Tally">
      <bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:script>{script}</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:exclusiveGateway id="decide" name="Decide" default="f5">
      <bpmn:incoming>f3</bpmn:incoming>
      <bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:outgoing>f5</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:userTask id="confirm" name="Confirm">
      <bpmn:incoming>f4</bpmn:incoming>
      <bpmn:outgoing>f6</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end">
      <bpmn:incoming>f5</bpmn:incoming>
      <bpmn:incoming>f6</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="intake"/>
    <bpmn:sequenceFlow id="f2" sourceRef="intake" targetRef="tally"/>
    <bpmn:sequenceFlow id="f3" sourceRef="tally" targetRef="decide"/>
    <bpmn:sequenceFlow id="f4" sourceRef="decide" targetRef="confirm">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f5" sourceRef="decide" targetRef="end"/>
    <bpmn:sequenceFlow id="f6" sourceRef="confirm" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


def model(script: str = "total = score * 10", condition: str = "total > 5") -> bytes:
    return MODEL.format(script=escape(script), condition=escape(condition)).encode()


def line_of(content: bytes, number: int) -> str:
    return content.decode().splitlines()[number - 1]


def test_deploying_a_script_the_sandbox_refuses_names_the_element_and_line():
    content = model(script="total = score * 10\nsecret = ().__class__")

    with pytest.raises(ModelInvalid) as caught:
        parse_model(content, "escape.bpmn")

    error = caught.value
    assert error.details["element"] == "tally"
    assert error.details["file"] == "escape.bpmn"
    assert "__class__" in error.message and "refused by the sandbox" in error.message
    assert "__class__" in line_of(content, error.details["line"])


@pytest.mark.parametrize(("script", "condition", "element", "fragment"), [
    ("import os", "total > 5", "tally", "import statements"),
    ("total = _private", "total > 5", "tally", "'_private'"),
    ("total = 1", "open('/etc/passwd')", "f4", "'open' is not available"),
    ("total = 1", "total.__class__", "f4", "'__class__'"),
])
def test_deploying_code_the_sandbox_refuses_is_refused_naming_the_element(script, condition, element, fragment):
    with pytest.raises(ModelInvalid) as caught:
        parse_model(model(script, condition), "escape.bpmn")
    assert caught.value.details["element"] == element
    assert fragment in caught.value.message


def start(script: str, engine=None) -> BpmnWorkflow:
    parsed = parse_model(model(script), "sandbox.bpmn")
    workflow = BpmnWorkflow(parsed.spec, parsed.subprocess_specs, script_engine=engine or make_script_engine())
    runtime.run_engine_steps(workflow)
    return workflow


def complete_intake(workflow: BpmnWorkflow, data: dict) -> None:
    [intake] = runtime.ready_human_tasks(workflow)
    intake.data.update(data)
    runtime.run_task(intake)
    runtime.run_engine_steps(workflow)


def test_helpers_and_modules_do_not_leak_into_the_task_data_after_a_script_task():
    engine = make_script_engine(helpers={"fee_for": lambda copies: copies * 2500})
    workflow = start("total = score * 10\nfee = fee_for(2)\nwhen = datetime.date(2026, 12, 1).isoformat()\n"
                     "def twice(n):\n    return 2 * n\ndoubled = twice(total)", engine)

    complete_intake(workflow, {"score": 3})

    [confirm] = runtime.ready_human_tasks(workflow)
    assert confirm.data == {"score": 3, "total": 30, "fee": 5000, "when": "2026-12-01", "doubled": 60}
    json.dumps(confirm.data)  # plain data only


@pytest.mark.parametrize(("script", "fragment", "line"), [
    ('total = score * 10\nnotes.append("changed")\nblob = "x" * 10**10',
     "an allocation of 10000000000 items is over the limit of 1000000", 3),
    ("total = score * 10\nwhile True:\n    total = total + 1", "the script ran longer than 0.2 s", 2),
    ("total = score * 10\nescape = datetime.sys", "'datetime.sys' is not available in model code", 2),
])
def test_a_malicious_script_task_fails_its_element_and_leaves_the_workflow_data_unchanged(script, fragment, line):
    workflow = start(script, make_script_engine(limits=Limits(time=0.2)))
    [intake] = runtime.ready_human_tasks(workflow)
    intake.data.update({"score": 3, "notes": ["received"]})
    before = {str(task.id): copy.deepcopy(task.data) for task in runtime.iter_tasks(workflow)}
    workflow_data = copy.deepcopy(workflow.data)

    with pytest.raises(ExecutionFailed) as caught:
        runtime.run_task(intake)
        runtime.run_engine_steps(workflow)

    assert caught.value.details["element"] == "tally"
    assert caught.value.details["line"] == line
    assert fragment in caught.value.message
    [tally] = [t for t in runtime.iter_tasks(workflow) if runtime.element_id(t) == "tally"]
    assert tally.data == {"score": 3, "notes": ["received"]}  # nothing the script wrote before it was stopped
    assert workflow.data == workflow_data
    for task in runtime.iter_tasks(workflow):
        if str(task.id) in before and runtime.element_id(task) != "tally":
            assert task.data == before[str(task.id)]


def test_a_malicious_script_leaves_the_stored_dossier_intact(sessions):
    content = model('total = score * 10\nnotes.append("changed")\nescape = "x" * 10**10')
    with sessions() as session, session.begin():
        deployments.deploy(session, content, "sandbox.bpmn", actor="designer")
        instance_id = instances.start_instance(session, "sandbox_test", actor="desk",
                                               data={"score": 3, "notes": []}).instance.id
    with sessions() as session:
        state_before = session.get(ProcessInstance, instance_id).state
        audit_before = session.scalar(select(func.count()).select_from(AuditEvent))
        task_id = session.scalars(select(HumanTask.id).where(HumanTask.instance_id == instance_id)).one()

    with pytest.raises(ExecutionFailed) as caught, sessions() as session, session.begin():
        instances.complete_task(session, task_id, actor="desk", data={"score": 4})

    assert caught.value.details["element"] == "tally"
    assert "is over the limit of 1000000" in caught.value.message
    with sessions() as session:
        assert session.get(ProcessInstance, instance_id).state == state_before
        assert session.get(HumanTask, task_id).state == "ready"
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == audit_before
