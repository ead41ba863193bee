"""The scheduler fires a timer right after it falls due, armed by the commit that created it."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import select

from engine import deployments, instances
from engine.clock import utcnow
from engine.models import AuditEvent, HumanTask, WaitingTimer
from tests.conftest import read_model
from tests.servers import wait_for
from workflows.scheduler import build_scheduler


def test_a_timer_fires_within_a_second_of_its_due_time_without_polling(sessions):
    with sessions() as session, session.begin():
        deployments.deploy(session, read_model("wait_until.bpmn"), "wait_until.bpmn", actor="t")
    scheduler = build_scheduler(sessions, poll_seconds=3600)  # the safety poll will not help
    scheduler.start()
    try:
        time.sleep(0.3)  # the start-up firing has run and found nothing
        due = utcnow() + timedelta(seconds=1.5)
        with sessions() as session, session.begin():
            instance_id = instances.start_instance(session, "wait_until", actor="t",
                                                   data={"when": due.isoformat()}).instance.id

        def fired():
            with sessions() as session:
                return session.scalars(select(AuditEvent).where(AuditEvent.action == "timer.fired")).first()

        event = wait_for(fired, 10)
    finally:
        scheduler.shutdown(wait=False)

    assert event is not None, "the timer did not fire"
    assert timedelta(0) < event.occurred_at - due < timedelta(seconds=1)
    with sessions() as session:
        assert session.scalars(select(WaitingTimer)).all() == []
        follow_up = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id)).one()
        assert follow_up.bpmn_id == "follow_up" and follow_up.state == "ready"


def test_timers_that_fell_due_while_no_scheduler_ran_fire_once_at_start_up(sessions):
    with sessions() as session, session.begin():
        deployments.deploy(session, read_model("wait_until.bpmn"), "wait_until.bpmn", actor="t")
        for _ in range(3):
            instances.start_instance(session, "wait_until", actor="t",
                                     data={"when": (utcnow() + timedelta(seconds=0.5)).isoformat()})
    time.sleep(1)  # the service is "down" while they fall due

    scheduler = build_scheduler(sessions, poll_seconds=3600)
    scheduler.start()
    try:
        def all_fired():
            with sessions() as session:
                return not session.scalars(select(WaitingTimer)).all()

        assert wait_for(all_fired, 10)
        time.sleep(0.5)  # a second firing, if there were one, would have happened by now
    finally:
        scheduler.shutdown(wait=False)
    with sessions() as session:
        fired = session.scalars(select(AuditEvent).where(AuditEvent.action == "timer.fired")).all()
        ready = session.scalars(select(HumanTask).where(HumanTask.bpmn_id == "follow_up")).all()
    assert (len(fired), len(ready)) == (3, 3)
    assert all(event.actor == "scheduler" for event in fired)
