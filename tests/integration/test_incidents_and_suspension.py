"""A timer step that fails becomes an incident, not a retry at every tick; an administrator retries
it with corrected data or skips it; a suspended instance waits, and its due timers fire on resume."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import func, select

from engine import deployments, instances, repair
from engine.errors import InstanceSuspended, RepairRefused
from engine.models import AuditEvent, HumanTask, Incident, ProcessInstance, WaitingTimer
from tests.conftest import read_model
from workflows import timers

DUE = datetime(2026, 12, 7, 1, 0, tzinfo=timezone.utc)
AFTER = DUE + timedelta(seconds=1)


@pytest.fixture
def instance_id(sessions) -> int:
    """A `timed_fee` instance: its timer falls due at DUE; the script after it needs `base_fee`, which
    the data lacks; a person's task waits on the other branch."""
    with sessions() as session, session.begin():
        deployments.deploy(session, read_model("timed_fee.bpmn"), "timed_fee.bpmn", actor="designer")
        return instances.start_instance(session, "timed_fee", actor="t", data={"when": DUE.isoformat()}).instance.id


def fire_due_timers(sessions, *, now: datetime) -> int:
    """The scheduler's tick at `now` (SpiffWorkflow reads the clock itself: travel there)."""
    with time_machine.travel(now, tick=False):
        return timers.fire_due_timers(sessions, now=now)


def open_tasks(session, instance_id: int) -> list[str]:
    return sorted(session.scalars(select(HumanTask.bpmn_id).where(HumanTask.instance_id == instance_id,
                                                                  HumanTask.state == "ready")))


def incident_of(session, instance_id: int) -> Incident:
    return session.scalars(select(Incident).where(Incident.instance_id == instance_id)).one()


def test_a_timer_into_a_failing_script_opens_one_incident_and_changes_nothing_else(sessions, instance_id):
    with sessions() as session:
        revision = session.get(ProcessInstance, instance_id).revision

    assert fire_due_timers(sessions, now=AFTER) == 0

    with sessions() as session:
        incident = incident_of(session, instance_id)
        instance = session.get(ProcessInstance, instance_id)
        assert (incident.bpmn_id, incident.element_name, incident.state, incident.attempts) == (
            "compute_fee", "Tính lệ phí", "retrying", 1)
        assert "base_fee" in incident.message and incident.next_retry_at == AFTER + timedelta(minutes=1)
        assert instance.revision == revision and instance.incident_id == incident.id  # the state as before
        assert session.scalar(select(func.count()).select_from(WaitingTimer)) == 1
        assert open_tasks(session, instance_id) == ["work"]


