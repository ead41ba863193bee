"""Process instances in the database: start, complete a human task, claim, fire timers.

Each function works inside the caller's transaction and flushes; the caller commits. The
workflow state, the human-task rows, the waiting-timer rows and the audit events change
together, so a commit is all of it or none of it. `ProcessInstance.revision` is the optimistic
lock: a writer whose copy of the state is stale gets `ConcurrentUpdate` and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimeDateEventDefinition
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import bindparam, delete, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from engine import audit, calendar_store, deadlines, runtime, state_store, timer_events
from engine.clock import utcnow
from engine.deployments import get_latest_version, load_spec
from engine.errors import ConcurrentUpdate, Conflict, NotFound, TaskNotReady
from engine.forms import form_schema, validate_form_data
from engine.models import OPEN_TASK_STATES, HumanTask, ProcessInstance, ProcessVersion, WaitingTimer
from engine.scripting import make_script_engine

_default_script_engine = make_script_engine()


def set_script_engine(script_engine) -> None:
    """Install the script engine every instance runs with (helpers, sandbox)."""
    global _default_script_engine
    _default_script_engine = script_engine


@dataclass
class CompletedElement:
    bpmn_id: str
    name: str
    properties: dict
    data: dict = field(default_factory=dict)  # the task's data as it completed (not a copy: read it at once)


@dataclass
class StepResult:
    """What one step changed: the elements that completed, in order, and the tasks now open."""

    instance: ProcessInstance
    completed: list[CompletedElement] = field(default_factory=list)
    ready_tasks: list[HumanTask] = field(default_factory=list)
    finished: bool = False


@dataclass(frozen=True)
class _Rows:
    """What the instance's task and timer rows hold: the workflow as it was loaded (or nothing, for a
    new instance). A step writes only what it changed against this, without reading the rows again."""

    ready: tuple[str, ...] = ()  # the ready human tasks: the open task rows
    timers: tuple[runtime.WaitingTimerInfo, ...] = ()  # the waiting-timer rows

    @classmethod
    def of(cls, workflow: BpmnWorkflow) -> _Rows:
        return cls(tuple(str(t.id) for t in runtime.ready_human_tasks(workflow)),
                   tuple(runtime.waiting_timers(workflow)))


def _completed(task: Task) -> CompletedElement:
    return CompletedElement(runtime.element_id(task), runtime.element_name(task), runtime.properties(task), task.data)


def start_instance(
    session: Session,
    process_id: str,
    *,
    actor: str,
    data: dict | None = None,
    business_key: str | None = None,
    lane_roles: dict | None = None,
    step_allocations: dict | None = None,
    due_at: datetime | None = None,
    version: ProcessVersion | None = None,
) -> StepResult:
    """Start the latest version of `process_id` (`version`, if the caller has read it) and run it
    to its first wait.

    `step_allocations` (step key -> {value, unit}) is what `deadline()` reads in the model,
    `due_at` what `before_due()` counts back from.
    """
    version = version or get_latest_version(session, process_id)
    spec, subprocess_specs = load_spec(version)
    workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=_default_script_engine)
    workflow.data[deadlines.ALLOCATIONS_KEY] = dict(step_allocations or {})
    if due_at is not None:
        workflow.data[deadlines.DUE_AT_KEY] = due_at.isoformat()
    workflow.task_tree.data.update(data or {})
    for task in workflow.tasks.values():
        if task.state == TaskState.READY:
            task.data.update(data or {})
    now = utcnow()
    instance = ProcessInstance(
        process_version=version, business_key=business_key, status="running", state="{}",
        lane_roles=lane_roles or {}, started_at=now, started_by=actor, updated_at=now,
    )
    session.add(instance)
    session.flush()
    result = StepResult(instance)
    with _calendar(session):
        runtime.run_engine_steps(workflow, lambda t: result.completed.append(_completed(t)))
    audit.record(session, actor=actor, action="instance.started", instance_id=instance.id,
                 subject=process_id, data={"version": version.version, "business_key": business_key})
    _save(session, instance, workflow, result, _Rows(), actor=actor, now=now)
    return result


def load_workflow(instance: ProcessInstance) -> BpmnWorkflow:
    """The instance's workflow as stored (engine/state_store.py), with the whole of its history."""
    return state_store.load(instance, _default_script_engine)


def get_task(session: Session, task_id: str) -> HumanTask:
    task = session.get(HumanTask, task_id)
    if task is None:
        raise NotFound(f"Task '{task_id}' does not exist.", task_id=task_id)
    return task


