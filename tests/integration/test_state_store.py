"""An instance's workflow state stored task by task: only what a step changed is written, it loads
back as the whole workflow, a step is stored whole or not at all, and migration 0008 converts states
stored whole."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

import migrations
from engine import deployments, instances, state_store
from engine.clock import utcnow
from engine.errors import ExecutionFailed
from engine.models import AuditEvent, HumanTask, InstanceTask, ProcessInstance, WaitingTimer
from engine.serialization import state_to_json
from tests.conftest import read_model
from workflows import timers as timer_firing


def start_long_loop(sessions, target: int = 50) -> tuple[int, str]:
    with sessions() as session, session.begin():
        deployments.deploy(session, read_model("long_loop.bpmn"), "long_loop.bpmn", actor="t")
        started = instances.start_instance(session, "long_loop", actor="t", data={"counter": 0, "target": target})
        return started.instance.id, started.ready_tasks[0].id


def task_rows(sessions, instance_id: int) -> dict[str, str]:
    with sessions() as session:
        return dict(session.execute(select(InstanceTask.id, InstanceTask.state)
                                    .where(InstanceTask.instance_id == instance_id)).all())


def stored_whole(sessions, instance_id: int) -> dict:
    """The instance's workflow loaded from the database (not from the cache), serialized whole."""
    state_store.forget_cached()
    with sessions() as session:
        return json.loads(state_to_json(instances.load_workflow(session.get(ProcessInstance, instance_id))))


def wait_instance(session, due) -> int:
    return instances.start_instance(session, "wait_until", actor="t", data={"when": due.isoformat()}).instance.id


def test_a_step_writes_only_what_changed_and_the_state_loads_back_whole(sessions):
    with sessions() as session, session.begin():
        deployments.deploy(session, read_model("parallel_review.bpmn"), "parallel_review.bpmn", actor="t")
        result = instances.start_instance(session, "tham_dinh_song_song", actor="t")
        instance_id, task_id = result.instance.id, result.ready_tasks[0].id
        envelope = json.loads(result.instance.state)
    assert "tasks" not in envelope and state_store.ROWS_KEY in envelope

    before = task_rows(sessions, instance_id)
    with sessions() as session, session.begin():
        workflow = instances.load_workflow(session.get(ProcessInstance, instance_id))
        finished = {str(t.id) for t in workflow.tasks.values() if t.state in (32, 64)}  # completed, cancelled
        instances.complete_task(session, task_id, actor="t", data={"note": "xong"})
    after = task_rows(sessions, instance_id)

    assert finished and all(after[task] == before[task] for task in finished)  # history is not rewritten
    assert stored_whole(sessions, instance_id)["tasks"].keys() == after.keys()


def test_the_cost_of_storing_a_step_does_not_grow_with_the_history(sessions):
    instance_id, _ = start_long_loop(sessions, target=200)
    with sessions() as session:
        envelope_size = len(session.get(ProcessInstance, instance_id).state)
        rows = session.scalar(select(func.count()).select_from(InstanceTask)
                              .where(InstanceTask.instance_id == instance_id))
    assert rows > 400  # the loop ran 200 times
    assert envelope_size < 2000


def test_a_step_that_fails_leaves_the_stored_state_and_the_cache_as_they_were(sessions):
    instance_id, task_id = start_long_loop(sessions, target=3)
    whole = stored_whole(sessions, instance_id)
    rows = task_rows(sessions, instance_id)

    class Boom(Exception):
        pass

    with pytest.raises(Boom), sessions() as session, session.begin():
        instances.complete_task(session, task_id, actor="t")
        raise Boom  # after the step was written, before the commit

    assert task_rows(sessions, instance_id) == rows
    assert stored_whole(sessions, instance_id) == whole
    with sessions() as session, session.begin():  # the step can still be taken, once
        result = instances.complete_task(session, task_id, actor="t")
    assert result.finished


def test_the_migration_moves_states_stored_whole_into_rows_and_back(database_url, db_engine, sessions):
    instance_id, _ = start_long_loop(sessions, target=5)
    whole = stored_whole(sessions, instance_id)
    migrations.downgrade(database_url, "0007")
    try:
        with db_engine.connect() as connection:
            state = json.loads(connection.scalar(sa.text("SELECT state FROM process_instance WHERE id = :id"),
                                                 {"id": instance_id}))
        assert "tasks" in state and state_store.ROWS_KEY not in state
    finally:
        migrations.upgrade(database_url)
    assert stored_whole(sessions, instance_id) == whole
    assert task_rows(sessions, instance_id).keys() == whole["tasks"].keys()


