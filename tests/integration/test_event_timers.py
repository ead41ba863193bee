"""Timers SpiffWorkflow arms where MotCua did not look: behind an event-based gateway, and repeating ones."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from engine import deployments, instances, runtime
from engine.errors import ModelInvalid
from engine.models import AuditEvent, HumanTask, ProcessInstance, WaitingTimer
from tests.conftest import read_model

VN = ZoneInfo("Asia/Ho_Chi_Minh")
START = datetime(2026, 12, 7, 8, 0, tzinfo=VN)


def deploy(session, content: bytes, name: str = "model.bpmn"):
    return deployments.deploy(session, content, name, actor="designer")[0]


def open_tasks(session, instance_id: int) -> list[str]:
    return sorted(session.scalars(select(HumanTask.bpmn_id).where(
        HumanTask.instance_id == instance_id, HumanTask.state == "ready")))


def timer_rows(session, instance_id: int) -> list[tuple[str, datetime]]:
    return [(t.bpmn_id, t.due_at) for t in session.scalars(
        select(WaitingTimer).where(WaitingTimer.instance_id == instance_id).order_by(WaitingTimer.id))]


def fired_events(session, instance_id: int) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(
        AuditEvent.instance_id == instance_id, AuditEvent.action == "timer.fired").order_by(AuditEvent.id)))


def complete(session, instance_id: int, bpmn_id: str, data: dict | None = None):
    row = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.bpmn_id == bpmn_id,
                                                  HumanTask.state == "ready")).first()
    return instances.complete_task(session, row.id, actor="t", data=data or {})


# --- event-based gateways -------------------------------------------------------------------------

def started_at_the_gateway(sessions) -> int:
    with sessions() as session, session.begin():
        deploy(session, read_model("reply_or_overdue.bpmn"))
        instance_id = instances.start_instance(session, "hoi_y_kien_truong", actor="t").instance.id
        complete(session, instance_id, "ask_school")
    return instance_id


def test_the_timer_behind_an_event_based_gateway_gets_a_row_and_fires(sessions):
    with time_machine.travel(START, tick=False) as clock:
        instance_id = started_at_the_gateway(sessions)
        with sessions() as session:
            assert timer_rows(session, instance_id) == [("Event_reply_overdue", START + timedelta(days=2))]
            assert open_tasks(session, instance_id) == []

        clock.move_to(START + timedelta(days=2, seconds=1))
        with sessions() as session, session.begin():
            step = instances.fire_due_timers(session, instance_id)
        assert [c.bpmn_id for c in step.completed][:2] == ["Gateway_wait_reply", "Event_reply_overdue"]
        with sessions() as session:
            assert open_tasks(session, instance_id) == ["chase_school"]
            assert timer_rows(session, instance_id) == []
            [fired] = fired_events(session, instance_id)
            assert fired.data["bpmn_id"] == "Event_reply_overdue"
            assert fired.data["name"] == "Quá 2 ngày chưa trả lời"


def test_the_message_branch_of_the_gateway_cancels_its_timer(sessions):
    with time_machine.travel(START, tick=False) as clock:
        instance_id = started_at_the_gateway(sessions)
        with sessions() as session, session.begin():
            instances.send_message(session, instance_id, "school_replied", actor="desk", payload={"answer": "agree"})
        with sessions() as session:
            assert timer_rows(session, instance_id) == []
            assert open_tasks(session, instance_id) == ["review_reply"]

        clock.move_to(START + timedelta(days=3))
        with sessions() as session, session.begin():
            assert instances.fire_due_timers(session, instance_id) is None
        with sessions() as session:
            assert fired_events(session, instance_id) == []


def test_a_deadline_timer_behind_a_gateway_moves_with_new_step_allocations(sessions):
    timed = read_model("reply_or_overdue.bpmn").replace(
        b'<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">"P2D"</bpmn:timeDuration>',
        b'<bpmn:timeDate xsi:type="bpmn:tFormalExpression">deadline("school_reply")</bpmn:timeDate>')
    with time_machine.travel(START, tick=False), sessions() as session, session.begin():
        deploy(session, timed)
        instance_id = instances.start_instance(
            session, "hoi_y_kien_truong", actor="t",
            step_allocations={"school_reply": {"value": 2, "unit": "working_hours"}}).instance.id
        complete(session, instance_id, "ask_school")
        assert timer_rows(session, instance_id) == [("Event_reply_overdue", START + timedelta(hours=2))]
    with time_machine.travel(START + timedelta(hours=1), tick=False), sessions() as session, session.begin():
        longer = {"school_reply": {"value": 1, "unit": "working_days"}}
        assert instances.retime_timers(session, instance_id, longer, actor="admin") == 1
    with sessions() as session:
        assert timer_rows(session, instance_id) == [("Event_reply_overdue", datetime(2026, 12, 8, 17, 0, tzinfo=VN))]


def test_more_than_one_timer_behind_one_event_based_gateway_is_refused(sessions):
    content = read_model("reply_or_overdue.bpmn").decode()
    second_timer = (
        '<bpmn:intermediateCatchEvent id="Event_second_deadline"><bpmn:incoming>Flow_extra</bpmn:incoming>'
        '<bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">"PT1H"</bpmn:timeDuration>'
        '</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>'
        '<bpmn:sequenceFlow id="Flow_extra" sourceRef="Gateway_wait_reply" targetRef="Event_second_deadline" />')
    content = content.replace("</bpmn:process>", second_timer + "</bpmn:process>")

    with sessions() as session, pytest.raises(ModelInvalid) as refused:
        deploy(session, content.encode())
    assert refused.value.details["element"] == "Gateway_wait_reply"
    assert "Event_reply_overdue, Event_second_deadline" in refused.value.message
    assert "one timer per event-based gateway" in refused.value.message


# --- repeating timers -----------------------------------------------------------------------------

def test_a_repeating_reminder_fires_the_stated_number_of_times_each_a_step(sessions):
    with time_machine.travel(START, tick=False) as clock:
        with sessions() as session, session.begin():
            deploy(session, read_model("review_reminders.bpmn"))
            instance_id = instances.start_instance(session, "nhac_tham_dinh", actor="t").instance.id
            assert timer_rows(session, instance_id) == [("Event_review_reminder", START + timedelta(hours=10))]

        steps = []
        for firing in range(1, 4):
            clock.move_to(START + timedelta(hours=10 * firing, seconds=1))
            with sessions() as session, session.begin():
                steps.append(instances.fire_due_timers(session, instance_id))
            with sessions() as session:
                expected = [("Event_review_reminder", START + timedelta(hours=10 * (firing + 1)))] if firing < 3 else []
                assert timer_rows(session, instance_id) == expected  # moves on, gone after the last
                assert open_tasks(session, instance_id) == ["review"]  # never interrupted

        for step in steps:  # the reminder's properties are read at each firing, once
            assert [c.bpmn_id for c in step.completed].count("Event_review_reminder") == 1
            assert step.completed[0].properties == {"notification": "review_due_soon"}
        clock.move_to(START + timedelta(hours=50))
        with sessions() as session, session.begin():
            assert instances.fire_due_timers(session, instance_id) is None
            assert len(fired_events(session, instance_id)) == 3
            result = complete(session, instance_id, "review")
    assert result.finished


def test_a_late_scheduler_audits_and_applies_every_missed_firing(sessions):
    with time_machine.travel(START, tick=False) as clock:
        with sessions() as session, session.begin():
            deploy(session, read_model("review_reminders.bpmn"))
            instance_id = instances.start_instance(session, "nhac_tham_dinh", actor="t").instance.id

        clock.move_to(START + timedelta(hours=35))  # the service was down for three instants
        with sessions() as session, session.begin():
            step = instances.fire_due_timers(session, instance_id)
        with sessions() as session, session.begin():
            assert instances.fire_due_timers(session, instance_id) is None
            assert timer_rows(session, instance_id) == []
            fired = fired_events(session, instance_id)
    assert [c.bpmn_id for c in step.completed].count("Event_review_reminder") == 3
    assert [c.bpmn_id for c in step.completed].count("Event_reminded") == 3
    due = [datetime.fromisoformat(e.data["due_at"]) for e in fired]
    assert due == [START + timedelta(hours=h) for h in (10, 20, 30)]


def test_a_repeating_timer_starts_an_event_subprocess_each_time(sessions):
    with time_machine.travel(START, tick=False) as clock:
        with sessions() as session, session.begin():
            deploy(session, read_model("daily_reminders.bpmn"))
            instance_id = instances.start_instance(session, "nhac_hang_ngay", actor="t").instance.id
        ran = []
        for day in (1, 2, 3):
            clock.move_to(START + timedelta(days=day, seconds=1))
            with sessions() as session, session.begin():
                step = instances.fire_due_timers(session, instance_id)
                ran.append([c.bpmn_id for c in step.completed] if step else None)
        with sessions() as session:
            assert timer_rows(session, instance_id) == []
            workflow = instances.load_workflow(session.get(ProcessInstance, instance_id))
            assert runtime.waiting_timers(workflow) == []
        with sessions() as session, session.begin():
            assert complete(session, instance_id, "review").finished
    assert [steps.count("Activity_count") for steps in ran[:2]] == [1, 1]
    assert ran[2] is None
