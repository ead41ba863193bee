"""Running instances move to another version of their process: when each active element exists in
the new version (or a mapping says where it went), keeping data, history and timers' instants; the
move can be reverted while nothing happened since."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from engine import deployments, instances, migration
from engine.errors import Conflict, RepairRefused
from engine.models import AuditEvent, HumanTask, InstanceMigration, ProcessInstance, WaitingTimer

OVERDUE = datetime(2030, 1, 2, 1, 0, tzinfo=timezone.utc)


def model(*, review: str = "review", before_review: bool = False, timer: bool = True,
          sign_name: str = "Lãnh đạo ký") -> bytes:
    """The review process: start → [precheck →] review (with an overdue timer) → sign → end."""
    first = "precheck" if before_review else review
    precheck = ('<bpmn:scriptTask id="precheck" name="Kiểm tra trước"><bpmn:incoming>f1</bpmn:incoming>'
                '<bpmn:outgoing>f0</bpmn:outgoing><bpmn:script>checked = True</bpmn:script></bpmn:scriptTask>'
                f'<bpmn:sequenceFlow id="f0" sourceRef="precheck" targetRef="{review}"/>') if before_review else ""
    boundary = (f'<bpmn:boundaryEvent id="overdue" attachedToRef="{review}"><bpmn:outgoing>f4</bpmn:outgoing>'
                '<bpmn:timerEventDefinition><bpmn:timeDate xsi:type="bpmn:tFormalExpression">overdue_at'
                '</bpmn:timeDate></bpmn:timerEventDefinition></bpmn:boundaryEvent>'
                '<bpmn:endEvent id="late"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>'
                '<bpmn:sequenceFlow id="f4" sourceRef="overdue" targetRef="late"/>') if timer else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="Definitions_mig" targetNamespace="x">
  <bpmn:process id="xet_duyet" name="Xét duyệt" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    {precheck}
    <bpmn:userTask id="{review}" name="Thẩm định"><bpmn:incoming>{"f0" if before_review else "f1"}</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    {boundary}
    <bpmn:userTask id="sign" name="{sign_name}"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="{first}"/>
    <bpmn:sequenceFlow id="f2" sourceRef="{review}" targetRef="sign"/>
    <bpmn:sequenceFlow id="f3" sourceRef="sign" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>""".encode()


def deploy(session, content: bytes):
    return deployments.deploy(session, content, "xet_duyet.bpmn", actor="designer")[0]


@pytest.fixture
def instance_id(sessions) -> int:
    """An instance of version 1 at `review`, with data, its overdue timer waiting."""
    with sessions() as session, session.begin():
        deploy(session, model())
        return instances.start_instance(session, "xet_duyet", actor="desk",
                                        data={"hoc_sinh": "Nguyễn Minh Khoa",
                                              "overdue_at": OVERDUE.isoformat()}).instance.id


def open_rows(session, instance_id: int) -> list[tuple]:
    return [(r.bpmn_id, r.name) for r in session.scalars(
        select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.state.in_(("ready", "claimed"))))]


def finish(sessions, instance_id: int) -> list[str]:
    """Complete every open task until the instance ends; the elements completed."""
    done = []
    while True:
        with sessions() as session, session.begin():
            row = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id,
                                                          HumanTask.state == "ready")).first()
            if row is None:
                return done
            result = instances.complete_task(session, row.id, actor="t")
            done += [c.bpmn_id for c in result.completed]


def test_an_element_added_before_the_active_one_keeps_the_task_its_data_and_its_timer(sessions, instance_id):
    with sessions() as session, session.begin():
        v2 = deploy(session, model(before_review=True))
        review_id = session.scalars(select(HumanTask.id).where(HumanTask.bpmn_id == "review")).one()
        migration.migrate_instance(session, instance_id, v2, actor="admin", reason="Nghị định mới")

    with sessions() as session:
        instance = session.get(ProcessInstance, instance_id)
        assert instance.process_version.version == 2
        assert session.scalars(select(HumanTask.id).where(HumanTask.state == "ready")).all() == [review_id]
        assert session.scalars(select(WaitingTimer.due_at)).all() == [OVERDUE]  # not restarted
        workflow = instances.load_workflow(instance)
        assert workflow.data.get("hoc_sinh") or any(t.data.get("hoc_sinh") for t in workflow.tasks.values())
        assert session.scalars(select(AuditEvent.action).where(AuditEvent.action == "instance.migrated")).all()
    assert finish(sessions, instance_id)[-1] == "end"  # precheck never runs for this instance