def task_form_schema(task: HumanTask) -> dict | None:
    spec, subprocess_specs = load_spec(task.instance.process_version)
    for process_spec in (spec, *subprocess_specs.values()):
        if task.bpmn_id in process_spec.task_specs:
            return form_schema(runtime.spec_properties(process_spec.task_specs[task.bpmn_id]))
    return None


def complete_task(session: Session, task_id: str, *, actor: str, data: dict | None = None) -> StepResult:
    """Complete a ready human task with `data` and run the instance to its next wait."""
    data = data or {}
    row = get_task(session, task_id)
    if row.state not in OPEN_TASK_STATES:
        raise TaskNotReady(f"Task '{row.name}' is already {row.state}.", task_id=task_id, state=row.state)
    if row.assignee is not None and row.assignee != actor:
        raise Conflict(f"Task '{row.name}' is claimed by {row.assignee}.", task_id=task_id, assignee=row.assignee)
    instance = row.instance
    workflow = load_workflow(instance)
    before = _Rows.of(workflow)
    task = workflow.get_task_from_id(UUID(task_id))
    if task is None or task.state != TaskState.READY:
        raise TaskNotReady(f"Task '{row.name}' is not ready.", task_id=task_id)
    validate_form_data(runtime.properties(task), data, row.name)

    now = utcnow()
    result = StepResult(instance)
    task.data.update(data)
    with _calendar(session):
        runtime.run_task(task)
        result.completed.append(_completed(task))
        runtime.run_engine_steps(workflow, lambda t: result.completed.append(_completed(t)))

    closed = session.connection().execute(_CLOSE_TASK, {"task_id": task_id, "now": now, "actor": actor,
                                                        "task_data": data})
    if closed.rowcount != 1:
        raise TaskNotReady(f"Task '{row.name}' was completed by someone else.", task_id=task_id)
    _committed(row, {"state": "completed", "completed_at": now, "completed_by": actor, "data": data})
    before = replace(before, ready=tuple(t for t in before.ready if t != task_id))
    audit.record(session, actor=actor, action="task.completed", instance_id=instance.id, subject=task_id,
                 data={"bpmn_id": row.bpmn_id, "name": row.name, "data": data}, at=now)
    _save(session, instance, workflow, result, before, actor=actor, now=now)
    return result


def claim_task(session: Session, task_id: str, *, actor: str) -> HumanTask:
    row = get_task(session, task_id)
    if row.state == "claimed" and row.assignee == actor:
        return row
    return _move_task(session, row, actor=actor, action="task.claimed", expected_state="ready",
                      values={"state": "claimed", "assignee": actor})


def unclaim_task(session: Session, task_id: str, *, actor: str) -> HumanTask:
    """Give a claimed task back to the pool. The caller checks who may do it."""
    row = get_task(session, task_id)
    return _move_task(session, row, actor=actor, action="task.unclaimed", expected_state="claimed",
                      values={"state": "ready", "assignee": None}, previous_assignee=row.assignee)


def _move_task(session: Session, row: HumanTask, *, actor: str, action: str, expected_state: str,
               values: dict, **audit_data) -> HumanTask:
    """Change a task row only if it is still in `expected_state`: the database decides races."""
    moved = session.execute(
        update(HumanTask).where(HumanTask.id == row.id, HumanTask.state == expected_state).values(**values)
        .execution_options(synchronize_session="fetch")
    )
    session.refresh(row)
    if moved.rowcount != 1:
        who = f" by {row.assignee}" if row.assignee else ""
        raise Conflict(f"Task '{row.name}' is {row.state}{who}, not {expected_state}.", task_id=row.id,
                       state=row.state)
    audit.record(session, actor=actor, action=action, instance_id=row.instance_id, subject=row.id,
                 data={"bpmn_id": row.bpmn_id, "name": row.name, **audit_data})
    return row


def instances_with_due_timers(session: Session, now: datetime, limit: int = 100) -> list[int]:
    query = (select(WaitingTimer.instance_id).where(WaitingTimer.due_at <= now)
             .group_by(WaitingTimer.instance_id).order_by(WaitingTimer.instance_id).limit(limit))
    return list(session.scalars(query))


def next_timer_due_at(session: Session) -> datetime | None:
    return session.scalars(select(WaitingTimer.due_at).order_by(WaitingTimer.due_at).limit(1)).first()


def fire_due_timers(session: Session, instance_id: int, *, now: datetime | None = None,
                    actor: str = "scheduler") -> StepResult | None:
    """Fire the instance's timers due at `now`; None when another worker already did (or holds it)."""
    return fire_due_timers_of(session, [instance_id], now=now, actor=actor).get(instance_id)


