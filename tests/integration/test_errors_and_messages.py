"""BPMN errors and escalations, and messages with their data, in the engine."""

from __future__ import annotations

from uuid import UUID

import pytest
from sqlalchemy import func, select

from engine import deployments, instances
from engine.errors import Conflict, ExecutionFailed
from engine.models import HumanTask, ProcessInstance
from tests.conftest import read_model


def deploy(session, content: bytes, name: str = "model.bpmn"):
    return deployments.deploy(session, content, name, actor="designer")[0]


def open_tasks(session, instance_id: int) -> list[str]:
    return sorted(session.scalars(select(HumanTask.bpmn_id).where(
        HumanTask.instance_id == instance_id, HumanTask.state == "ready")))


def task_data(session, instance_id: int, bpmn_id: str) -> dict:
    row = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.bpmn_id == bpmn_id,
                                                  HumanTask.state == "ready")).one()
    return instances.load_workflow(row.instance).get_task_from_id(UUID(row.id)).data


# --- errors and escalations -----------------------------------------------------------------------

def test_an_error_end_event_is_caught_by_the_error_boundary_of_its_sub_process(sessions):
    with sessions() as session, session.begin():
        deploy(session, read_model("missing_documents_error.bpmn"))
        step = instances.start_instance(session, "kiem_tra_co_loi", actor="t",
                                        data={"missing_documents": ["Học bạ"]})
        assert open_tasks(session, step.instance.id) == ["request_supplement"]
    completed = [c.bpmn_id for c in step.completed]
    assert "Event_missing" in completed and "Event_catch_missing" in completed
    assert "review" not in completed


def test_without_the_error_the_sub_process_ends_normally(sessions):
    with sessions() as session, session.begin():
        deploy(session, read_model("missing_documents_error.bpmn"))
        step = instances.start_instance(session, "kiem_tra_co_loi", actor="t", data={"missing_documents": []})
        assert open_tasks(session, step.instance.id) == ["review"]


def test_an_error_no_boundary_catches_stops_the_step_naming_its_code_and_element(sessions):
    uncaught = read_model("missing_documents_error.bpmn").replace(
        b'id="ErrorEventDefinition_1r7m0xs" errorRef="Error_missing"',
        b'id="ErrorEventDefinition_1r7m0xs" errorRef="Error_other"')
    with sessions() as session, session.begin():
        deploy(session, uncaught)
    with pytest.raises(ExecutionFailed) as failed, sessions() as session, session.begin():
        instances.start_instance(session, "kiem_tra_co_loi", actor="t", data={"missing_documents": ["Học bạ"]})

    assert failed.value.details["element"] == "Event_missing"
    assert failed.value.details["error_code"] == "MISSING_DOCUMENTS"
    assert "'MISSING_DOCUMENTS' thrown at 'Thiếu giấy tờ'" in failed.value.message
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(ProcessInstance)) == 0


def test_an_escalation_caught_by_a_non_interrupting_boundary_lets_the_sub_process_go_on(sessions):
    with sessions() as session, session.begin():
        deploy(session, read_model("urgent_escalation.bpmn"))
        urgent = instances.start_instance(session, "bao_cao_khan", actor="t", data={"urgent": True})
        calm = instances.start_instance(session, "bao_cao_khan", actor="t", data={"urgent": False})
        assert open_tasks(session, urgent.instance.id) == ["leader_attention", "review"]
        assert open_tasks(session, calm.instance.id) == ["review"]


# --- messages -------------------------------------------------------------------------------------

def waiting_for_the_school(sessions, content: bytes | None = None) -> int:
    with sessions() as session, session.begin():
        deploy(session, content or read_model("reply_or_overdue.bpmn"))
        instance_id = instances.start_instance(session, "hoi_y_kien_truong", actor="t").instance.id
        row = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id)).one()
        instances.complete_task(session, row.id, actor="t")
    return instance_id


def test_a_message_s_data_joins_the_task_data_when_the_event_names_no_variable(sessions):
    instance_id = waiting_for_the_school(sessions)
    seen = []
    with sessions() as session, session.begin():
        instances.send_message(session, instance_id, "school_replied", actor="desk",
                               payload={"answer": "agree", "letter_number": "125/THPT"}, authorize=seen.append)
    assert seen == [[{"message_roles": "desk_officer, specialist"}]]  # the catch event behind the gateway
    with sessions() as session:
        data = task_data(session, instance_id, "review_reply")
    assert (data["answer"], data["letter_number"]) == ("agree", "125/THPT")


def test_a_message_s_data_is_the_variable_the_event_names(sessions):
    named = read_model("reply_or_overdue.bpmn").replace(
        b'<bpmn:messageEventDefinition id="MessageEventDefinition_0rj1q7c" messageRef="Message_school_replied" />',
        b'<bpmn:messageEventDefinition id="MessageEventDefinition_0rj1q7c" messageRef="Message_school_replied">'
        b'<bpmn:extensionElements><spiffworkflow:messageVariable>reply</spiffworkflow:messageVariable>'
        b'</bpmn:extensionElements></bpmn:messageEventDefinition>')
    assert named != read_model("reply_or_overdue.bpmn")
    instance_id = waiting_for_the_school(sessions, named.replace(b'answer == "agree"', b'reply["answer"] == "agree"'))
    with sessions() as session, session.begin():
        instances.send_message(session, instance_id, "school_replied", actor="desk", payload={"answer": "agree"})
    with sessions() as session:
        data = task_data(session, instance_id, "review_reply")
    assert data["reply"] == {"answer": "agree"} and "answer" not in data


def test_a_message_nothing_waits_for_is_a_conflict_and_is_not_authorized(sessions):
    instance_id = waiting_for_the_school(sessions)
    seen = []
    with pytest.raises(Conflict), sessions() as session, session.begin():
        instances.send_message(session, instance_id, "no_such_message", actor="desk", authorize=seen.append)
    assert seen == []


def test_a_refusal_by_authorize_delivers_nothing(sessions):
    instance_id = waiting_for_the_school(sessions)

    def refuse(_waiting):
        raise PermissionError("not you")

    with pytest.raises(PermissionError), sessions() as session, session.begin():
        instances.send_message(session, instance_id, "school_replied", actor="clerk", authorize=refuse)
    with sessions() as session:
        assert open_tasks(session, instance_id) == []