def test_a_removed_boundary_timer_goes_with_its_row(sessions, instance_id):
    with sessions() as session, session.begin():
        v2 = deploy(session, model(timer=False))
        migration.migrate_instance(session, instance_id, v2, actor="admin")
    with sessions() as session:
        assert session.scalars(select(WaitingTimer)).all() == []
    assert finish(sessions, instance_id)[-1] == "end"


def test_an_active_element_missing_from_the_new_version_is_refused_unless_mapped(sessions, instance_id):
    with sessions() as session, session.begin():
        v2 = deploy(session, model(review="tham_dinh_chuyen_mon", sign_name="Giám đốc ký"))
        revision = session.get(ProcessInstance, instance_id).revision
    with pytest.raises(RepairRefused) as refused, sessions() as session, session.begin():
        migration.migrate_instance(session, instance_id, v2, actor="admin")
    assert "'review'" in refused.value.message and "map it" in refused.value.message

    with sessions() as session, session.begin():
        assert session.get(ProcessInstance, instance_id).revision == revision
        migration.migrate_instance(session, instance_id, v2, actor="admin",
                                   mapping={"review": "tham_dinh_chuyen_mon"})
    with sessions() as session:
        assert open_rows(session, instance_id) == [("tham_dinh_chuyen_mon", "Thẩm định")]
        assert session.scalars(select(WaitingTimer.due_at)).all() == [OVERDUE]
    assert finish(sessions, instance_id) == ["tham_dinh_chuyen_mon", "sign", "end"]
    with sessions() as session:
        assert [r.name for r in session.scalars(select(HumanTask).where(HumanTask.bpmn_id == "sign"))] == [
            "Giám đốc ký"]


def test_a_migration_is_reverted_while_nothing_happened_since_and_not_after(sessions, instance_id):
    with sessions() as session:
        before = session.get(ProcessInstance, instance_id).state
    with sessions() as session, session.begin():
        v2 = deploy(session, model(timer=False, sign_name="Giám đốc ký"))
        migration.migrate_instance(session, instance_id, v2, actor="admin")

    with sessions() as session, session.begin():
        migration.revert_latest(session, instance_id, actor="admin", reason="nhầm phiên bản")
    with sessions() as session:
        instance = session.get(ProcessInstance, instance_id)
        assert instance.process_version.version == 1
        assert instance.state != before  # a new checkpoint: no cached workflow can stand for it
        assert session.scalars(select(WaitingTimer.due_at)).all() == [OVERDUE]
        assert session.scalars(select(InstanceMigration.reverted_by)).all() == ["admin"]
    assert finish(sessions, instance_id) == ["review", "sign", "end"]

    with sessions() as session, session.begin():
        other = instances.start_instance(session, "xet_duyet", actor="desk", version=session.get(
            ProcessInstance, instance_id).process_version, data={"overdue_at": OVERDUE.isoformat()}).instance.id
        migration.migrate_instance(session, other, v2, actor="admin")
    with sessions() as session, session.begin():
        task = session.scalars(select(HumanTask).where(HumanTask.instance_id == other,
                                                       HumanTask.state == "ready")).first()
        instances.complete_task(session, task.id, actor="t")
    with pytest.raises(Conflict), sessions() as session, session.begin():
        migration.revert_latest(session, other, actor="admin")


def test_an_instance_moves_only_to_another_version_of_its_own_process(sessions, instance_id):
    with sessions() as session, session.begin():
        same = session.get(ProcessInstance, instance_id).process_version
        with pytest.raises(RepairRefused):
            migration.migrate_instance(session, instance_id, same, actor="admin")
        other = deployments.deploy(session, model().replace(b'id="xet_duyet"', b'id="khac"'), "khac.bpmn",
                                   actor="designer")[0]
        with pytest.raises(RepairRefused):
            migration.migrate_instance(session, instance_id, other, actor="admin")
