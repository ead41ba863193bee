"""The engine on a real database: state, task rows, timer rows and audit move together."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import func, select

from engine import deployments, instances, runtime
from engine.errors import ConcurrentUpdate, ExecutionFailed, TaskNotReady
from engine.models import AuditEvent, HumanTask, ProcessInstance, WaitingTimer
from tests.conftest import read_model

VN = ZoneInfo("Asia/Ho_Chi_Minh")
SOME_DUE_DATE = datetime(2027, 1, 29, 17, 0, tzinfo=VN)
SEED_DATA = {"channel": "in_person", "apology_lead_days": 1, "checked_at_desk": False}  # what the service starts with


def deploy(session, name: str):
    return deployments.deploy(session, read_model(name), name, actor="designer")[0]


def ready(session, instance_id: int, bpmn_id: str) -> HumanTask:
    return session.scalars(select(HumanTask).where(
        HumanTask.instance_id == instance_id, HumanTask.bpmn_id == bpmn_id, HumanTask.state == "ready")).one()


def timers_of(session) -> dict:
    return {t.bpmn_id: t.due_at for t in session.scalars(select(WaitingTimer).order_by(WaitingTimer.due_at))}


def test_a_loop_deeper_than_the_iterator_limit_still_reaches_its_end(sessions):
    with sessions() as session, session.begin():
        deploy(session, "long_loop.bpmn")
        started = instances.start_instance(session, "long_loop", actor="t", data={"counter": 0, "target": 600})
    instance_id = started.instance.id

    with sessions() as session:
        workflow = instances.load_workflow(session.get(ProcessInstance, instance_id))
        # SpiffWorkflow's own iterator no longer sees the waiting task 1200 levels down ...
        assert workflow.get_tasks(state=TaskState.READY, manual=True) == []
        assert workflow.is_completed()
        # ... ours does, and the instance is not finished.
        assert [runtime.element_id(t) for t in runtime.ready_human_tasks(workflow)] == ["confirm"]
        assert runtime.ready_human_tasks(workflow)[0].data["counter"] == 600
        assert not runtime.is_finished(workflow)
    with sessions() as session, session.begin():
        result = instances.complete_task(session, ready(session, instance_id, "confirm").id, actor="t")
    assert result.finished
    assert [c.bpmn_id for c in result.completed] == ["confirm", "end"]


def test_an_endless_loop_is_stopped_and_nothing_is_written(sessions, monkeypatch):
    monkeypatch.setattr(runtime, "MAX_STEPS_PER_CALL", 200)
    with sessions() as session, session.begin():
        deploy(session, "long_loop.bpmn")

    with pytest.raises(ExecutionFailed) as caught, sessions() as session, session.begin():
        instances.start_instance(session, "long_loop", actor="t", data={"counter": 0, "target": 10**9})

    assert "endless" in caught.value.message
    assert caught.value.details["element"] in ("count", "more")
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(ProcessInstance)) == 0


def test_the_instance_state_holds_no_copy_of_the_process_spec(sessions):
    with sessions() as session, session.begin():
        version = deploy(session, "chuyen_truong_thpt.bpmn")
        result = instances.start_instance(session, "chuyen_truong_thpt", actor="t", data=SEED_DATA,
                                          due_at=SOME_DUE_DATE,
                                          step_allocations={"review": {"value": 2, "unit": "working_hours"},
                                                            "review_reminder": {"value": 1, "unit": "working_hours"}})
        state = json.loads(result.instance.state)
        spec_size = len(version.spec_json)

    assert "spec" not in state and "subprocess_specs" not in state
    assert len(result.instance.state) < spec_size


def test_a_failing_expression_names_the_element_and_writes_nothing(sessions):
    with sessions() as session, session.begin():
        deploy(session, "long_loop.bpmn")

    with pytest.raises(ExecutionFailed) as caught, sessions() as session, session.begin():
        instances.start_instance(session, "long_loop", actor="t", data={"counter": 0})  # no "target"

    assert caught.value.details["element"] == "more"
    assert "target" in caught.value.message
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(ProcessInstance)) == 0


def test_waiting_timers_are_rows_kept_in_step_with_the_workflow(sessions):
    allocations = {"review": {"value": 4, "unit": "working_hours"},
                   "review_reminder": {"value": 3, "unit": "working_hours"}}
    received = datetime(2026, 12, 4, 15, 0, tzinfo=VN)  # a Friday afternoon
    with time_machine.travel(received, tick=False), sessions() as session, session.begin():
        deploy(session, "chuyen_truong_thpt.bpmn")
        instance_id = instances.start_instance(session, "chuyen_truong_thpt", actor="t", due_at=SOME_DUE_DATE,
                                               data=SEED_DATA, step_allocations=allocations).instance.id
        assert timers_of(session) == {"Timer_Apology": datetime(2027, 1, 28, 7, 30, tzinfo=VN)}
        instances.complete_task(session, ready(session, instance_id, "check_dossier").id, actor="desk",
                                data={"check_result": "complete"})

    with sessions() as session:
        assert timers_of(session) == {
            "Timer_Apology": datetime(2027, 1, 28, 7, 30, tzinfo=VN),
            "Timer_ReviewReminder": datetime(2026, 12, 7, 8, 30, tzinfo=VN),  # 2 h on Friday, 1 h on Monday
            "Timer_ReviewOverdue": datetime(2026, 12, 7, 9, 30, tzinfo=VN),  # 2 h on Friday, 2 h on Monday
        }
        overdue = timers_of(session)["Timer_ReviewOverdue"]
        assert ready(session, instance_id, "review").due_at == overdue  # the interrupting timer is the deadline
        assert instances.next_timer_due_at(session) == datetime(2026, 12, 7, 8, 30, tzinfo=VN)
        assert instances.instances_with_due_timers(session, datetime(2026, 12, 7, 8, 29, tzinfo=VN)) == []
        assert instances.instances_with_due_timers(session, overdue) == [instance_id]

    with sessions() as session, session.begin():
        instances.complete_task(session, ready(session, instance_id, "review").id, actor="specialist",
                                data={"opinion": "approve"})
    with sessions() as session:
        assert list(timers_of(session)) == ["Timer_Apology"]


def test_retiming_moves_a_waiting_deadline_timer_counted_from_when_the_step_began(sessions):
    with time_machine.travel(datetime(2026, 12, 2, 8, 0, tzinfo=VN), tick=False), \
            sessions() as session, session.begin():
        deploy(session, "chuyen_truong_thpt.bpmn")
        instance_id = instances.start_instance(
            session, "chuyen_truong_thpt", actor="t", due_at=SOME_DUE_DATE, data=SEED_DATA,
            step_allocations={"review": {"value": 2, "unit": "working_hours"},
                              "review_reminder": {"value": 1, "unit": "working_hours"}}).instance.id
        instances.complete_task(session, ready(session, instance_id, "check_dossier").id, actor="desk",
                                data={"check_result": "complete"})
    with time_machine.travel(datetime(2026, 12, 2, 9, 0, tzinfo=VN), tick=False), \
            sessions() as session, session.begin():
        longer = {"review": {"value": 1, "unit": "working_days"},
                  "review_reminder": {"value": 1, "unit": "working_hours"}}
        assert instances.retime_timers(session, instance_id, longer, actor="admin") == 1  # the reminder stays
        assert instances.retime_timers(session, instance_id, longer, actor="admin") == 0

    with sessions() as session:
        due = timers_of(session)["Timer_ReviewOverdue"]
        assert due == datetime(2026, 12, 3, 17, 0, tzinfo=VN)
        assert ready(session, instance_id, "review").due_at == due
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "timers.retimed")).first()
        assert event.actor == "admin" and event.data["moved"][0]["bpmn_id"] == "Timer_ReviewOverdue"


def test_a_stale_copy_of_an_instance_cannot_be_written(sessions):
    with sessions() as session, session.begin():
        deploy(session, "parallel_review.bpmn")
        instance_id = instances.start_instance(session, "tham_dinh_song_song", actor="t").instance.id
        instances.complete_task(session, ready(session, instance_id, "intake").id, actor="t")
    with sessions() as session:
        leader_task = ready(session, instance_id, "leader_review").id
        technical_task = ready(session, instance_id, "technical_review").id

    stale = sessions()  # keeps what it read (expire_on_commit=False), as a slow request would
    with stale.begin():
        held = stale.get(HumanTask, technical_task)  # the session's identity map keeps it while held
        old_revision = held.instance.revision
    with sessions() as session, session.begin():
        instances.complete_task(session, leader_task, actor="leader")

    with pytest.raises(ConcurrentUpdate), stale.begin():
        assert held.instance.revision == old_revision  # still the copy read before the other write
        instances.complete_task(stale, technical_task, actor="specialist", data={"score": 3})
    stale.close()

    with sessions() as session:
        assert session.get(HumanTask, technical_task).state == "ready"
        assert session.get(HumanTask, leader_task).state == "completed"


def test_completing_a_completed_task_is_refused(sessions):
    with sessions() as session, session.begin():
        deploy(session, "parallel_review.bpmn")
        instance_id = instances.start_instance(session, "tham_dinh_song_song", actor="t").instance.id
        task_id = ready(session, instance_id, "intake").id
        instances.complete_task(session, task_id, actor="t")
    with pytest.raises(TaskNotReady), sessions() as session, session.begin():
        instances.complete_task(session, task_id, actor="t")


def test_every_change_leaves_an_audit_event(sessions):
    with sessions() as session, session.begin():
        deploy(session, "parallel_review.bpmn")
        instance_id = instances.start_instance(session, "tham_dinh_song_song", actor="desk").instance.id
        task_id = ready(session, instance_id, "intake").id
        instances.claim_task(session, task_id, actor="desk")
        instances.complete_task(session, task_id, actor="desk", data={"note": "ok"})

    with sessions() as session:
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(e.actor, e.action) for e in events] == [
        ("designer", "model.deployed"), ("desk", "instance.started"), ("desk", "task.claimed"),
        ("desk", "task.completed")]
    assert events[-1].data["data"] == {"note": "ok"}
    assert all(e.occurred_at.tzinfo is not None for e in events)


def test_a_computed_time_date_waits_for_that_exact_instant(sessions):
    with sessions() as session, session.begin():
        deploy(session, "wait_until.bpmn")
        instance_id = instances.start_instance(session, "wait_until", actor="t",
                                               data={"when": "2030-01-02T08:00:00+07:00"}).instance.id
    with sessions() as session:
        timer = session.scalars(select(WaitingTimer).where(WaitingTimer.instance_id == instance_id)).one()
    assert timer.bpmn_id == "until"
    assert timer.due_at.isoformat() == "2030-01-02T01:00:00+00:00"


def test_a_computed_time_date_without_an_offset_is_refused_not_read_in_the_server_zone(sessions):
    with sessions() as session, session.begin():
        deploy(session, "wait_until.bpmn")

    with pytest.raises(ExecutionFailed) as caught, sessions() as session, session.begin():
        instances.start_instance(session, "wait_until", actor="t", data={"when": "2030-01-02T08:00:00"})

    assert caught.value.details["element"] == "until"
    assert "offset" in caught.value.message