def test_a_state_stored_whole_loads_and_its_next_step_moves_it_into_rows(sessions):
    instance_id, task_id = start_long_loop(sessions, target=3)
    whole = stored_whole(sessions, instance_id)
    with sessions() as session, session.begin():  # as a copy made by hand, or written before migration 0008
        session.execute(sa.delete(InstanceTask).where(InstanceTask.instance_id == instance_id))
        session.execute(sa.update(ProcessInstance).where(ProcessInstance.id == instance_id)
                        .values(state=json.dumps({**whole, "serializer_version": "1.5"})))
    assert stored_whole(sessions, instance_id) == whole

    with sessions() as session, session.begin():
        instances.complete_task(session, task_id, actor="t")
    with sessions() as session:
        assert "tasks" not in json.loads(session.get(ProcessInstance, instance_id).state)
    assert task_rows(sessions, instance_id).keys() == stored_whole(sessions, instance_id)["tasks"].keys()


def fire_all_due(sessions, count: int) -> list[int]:
    with sessions() as session, session.begin():
        deployments.deploy(session, read_model("wait_until.bpmn"), "wait_until.bpmn", actor="t")
        due = utcnow() + timedelta(milliseconds=300)
        ids = [wait_instance(session, due) for _ in range(count)]
    time.sleep(max(0.0, (due - utcnow()).total_seconds()) + 0.01)
    return ids


def fired_events(session) -> list[AuditEvent]:
    return session.scalars(select(AuditEvent).where(AuditEvent.action == "timer.fired").order_by(AuditEvent.id)).all()


@pytest.mark.parametrize("cached", [True, False], ids=["cached", "read-together"])
def test_timers_fired_in_one_batch_fire_once_each_stamped_when_it_fired(sessions, cached):
    ids = fire_all_due(sessions, 5)
    if not cached:
        state_store.forget_cached()  # the batch's task rows are read in one statement
    assert timer_firing.fire_due_timers(sessions) == 5
    assert timer_firing.fire_due_timers(sessions) == 0

    with sessions() as session:
        fired = fired_events(session)
        assert sorted(event.instance_id for event in fired) == sorted(ids)
        times = [event.occurred_at for event in fired]
        assert times == sorted(times) and all(at > datetime.fromisoformat(e.data["due_at"])
                                              for at, e in zip(times, fired, strict=True))
        assert len(set(times)) > 1  # each stamped when its instance fired, not all with the batch's start
        assert session.scalars(select(WaitingTimer)).all() == []
        ready = session.scalars(select(HumanTask.instance_id).where(HumanTask.bpmn_id == "follow_up")).all()
        assert sorted(ready) == sorted(ids)


def test_an_instance_that_cannot_fire_does_not_hold_back_the_others_of_its_batch(sessions, monkeypatch):
    ids = fire_all_due(sessions, 5)
    failing = ids[2]
    real_dossiers_of = timer_firing.dossiers_of

    class FailingForOne(dict):
        def get(self, instance_id, default=None):
            if instance_id == failing:  # after the engine wrote its step: its writes must be undone
                raise ExecutionFailed("a failing effect")
            return super().get(instance_id, default)

    monkeypatch.setattr(timer_firing, "has_effects", lambda completed: True)
    monkeypatch.setattr(timer_firing, "dossiers_of",
                        lambda session, instance_ids: FailingForOne(real_dossiers_of(session, instance_ids)))
    assert timer_firing.fire_due_timers(sessions) == 4
    assert timer_firing.fire_due_timers(sessions) == 0  # it fails again; nothing fires twice

    with sessions() as session:
        assert sorted(event.instance_id for event in fired_events(session)) == sorted(set(ids) - {failing})
        assert session.scalars(select(WaitingTimer.instance_id)).all() == [failing]
        assert json.loads(session.get(ProcessInstance, failing).state)  # still waiting, as stored before
    assert stored_whole(sessions, failing)["tasks"]