def fire_due_timers_of(session: Session, instance_ids: list[int], *, now: datetime | None = None,
                       actor: str = "scheduler") -> dict[int, StepResult]:
    """Fire the due timers (at `now`) of these instances, in the caller's transaction, in id order;
    the steps of those that moved. Instances another worker holds (or already fired) are skipped.

    The instances are locked, and their due timers read, in one statement each for all of them.
    The audit trail stamps each firing with the moment it happened, not `now`.
    """
    now = now or utcnow()
    locked = session.scalars(
        select(ProcessInstance).where(ProcessInstance.id.in_(instance_ids)).order_by(ProcessInstance.id)
        .with_for_update(skip_locked=True, of=ProcessInstance)
    ).all()
    due: dict[int, list] = {}
    if locked:
        for timer in session.execute(_DUE_TIMERS, {"instance_ids": [i.id for i in locked], "now": now}):
            due.setdefault(timer.instance_id, []).append(timer)
        state_store.prefetch(session, [instance for instance in locked if instance.id in due])
    results = {}
    for instance in locked:
        if due.get(instance.id):
            result = _fire(session, instance, due[instance.id], now, actor)
            if result is not None:
                results[instance.id] = result
    return results


def _fire(session: Session, instance: ProcessInstance, due: list, now: datetime, actor: str) -> StepResult | None:
    workflow = load_workflow(instance)
    before = _Rows.of(workflow)
    result = StepResult(instance)
    fired_at = utcnow()
    with _calendar(session):
        runtime.refresh_timers(workflow)
        fired = [t for t in due if _task_state(workflow, t.task_id) in (TaskState.READY, TaskState.COMPLETED)]
        if not fired:
            return None  # SpiffWorkflow fires strictly after the due instant; the next tick will
        for timer in fired:
            audit.record(session, actor=actor, action="timer.fired", instance_id=instance.id,
                         subject=timer.task_id, at=fired_at,
                         data={"bpmn_id": timer.bpmn_id, "name": timer.name, "due_at": timer.due_at.isoformat()})
        runtime.run_engine_steps(workflow, lambda t: result.completed.append(_completed(t)))
    _save(session, instance, workflow, result, before, actor=actor, now=fired_at)
    return result


def send_message(session: Session, instance_id: int, name: str, *, actor: str,
                 payload: dict | None = None) -> StepResult:
    """Deliver the message `name` to the instance (a message event waiting for it catches it) and
    run the instance to its next wait. `Conflict` when nothing in the instance waits for it now."""
    instance = _get_instance(session, instance_id)
    workflow = load_workflow(instance)
    before = _Rows.of(workflow)
    now = utcnow()
    result = StepResult(instance)
    with _calendar(session):
        try:
            workflow.send_event(BpmnEvent(MessageEventDefinition(name), payload=payload or {}))
        except WorkflowException:
            raise Conflict(f"The process is not waiting for the message '{name}' at this point.",
                           message=name) from None
        audit.record(session, actor=actor, action="message.received", instance_id=instance_id, at=now,
                     subject=instance.business_key, data={"message": name, "payload": payload or {}})
        runtime.run_engine_steps(workflow, lambda t: result.completed.append(_completed(t)))
    _save(session, instance, workflow, result, before, actor=actor, now=now)
    return result


TIME_HELPERS = ("deadline(", "before_due(")


def retime_timers(session: Session, instance_id: int, step_allocations: dict | None = None, *, actor: str,
                  due_at: datetime | None = None) -> int:
    """Give the instance new step allocations and/or a new due date; recompute the waiting timers
    whose expressions use them (`deadline()`, `before_due()`), each counted again from when it
    began waiting. Returns how many timers moved.
    """
    instance = _get_instance(session, instance_id)
    workflow = load_workflow(instance)
    before = _Rows.of(workflow)
    if step_allocations is not None:
        workflow.data[deadlines.ALLOCATIONS_KEY] = dict(step_allocations)
    if due_at is not None:
        workflow.data[deadlines.DUE_AT_KEY] = due_at.isoformat()
    moved = []
    with _calendar(session):
        for task in list(workflow.event_manager.tasks.values()):
            definition = getattr(task.task_spec, "event_definition", None)
            if (not isinstance(definition, TimeDateEventDefinition) or task.state != TaskState.WAITING
                    or not any(helper in definition.expression for helper in TIME_HELPERS)):
                continue
            old = task._get_internal_data("event_value")
            new = workflow.script_engine.evaluate(task, definition.expression)
            if new != old:
                task._set_internal_data(event_value=new)
                moved.append({"bpmn_id": runtime.element_id(task), "from": old, "to": new})
    now = utcnow()
    audit.record(session, actor=actor, action="timers.retimed", instance_id=instance_id, at=now,
                 subject=instance.business_key,
                 data={"moved": moved, "step_allocations": step_allocations,
                       "due_at": due_at.isoformat() if due_at else None})
    _save(session, instance, workflow, StepResult(instance), before, actor=actor, now=now)
    return len(moved)


