"""Call activities to a process deployed from another file: checked at deployment, pinned per instance."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine import deployments, instances, state_store
from engine.errors import ModelInvalid
from engine.models import HumanTask, ProcessInstance
from tests.conftest import read_model

CALLEE = read_model("called_review.bpmn")
CALLER = read_model("calls_review.bpmn")
CALLEE_V2 = CALLEE.replace(b"check_documents", b"verify_documents").replace("Kiểm tra hồ sơ".encode(),
                                                                             "Xác minh hồ sơ".encode())
LANES = {"Bộ phận một cửa": "desk_officer", "Phòng chuyên môn": "specialist", "Lãnh đạo Sở": "leader"}


def deploy(session, content: bytes, name: str):
    return deployments.deploy(session, content, name, actor="designer")[0]


def open_rows(session, instance_id: int) -> list[HumanTask]:
    return list(session.scalars(select(HumanTask).where(
        HumanTask.instance_id == instance_id, HumanTask.state == "ready").order_by(HumanTask.created_at)))


def complete(sessions, instance_id: int, bpmn_id: str, data: dict | None = None):
    with sessions() as session, session.begin():
        [row] = [r for r in open_rows(session, instance_id) if r.bpmn_id == bpmn_id]
        return instances.complete_task(session, row.id, actor="t", data=data or {})


def start(sessions) -> int:
    with sessions() as session, session.begin():
        return instances.start_instance(session, "tiep_nhan_co_tham_dinh", actor="t", lane_roles=LANES).instance.id


def test_a_call_to_a_process_that_is_not_deployed_is_refused_naming_the_call(sessions):
    with sessions() as session, pytest.raises(ModelInvalid) as refused:
        deploy(session, CALLER, "calls_review.bpmn")
    assert refused.value.details["element"] == "call_review"
    assert "tham_dinh_ho_so" in refused.value.message and "not deployed" in refused.value.message


def test_the_callee_runs_inside_the_callers_instance_with_the_callers_roles(sessions):
    with sessions() as session, session.begin():
        callee = deploy(session, CALLEE, "called_review.bpmn")
        deploy(session, CALLER, "calls_review.bpmn")
    instance_id = start(sessions)
    step = complete(sessions, instance_id, "intake")

    assert [(t.bpmn_id, t.lane, t.role) for t in step.ready_tasks] == [
        ("check_documents", "Phòng chuyên môn", "specialist")]
    assert [c.bpmn_id for c in step.completed] == ["intake", "StartEvent_1"]  # the callee's start
    with sessions() as session:
        instance = session.get(ProcessInstance, instance_id)
        assert instance.called_versions == {"tham_dinh_ho_so": callee.id}
        [row] = open_rows(session, instance_id)
        assert instances.task_form_schema(row)["properties"]["finding"]["title"] == "Kết quả kiểm tra"

    after = complete(sessions, instance_id, "check_documents", {"finding": "đủ"})
    assert [c.bpmn_id for c in after.completed][:1] == ["check_documents"]
    assert after.completed[0].properties["dossier_status"] == "4"  # the callee's properties reach the caller
    assert [t.bpmn_id for t in after.ready_tasks] == ["sign"]
    assert complete(sessions, instance_id, "sign").finished


def test_a_running_call_keeps_its_callee_version_and_a_new_instance_takes_the_latest(sessions):
    with sessions() as session, session.begin():
        deploy(session, CALLEE, "called_review.bpmn")
        deploy(session, CALLER, "calls_review.bpmn")
    running = start(sessions)
    complete(sessions, running, "intake")  # the call starts on v1
    waiting = start(sessions)  # its call has not started yet

    with sessions() as session, session.begin():
        assert deploy(session, CALLEE_V2, "called_review.bpmn").version == 2
    state_store.forget_cached()  # as another process of the service would: restored from the database

    assert [t.bpmn_id for t in complete(sessions, running, "check_documents").ready_tasks] == ["sign"]
    assert complete(sessions, running, "sign").finished
    assert [t.bpmn_id for t in complete(sessions, waiting, "intake").ready_tasks] == ["verify_documents"]
    fresh = start(sessions)
    assert [t.bpmn_id for t in complete(sessions, fresh, "intake").ready_tasks] == ["verify_documents"]
    with sessions() as session:
        pins = {i: session.get(ProcessInstance, i).called_versions["tham_dinh_ho_so"] for i in (running, fresh)}
    assert pins[running] != pins[fresh]


def test_a_cached_instance_whose_call_has_not_started_takes_the_new_callee_version(sessions):
    with sessions() as session, session.begin():
        deploy(session, CALLEE, "called_review.bpmn")
        deploy(session, CALLER, "calls_review.bpmn")
    waiting = start(sessions)  # the workflow is now in this process's cache, made with v1 at hand
    with sessions() as session, session.begin():
        deploy(session, CALLEE_V2, "called_review.bpmn")
    assert [t.bpmn_id for t in complete(sessions, waiting, "intake").ready_tasks] == ["verify_documents"]


def test_a_cycle_of_calls_is_refused(sessions):
    caller_as_callee = CALLER.replace(b'calledElement="tham_dinh_ho_so"', b'calledElement="tiep_nhan_co_tham_dinh"')
    with sessions() as session, session.begin():
        deploy(session, CALLEE, "called_review.bpmn")
        deploy(session, CALLER, "calls_review.bpmn")
    # the callee now calls its caller back
    call_back = (b'<bpmn:callActivity id="call_back" calledElement="tiep_nhan_co_tham_dinh" />'
                 b'<bpmn:sequenceFlow id="Flow_back" sourceRef="call_back" targetRef="Event_checked" />')
    callee_calls_back = CALLEE.replace(b'sourceRef="check_documents" targetRef="Event_checked"',
                                       b'sourceRef="check_documents" targetRef="call_back"')
    callee_calls_back = callee_calls_back.replace(b"</bpmn:process>", call_back + b"</bpmn:process>")
    with sessions() as session, pytest.raises(ModelInvalid) as refused:
        deploy(session, callee_calls_back, "called_review.bpmn")
    assert refused.value.details["element"] == "call_back"
    assert "tham_dinh_ho_so → tiep_nhan_co_tham_dinh → tham_dinh_ho_so" in refused.value.message

    with sessions() as session, pytest.raises(ModelInvalid) as itself:
        deploy(session, caller_as_callee, "calls_review.bpmn")
    assert itself.value.details["element"] == "call_review"
    assert "calls its own process" in itself.value.message