def test_the_scheduler_tries_a_few_times_with_back_off_then_stops_trying(sessions, instance_id):
    fire_due_timers(sessions, now=AFTER)
    for _ in range(50):  # every tick until the next try is due finds nothing to fire
        assert fire_due_timers(sessions, now=AFTER + timedelta(seconds=30)) == 0
    with sessions() as session:
        assert incident_of(session, instance_id).attempts == 1
        assert instances.next_timer_due_at(session, AFTER) == AFTER + timedelta(minutes=1)

    fire_due_timers(sessions, now=AFTER + timedelta(minutes=2))
    fire_due_timers(sessions, now=AFTER + timedelta(minutes=10))
    fire_due_timers(sessions, now=AFTER + timedelta(days=3))

    with sessions() as session:
        incident = incident_of(session, instance_id)
        assert (incident.attempts, incident.state, incident.next_retry_at) == (3, "open", None)
        assert instances.instances_with_due_timers(session, AFTER + timedelta(days=3)) == []
        assert instances.next_timer_due_at(session, AFTER + timedelta(days=3)) is None  # nothing to arm for
        actions = [e.action for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions.count("incident.opened") == 1 and actions.count("incident.failed_again") == 2


def test_a_retry_with_corrected_data_moves_the_instance_on(sessions, instance_id):
    fire_due_timers(sessions, now=AFTER)
    with sessions() as session:
        incident_id = incident_of(session, instance_id).id

    with time_machine.travel(AFTER, tick=False), sessions() as session, session.begin():
        repair.retry_incident(session, incident_id, actor="admin", data={"base_fee": 10}, reason="thiếu mức phí")

    with sessions() as session:
        incident = session.get(Incident, incident_id)
        assert (incident.state, incident.resolution, incident.resolved_by) == ("resolved", "retried", "admin")
        assert open_tasks(session, instance_id) == ["collect", "work"]
        collect = session.scalars(select(HumanTask).where(HumanTask.bpmn_id == "collect")).one()
        workflow = instances.load_workflow(session.get(ProcessInstance, instance_id))
        assert next(t for t in workflow.tasks.values() if t.id.hex == collect.id.replace("-", "")).data["fee"] == 20
        assert session.get(ProcessInstance, instance_id).incident_id is None
        assert session.scalar(select(func.count()).select_from(WaitingTimer)) == 0
        retried = session.scalars(select(AuditEvent).where(AuditEvent.action == "incident.retried")).one()
    assert retried.data["data"] == {"base_fee": 10} and retried.data["data_before"]["when"] == DUE.isoformat()
    assert retried.data["reason"] == "thiếu mức phí"


def test_a_skipped_script_lets_the_instance_go_on_without_running_it(sessions, instance_id):
    fire_due_timers(sessions, now=AFTER)
    with sessions() as session:
        incident_id = incident_of(session, instance_id).id

    with time_machine.travel(AFTER, tick=False), sessions() as session, session.begin():
        repair.skip_incident(session, incident_id, actor="admin", reason="phí thu ngoài hệ thống",
                             data={"fee": 0})

    with sessions() as session:
        assert session.get(Incident, incident_id).resolution == "skipped"
        assert open_tasks(session, instance_id) == ["collect", "work"]


def test_people_keep_working_an_instance_whose_timer_step_is_an_incident(sessions, instance_id):
    fire_due_timers(sessions, now=AFTER)
    with time_machine.travel(AFTER, tick=False), sessions() as session, session.begin():  # the due timer is held
        work = session.scalars(select(HumanTask).where(HumanTask.bpmn_id == "work")).one()
        instances.complete_task(session, work.id, actor="desk")
    with sessions() as session:
        assert open_tasks(session, instance_id) == []
        assert incident_of(session, instance_id).state == "retrying"  # its timer still waits for the repair
        assert session.scalars(select(WaitingTimer.bpmn_id)).all() == ["wait"]


REVIEW_WITH_FAILING_ESCALATION = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="Definitions_escalate" targetNamespace="x">
  <bpmn:process id="review_escalation" isExecutable="true">
    <bpmn:laneSet id="LaneSet_1"><bpmn:lane id="Lane_1" name="specialist">
      <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>review</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>overdue</bpmn:flowNodeRef><bpmn:flowNodeRef>escalate</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>remind</bpmn:flowNodeRef><bpmn:flowNodeRef>end</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>end_late</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="review" name="Th\xe1\xba\xa9m \xc4\x91\xe1\xbb\x8bnh"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:boundaryEvent id="overdue" attachedToRef="review"><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDate xsi:type="bpmn:tFormalExpression">when</bpmn:timeDate>
      </bpmn:timerEventDefinition></bpmn:boundaryEvent>
    <bpmn:scriptTask id="escalate"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:script>level = missing + 1</bpmn:script></bpmn:scriptTask>
    <bpmn:userTask id="remind"><bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="end_late"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="end"/>
    <bpmn:sequenceFlow id="f3" sourceRef="overdue" targetRef="escalate"/>
    <bpmn:sequenceFlow id="f4" sourceRef="escalate" targetRef="remind"/>
    <bpmn:sequenceFlow id="f5" sourceRef="remind" targetRef="end_late"/>
  </bpmn:process>
</bpmn:definitions>"""


def test_an_incident_whose_timer_a_person_took_away_resolves_itself_as_obsolete(sessions):
    with sessions() as session, session.begin():
        deployments.deploy(session, REVIEW_WITH_FAILING_ESCALATION, "review_escalation.bpmn", actor="designer")
        instance_id = instances.start_instance(session, "review_escalation", actor="t",
                                               data={"when": DUE.isoformat()}).instance.id
    fire_due_timers(sessions, now=AFTER)
    with time_machine.travel(AFTER, tick=False), sessions() as session, session.begin():
        review = session.scalars(select(HumanTask).where(HumanTask.bpmn_id == "review")).one()
        result = instances.complete_task(session, review.id, actor="specialist")

    assert result.finished
    with sessions() as session:
        incident = incident_of(session, instance_id)
        assert (incident.state, incident.resolution, incident.resolved_by) == ("resolved", "obsolete", "specialist")
        assert session.scalar(select(func.count()).select_from(WaitingTimer)) == 0


def test_a_suspended_instance_cannot_be_worked_and_its_due_timer_fires_on_resume_not_before(sessions):
    with sessions() as session, session.begin():
        deployments.deploy(session, read_model("timed_fee.bpmn"), "timed_fee.bpmn", actor="designer")
        instance_id = instances.start_instance(session, "timed_fee", actor="t",
                                               data={"when": DUE.isoformat(), "base_fee": 5}).instance.id
        repair.suspend(session, instance_id, actor="admin", reason="kiểm tra lại quy trình")

    assert fire_due_timers(sessions, now=AFTER) == 0
    with sessions() as session:
        assert instances.instances_with_due_timers(session, AFTER) == []
        assert instances.next_timer_due_at(session, AFTER) is None
        work = session.scalars(select(HumanTask).where(HumanTask.bpmn_id == "work")).one()
    with pytest.raises(InstanceSuspended), sessions() as session, session.begin():
        instances.complete_task(session, work.id, actor="desk")
    with pytest.raises(InstanceSuspended), sessions() as session, session.begin():
        instances.claim_task(session, work.id, actor="desk")

    with sessions() as session, session.begin():
        repair.resume(session, instance_id, actor="admin")
    assert fire_due_timers(sessions, now=AFTER) == 1
    with sessions() as session:
        assert open_tasks(session, instance_id) == ["collect", "work"]
        actions = [e.action for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions.index("instance.suspended") < actions.index("instance.resumed") < actions.index("timer.fired")


def test_a_move_inside_a_parallel_branch_that_would_hang_is_refused(sessions):
    with sessions() as session, session.begin():
        deployments.deploy(session, read_model("parallel_review.bpmn"), "parallel_review.bpmn", actor="designer")
        instance_id = instances.start_instance(session, "tham_dinh_song_song", actor="t").instance.id
        intake = session.scalars(select(HumanTask).where(HumanTask.bpmn_id == "intake")).one()
        instances.complete_task(session, intake.id, actor="desk")
        revision = session.get(ProcessInstance, instance_id).revision

    for target in ("hand_back", "leader_review", "join", "start"):
        with pytest.raises(RepairRefused) as refused, sessions() as session, session.begin():
            repair.move(session, instance_id, from_bpmn_id="technical_review", to_bpmn_id=target,
                        actor="admin", reason="thử")
        assert target in refused.value.message
    with sessions() as session:
        assert session.get(ProcessInstance, instance_id).revision == revision


def test_a_move_cancels_the_active_task_and_opens_the_target_with_its_data(sessions):
    with sessions() as session, session.begin():
        deployments.deploy(session, read_model("parallel_review.bpmn"), "parallel_review.bpmn", actor="designer")
        instance_id = instances.start_instance(session, "tham_dinh_song_song", actor="t").instance.id
        intake = session.scalars(select(HumanTask).where(HumanTask.bpmn_id == "intake")).one()
        instances.complete_task(session, intake.id, actor="desk", data={"note": "đủ giấy tờ"})
        technical = session.scalars(select(HumanTask).where(HumanTask.bpmn_id == "technical_review")).one()
        instances.complete_task(session, technical.id, actor="specialist", data={"score": 7})

    with sessions() as session, session.begin():  # back to the technical review, in its own branch
        repair.move(session, instance_id, from_bpmn_id="leader_review", to_bpmn_id="leader_review",
                    actor="admin", reason="giao lại", data={"urgent": True})

    with sessions() as session:
        rows = session.scalars(select(HumanTask).where(HumanTask.bpmn_id == "leader_review")
                               .order_by(HumanTask.created_at)).all()
        assert [r.state for r in rows] == ["cancelled", "ready"]
        moved = session.scalars(select(AuditEvent).where(AuditEvent.action == "instance.moved")).one()
    assert moved.data == {"from": "leader_review", "to": "leader_review", "reason": "giao lại",
                          "data": {"urgent": True}}
    with sessions() as session, session.begin():
        instances.complete_task(session, rows[1].id, actor="leader")
        tally_failed = session.scalar(select(func.count()).select_from(HumanTask).where(
            HumanTask.bpmn_id == "hand_back"))
    assert tally_failed == 1  # the join fired once, with the score of the technical review