def _get_instance(session: Session, instance_id: int) -> ProcessInstance:
    instance = session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFound(f"Process instance {instance_id} does not exist.", instance_id=instance_id)
    return instance


def tasks_of_instance(session: Session, instance_id: int) -> list[HumanTask]:
    query = (select(HumanTask).where(HumanTask.instance_id == instance_id)
             .order_by(HumanTask.created_at, HumanTask.completed_at.is_(None), HumanTask.completed_at, HumanTask.id))
    return list(session.scalars(query))


def _calendar(session: Session):
    return deadlines.calendar_from(lambda: calendar_store.load_calendar(session))


def _task_state(workflow: BpmnWorkflow, task_id: str):
    task = workflow.get_task_from_id(UUID(task_id))
    return task.state if task is not None else None


_TASKS, _TIMERS, _INSTANCES = HumanTask.__table__, WaitingTimer.__table__, ProcessInstance.__table__
# Statements of every step, built once and run on the session's connection: a Core statement is
# cheaper than an ORM flush, and the session's own execute() adds its overhead to each.
# Open: ready or claimed (OPEN_TASK_STATES), written out: an IN list is re-rendered at every execution.
_IS_OPEN = or_(*(_TASKS.c.state == state for state in OPEN_TASK_STATES))
_CLOSE_TASK = (update(_TASKS).where(_TASKS.c.id == bindparam("task_id"), _IS_OPEN)
               .values(state="completed", completed_at=bindparam("now"), completed_by=bindparam("actor"),
                       data=bindparam("task_data", type_=_TASKS.c.data.type)))
_CANCEL_TASK = (update(_TASKS).where(_TASKS.c.id == bindparam("task_id"), _IS_OPEN)
                .values(state="cancelled", completed_at=bindparam("now")))
_MOVE_TASK_DUE = update(_TASKS).where(_TASKS.c.id == bindparam("task_id")).values(due_at=bindparam("due_at"))
_MOVE_TIMER = update(_TIMERS).where(_TIMERS.c.task_id == bindparam("timer_task_id")).values(due_at=bindparam("due_at"))
_WRITE_INSTANCE = (update(_INSTANCES)
                   .where(_INSTANCES.c.id == bindparam("b_id"), _INSTANCES.c.revision == bindparam("b_revision"))
                   .values(state=bindparam("b_state"), updated_at=bindparam("b_updated_at"),
                           revision=bindparam("b_next_revision")))
_FINISH_INSTANCE = _WRITE_INSTANCE.values(status=bindparam("b_status"), ended_at=bindparam("b_ended_at"))
_DUE_TIMERS = (select(_TIMERS.c.instance_id, _TIMERS.c.task_id, _TIMERS.c.bpmn_id, _TIMERS.c.name, _TIMERS.c.due_at)
               .where(_TIMERS.c.instance_id.in_(bindparam("instance_ids", expanding=True)),
                      _TIMERS.c.due_at <= bindparam("now"))
               .order_by(_TIMERS.c.instance_id, _TIMERS.c.id))
_DELETE_TIMERS = delete(_TIMERS).where(_TIMERS.c.task_id.in_(bindparam("task_ids", expanding=True)))


def _committed(row, values: dict) -> None:
    """Tell the session that `row` now holds `values`, which a statement of ours has written."""
    for key, value in values.items():
        set_committed_value(row, key, value)


def _save(session: Session, instance: ProcessInstance, workflow: BpmnWorkflow, result: StepResult, before: _Rows,
          *, actor: str, now: datetime) -> None:
    """Write the step: the instance's row (if nobody wrote it since it was read), the workflow's
    tasks that changed (engine/state_store.py), then the task and timer rows that changed against
    `before`. Audit events and new rows go with the commit's flush."""
    timers = tuple(runtime.waiting_timers(workflow))
    checkpoint = state_store.prepare(instance, workflow)
    values = {"state": checkpoint.state, "updated_at": now}
    result.finished = runtime.is_finished(workflow)
    if result.finished and instance.status != "completed":
        values.update(status="completed", ended_at=now)
        audit.record(session, actor=actor, action="instance.completed", instance_id=instance.id,
                     subject=instance.process_version.process_id, at=now)
    _write_instance(session, instance, values)  # first: a writer that lost the race writes nothing more
    state_store.write(session, checkpoint)
    result.ready_tasks = _sync_human_tasks(session, instance, workflow, timers, before, now)
    _sync_timers(session, instance, timers, before.timers)


