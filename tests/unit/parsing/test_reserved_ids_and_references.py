"""Ids the engine keeps for its own steps, and references that lead nowhere: refused at deployment,
naming the element, instead of a model that deploys and fails (or crashes SpiffWorkflow) later."""

from __future__ import annotations

import pytest

from engine.errors import ModelInvalid
from engine.parsing import parse_model
from tests.modeler import Node, camunda_model, chain_flows, properties

DONE = properties(dossier_status="9")
LANES = {"Lane_0desk": "Bộ phận một cửa"}


def model(*middle: Node, start_id: str = "StartEvent_1", end_id: str = "Event_0end", top: str = "") -> bytes:
    nodes = [Node("startEvent", start_id, lane="Lane_0desk"), *middle,
             Node("endEvent", end_id, extensions=DONE, lane="Lane_0desk")]
    return camunda_model(nodes, chain_flows(*(n.id for n in nodes)), lanes=LANES, top=top)


def errors_of(content: bytes) -> list:
    with pytest.raises(ModelInvalid) as caught:
        parse_model(content, "model.bpmn")
    return [p for p in caught.value.problems if p.is_error]


@pytest.mark.parametrize(("content", "reserved", "suggestion"), [
    (model(start_id="Start"), "Start", "StartEvent_Start"),
    (model(end_id="End"), "End", "EndEvent_End"),
    (model(Node("userTask", "Root", lane="Lane_0desk")), "Root", "UserTask_Root"),
    (model(Node("userTask", "StartEventSplit", lane="Lane_0desk")), "StartEventSplit", "UserTask_StartEventSplit"),
    (model(Node("userTask", "StartEventJoin", lane="Lane_0desk")), "StartEventJoin", "UserTask_StartEventJoin"),
    (model(Node("userTask", "Process_0dc7inz.EndJoin", lane="Lane_0desk")), "Process_0dc7inz.EndJoin",
     "UserTask_Process_0dc7inz_EndJoin"),
    (model(Node("task", "Activity_1.BoundaryEventSplit", lane="Lane_0desk")), "Activity_1.BoundaryEventSplit",
     "Task_Activity_1_BoundaryEventSplit"),
    (model(Node("task", "Activity_1.BoundaryEventJoin", lane="Lane_0desk")), "Activity_1.BoundaryEventJoin",
     "Task_Activity_1_BoundaryEventJoin"),
    (model(Node("userTask", "review [child]", lane="Lane_0desk")), "review [child]", "UserTask_review_child"),
], ids=["Start", "End", "Root", "StartEventSplit", "StartEventJoin", "EndJoin", "BoundaryEventSplit",
        "BoundaryEventJoin", "child"])
def test_an_id_the_engine_keeps_for_itself_is_refused_with_a_new_id_to_use(content, reserved, suggestion):
    problems = errors_of(content)

    [problem] = [p for p in problems if p.code == "reserved_id"]
    assert problem.element == reserved
    assert f"'{reserved}'" in problem.message and "reserved" in problem.message
    assert f"'{suggestion}'" in problem.hint
    assert f'id="{reserved}"' in content.decode().splitlines()[problem.line - 1]
    assert not [p for p in problems if p.code == "spiff_refused" or p.line == problem.line and p is not problem]


def test_ids_that_only_start_like_reserved_ones_are_accepted():
    content = model(Node("userTask", "Start_Processing", lane="Lane_0desk"),
                    Node("userTask", "EndJoin_review", lane="Lane_0desk"), start_id="Start_1", end_id="End_1")
    assert len(parse_model(content, "model.bpmn").user_tasks) == 2


ERROR_BOUNDARY = ('<bpmn:boundaryEvent id="Event_0err" name="Lỗi" attachedToRef="Activity_0abc">'
                  "<bpmn:outgoing>Flow_0fromerr</bpmn:outgoing>{definition}</bpmn:boundaryEvent>"
                  '<bpmn:endEvent id="Event_0errend"><bpmn:incoming>Flow_0fromerr</bpmn:incoming></bpmn:endEvent>'
                  '<bpmn:sequenceFlow id="Flow_0fromerr" sourceRef="Event_0err" targetRef="Event_0errend" />')


@pytest.mark.parametrize(("definition", "attribute"), [
    ('<bpmn:errorEventDefinition id="ErrorEventDefinition_1" errorRef="Error_0missing" />', "errorRef"),
    ('<bpmn:escalationEventDefinition id="EscalationEventDefinition_1" escalationRef="Escalation_0missing" />',
     "escalationRef"),
    ('<bpmn:messageEventDefinition id="MessageEventDefinition_1" messageRef="Message_0missing" />', "messageRef"),
    ('<bpmn:signalEventDefinition id="SignalEventDefinition_1" signalRef="Signal_0missing" />', "signalRef"),
])
def test_an_event_referring_to_an_error_message_signal_or_escalation_that_is_not_there_is_refused(
        definition, attribute):
    content = model(Node("userTask", "Activity_0abc", "Thẩm định", lane="Lane_0desk"))
    content = content.replace(b"  </bpmn:process>", ERROR_BOUNDARY.format(definition=definition).encode()
                              + b"\n  </bpmn:process>")

    problems = errors_of(content)

    assert [(p.code, p.element, p.params["attribute"]) for p in problems] == [
        ("dangling_reference", "Event_0err", attribute)]
    assert "Event_0err" in problems[0].message and attribute in problems[0].message


def test_a_reference_to_an_element_of_the_wrong_kind_is_refused():
    content = model(Node("userTask", "Activity_0abc", "Thẩm định", lane="Lane_0desk"),
                    top='<bpmn:message id="Message_0abc" name="withdrawal_requested" />')
    definition = '<bpmn:errorEventDefinition id="ErrorEventDefinition_1" errorRef="Message_0abc" />'
    content = content.replace(b"  </bpmn:process>", ERROR_BOUNDARY.format(definition=definition).encode()
                              + b"\n  </bpmn:process>")

    [problem] = errors_of(content)

    assert (problem.code, problem.element) == ("reference_wrong_type", "Event_0err")
    assert problem.params["found"] == "message" and problem.params["expected"] == "error"


def test_an_existing_error_reference_parses():
    content = model(Node("userTask", "Activity_0abc", "Thẩm định", lane="Lane_0desk"),
                    top='<bpmn:error id="Error_0abc" name="Hồ sơ giả mạo" errorCode="FORGED" />')
    definition = '<bpmn:errorEventDefinition id="ErrorEventDefinition_1" errorRef="Error_0abc" />'
    content = content.replace(b"  </bpmn:process>", ERROR_BOUNDARY.format(definition=definition).encode()
                              + b"\n  </bpmn:process>")
    assert parse_model(content, "model.bpmn").process_id == "Process_0dc7inz"