def _write_instance(session: Session, instance: ProcessInstance, values: dict) -> None:
    """UPDATE the instance's row where its revision is still the one read: the optimistic lock."""
    revision = instance.revision
    statement = _FINISH_INSTANCE if "status" in values else _WRITE_INSTANCE
    written = session.connection().execute(statement, {"b_id": instance.id, "b_revision": revision,
                                                       "b_next_revision": revision + 1,
                                                       **{f"b_{key}": value for key, value in values.items()}})
    if written.rowcount != 1:
        raise ConcurrentUpdate("Someone else changed this dossier at the same moment; reload and try again.",
                               instance_id=instance.id)
    _committed(instance, {**values, "revision": revision + 1})


def _sync_human_tasks(session: Session, instance: ProcessInstance, workflow: BpmnWorkflow,
                      timers: tuple[runtime.WaitingTimerInfo, ...], before: _Rows, now: datetime) -> list[HumanTask]:
    """Open rows for the tasks that became ready, cancelled ones for those that are no longer ready
    (interrupted by a boundary event, or cancelled), each task's deadline from its interrupting timer.
    The task rows that stay open are read only if there are any (parallel branches)."""
    ready = {str(t.id): t for t in runtime.ready_human_tasks(workflow)}
    gone = [task_id for task_id in before.ready if task_id not in ready]
    kept = [task_id for task_id in before.ready if task_id in ready]
    open_rows = {row.id: row for row in session.scalars(select(HumanTask).where(
        HumanTask.id.in_(gone + kept), HumanTask.state.in_(OPEN_TASK_STATES)))} if gone or kept else {}
    for task_id in gone:
        row = open_rows.pop(task_id, None)
        if row is None:  # the task this step completed
            continue
        session.connection().execute(_CANCEL_TASK, {"task_id": task_id, "now": now})
        _committed(row, {"state": "cancelled", "completed_at": now})
        audit.record(session, actor="system", action="task.cancelled", instance_id=instance.id,
                     subject=task_id, data={"bpmn_id": row.bpmn_id, "name": row.name}, at=now)
    due_by_parent: dict[str, datetime] = {}
    for timer in timers:
        if timer.parent_task_id is not None and timer.interrupting:
            current = due_by_parent.get(timer.parent_task_id)
            due_by_parent[timer.parent_task_id] = min(current, timer.due_at) if current else timer.due_at
    rows = []
    for task_id, task in ready.items():
        row = open_rows.get(task_id)
        due_at = due_by_parent.get(str(task.parent.id)) if task.parent is not None else None
        if row is not None and row.due_at != due_at:
            session.connection().execute(_MOVE_TASK_DUE, {"task_id": task_id, "due_at": due_at})
            _committed(row, {"due_at": due_at})
        if row is None:
            lane = getattr(task.task_spec, "lane", None)
            row = HumanTask(
                id=task_id, instance_id=instance.id, bpmn_id=runtime.element_id(task),
                name=runtime.element_name(task), lane=lane,
                role=(instance.lane_roles or {}).get(lane, lane) if lane else None,
                state="ready", created_at=now, due_at=due_at,
            )
            session.add(row)
        rows.append(row)
    return rows


def _sync_timers(session: Session, instance: ProcessInstance, timers: tuple[runtime.WaitingTimerInfo, ...],
                 before: tuple[runtime.WaitingTimerInfo, ...]) -> None:
    if timers == before:
        return
    wanted = {t.task_id: t for t in timers}
    existing = {t.task_id: t for t in before}
    gone = [task_id for task_id in existing if task_id not in wanted]
    if gone:
        session.connection().execute(_DELETE_TIMERS, {"task_ids": gone})
    for task_id, timer in wanted.items():
        old = existing.get(task_id)
        if old is None:
            session.add(WaitingTimer(instance_id=instance.id, task_id=task_id, bpmn_id=timer.bpmn_id,
                                     name=timer.name, due_at=timer.due_at))
        elif old.due_at != timer.due_at:
            session.connection().execute(_MOVE_TIMER, {"timer_task_id": task_id, "due_at": timer.due_at})
    timer_events.mark_changed(session)
